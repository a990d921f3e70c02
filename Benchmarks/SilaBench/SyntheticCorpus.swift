import Foundation

// The synthetic corpus generator (issue 5: "sampling real term statistics with topic structure").
//
// Each synthetic article picks a random real article as its template (its topic): it takes the template's length
// (±20%), draws each body word with probability `templateShare` (0.7) from the template's own words and otherwise
// from the corpus-wide word distribution (every word occurrence of every body equally likely, i.e. the real unigram
// frequencies), and builds its title the same way from the template's title and the corpus-wide title words. The
// category is the template's; the date is the template's shifted by a uniform jitter of ±`jitterDays` days.
// So articles made from the same template (or from templates on the same story) share vocabulary like related
// news, document frequencies follow the real ones, and everything is a deterministic function of the seed.
//
// The output is derived from third-party text (the ANT corpus): it goes to Benchmarks/out/ only, never into git.

/// `SilaBench synth --from CORPUS --count N --seed S --out FILE.jsonl [--template-share 0.7] [--jitter-days 30]`
func runSynth(_ arguments: BenchArguments) throws {
    let sourcePath = try arguments.string("from")
    let count = try arguments.int("count", default: 100_000)
    let seed = UInt64(try arguments.int("seed", default: 1))
    let outPath = try arguments.string("out")
    let templateShare = try arguments.double("template-share", default: 0.7)
    let jitterDays = try arguments.int("jitter-days", default: 30)
    guard count >= 0, (0...1).contains(templateShare), jitterDays >= 0 else { throw BenchError("invalid synth options") }

    let start = benchSeconds()
    let articles = try readBenchCorpus(sourcePath)
    guard !articles.isEmpty else { throw BenchError("\(sourcePath) holds no articles") }
    let templates = articles.map { article in
        SynthTemplate(
            titleWords: words(of: article.title), bodyWords: words(of: article.body), category: article.category,
            publishedAt: epochSeconds(iso: article.publishedAt))
    }
    let corpusBodyWords = templates.flatMap(\.bodyWords)
    let corpusTitleWords = templates.flatMap(\.titleWords)
    guard !corpusBodyWords.isEmpty else { throw BenchError("\(sourcePath) has no words") }

    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: outPath) else { throw BenchError("cannot write \(outPath)") }
    defer { try? handle.close() }
    var generator = SeededGenerator(seed: seed)
    var buffer = ""
    buffer.reserveCapacity(1 << 22)
    var bytes = 0
    for number in 0..<count {
        let template = templates[generator.below(templates.count)]
        let body = sample(
            from: template.bodyWords, background: corpusBodyWords, share: templateShare, generator: &generator)
        let title = sample(
            from: template.titleWords, background: corpusTitleWords.isEmpty ? corpusBodyWords : corpusTitleWords,
            share: templateShare, generator: &generator)
        var line = "{\"id\": \(jsonString(String(format: "syn%d-%07d", Int(seed), number)))"
        line += ", \"title\": \(jsonString(title.joined(separator: " ")))"
        line += ", \"body\": \(jsonString(body.joined(separator: " ")))"
        line += ", \"category\": \(jsonString(template.category))"
        if let date = template.publishedAt {
            let jitter = Int64(generator.below(2 * jitterDays * 86_400 + 1)) - Int64(jitterDays * 86_400)
            line += ", \"published_at\": \(jsonString(isoString(epochSeconds: date + jitter)))"
        }
        line += "}\n"
        buffer += line
        if buffer.utf8.count > (1 << 22) {
            bytes += buffer.utf8.count
            handle.write(Data(buffer.utf8))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    bytes += buffer.utf8.count
    handle.write(Data(buffer.utf8))
    try emitResult(
        [
            "benchmark": "synth", "from": sourcePath, "templates": templates.count, "count": count, "seed": Int(seed),
            "template_share": templateShare, "jitter_days": jitterDays, "out": outPath, "bytes": bytes,
            "seconds": jsonRounded(benchSeconds() - start, 2),
        ], to: nil)
}

private struct SynthTemplate {
    var titleWords: [Substring]
    var bodyWords: [Substring]
    var category: String
    var publishedAt: Int64?
}

private func words(of text: String) -> [Substring] {
    text.split(whereSeparator: { $0.isWhitespace })
}

/// A word list with the template's length ±20%, each word from the template with probability `share`, else from
/// the background distribution.
private func sample(
    from template: [Substring], background: [Substring], share: Double, generator: inout SeededGenerator
) -> [Substring] {
    guard !template.isEmpty else { return [] }
    let spread = max(1, template.count / 5)
    let length = max(1, template.count - spread + generator.below(2 * spread + 1))
    var result = [Substring]()
    result.reserveCapacity(length)
    for _ in 0..<length {
        if generator.unit() < share {
            result.append(template[generator.below(template.count)])
        } else {
            result.append(background[generator.below(background.count)])
        }
    }
    return result
}
