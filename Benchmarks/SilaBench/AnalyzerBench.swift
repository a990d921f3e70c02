import ArabicText
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the full analyzer (normalize + tokenize + stopwords + stem) over a corpus, on one core.
struct AnalyzerBenchResult: CustomStringConvertible {
    /// MB (10^6 bytes) of UTF-8 input per second of CPU time of this process (robust to other load on the machine).
    let megabytesPerSecond: Double
    /// MB of UTF-8 input per second of wall-clock time.
    let wallMegabytesPerSecond: Double
    /// Terms produced (after stopwords and stemming).
    let tokens: Int
    /// UTF-8 bytes analyzed (titles and bodies).
    let bytes: Int
    /// CPU seconds of the best run.
    let seconds: Double
    /// Bytes allocated per MB of input, when measured. It stays `nil` here: glibc has no cumulative allocation
    /// counter in-process (`mallinfo2` reports bytes in use, not bytes allocated, and `<malloc.h>` is not in the
    /// Swift Glibc module). Run the bench under `valgrind --tool=memcheck` and subtract a run without analysis.
    let bytesAllocatedPerMB: Double?

    var description: String {
        let allocated = bytesAllocatedPerMB.map { String(format: "%.0f B/MB", $0) } ?? "n/a"
        return String(
            format: "analyzer: %.1f MB/s (cpu, one core), %.1f MB/s (wall), %d terms, %d bytes, %.3f s; allocated %@",
            megabytesPerSecond, wallMegabytesPerSecond, tokens, bytes, seconds, allocated)
    }
}

/// Reads the title and body of every article of a JSONL corpus (`{"title": …, "body": …}` per line).
func loadAnalyzerBenchTexts(corpusPath: String) -> [String] {
    struct Article: Decodable {
        let title: String?
        let body: String?
    }
    guard let data = FileManager.default.contents(atPath: corpusPath) else { return [] }
    let decoder = JSONDecoder()
    return data.split(separator: UInt8(ascii: "\n")).flatMap { line -> [String] in
        guard let article = try? decoder.decode(Article.self, from: line) else { return [] }
        return [article.title ?? "", article.body ?? ""]
    }
}

/// Runs `Analyzer(.standard)` over every title and body of the corpus `repetitions` times on the calling thread
/// (one core) and keeps the best run. Terms are received as `String`s, as the vectorizer receives them.
func runAnalyzerBench(corpusPath: String, repetitions: Int = 3) -> AnalyzerBenchResult {
    let texts = loadAnalyzerBenchTexts(corpusPath: corpusPath)
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    let analyzer = Analyzer()
    var best = (cpu: Double.infinity, wall: Double.infinity)
    var tokens = 0
    for _ in 0..<max(1, repetitions) {
        var count = 0
        let start = (cpu: cpuSeconds(), wall: Date())
        for text in texts {
            analyzer.forEachTerm(in: text) { _ in count += 1 }
        }
        best.cpu = min(best.cpu, cpuSeconds() - start.cpu)
        best.wall = min(best.wall, Date().timeIntervalSince(start.wall))
        tokens = count
    }
    return AnalyzerBenchResult(
        megabytesPerSecond: Double(bytes) / 1e6 / best.cpu, wallMegabytesPerSecond: Double(bytes) / 1e6 / best.wall,
        tokens: tokens, bytes: bytes, seconds: best.cpu, bytesAllocatedPerMB: nil)
}

/// Runs `Benchmarks/analyzer/python_analyzer.py` on the same corpus and returns its MB/s (CPU time, one core),
/// or `nil` when python3 or the script is missing.
func runPythonAnalyzerBench(scriptPath: String, corpusPath: String) -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptPath, corpusPath]
    let output = Pipe()
    process.standardOutput = output
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return json["megabytes_per_second"] as? Double
}

/// Token statistics over the corpus with each analyzer step switched off in turn: the ablation note of issue 3
/// until a retrieval-quality harness exists.
func runAnalyzerAblation(corpusPath: String) -> [(configuration: String, tokens: Int, distinctTokens: Int)] {
    let texts = loadAnalyzerBenchTexts(corpusPath: corpusPath)
    let configurations: [(String, Analyzer.Configuration)] = [
        ("all steps on", .standard),
        ("1 unicode cleanup off", .init(normalization: .init(unicodeCleanup: false))),
        ("2 diacritics/tatweel off", .init(normalization: .init(stripDiacritics: false))),
        ("3 letter folding off", .init(normalization: .init(foldLetters: false))),
        ("4 digits/case off", .init(normalization: .init(foldDigitsAndCase: false))),
        ("6 stopwords off", .init(removesStopwords: false)),
        ("7 stemming off", .init(stems: false)),
        ("1-4 all normalization off", .init(normalization: .init(
            unicodeCleanup: false, stripDiacritics: false, foldLetters: false, foldDigitsAndCase: false))),
    ]
    return configurations.map { name, configuration in
        let analyzer = Analyzer(configuration)
        var tokens = 0
        var distinct = Set<String>()
        for text in texts {
            analyzer.forEachTerm(in: text) { term in
                tokens += 1
                distinct.insert(term)
            }
        }
        return ("\(name) [\(analyzer.version)]", tokens, distinct.count)
    }
}

private func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
