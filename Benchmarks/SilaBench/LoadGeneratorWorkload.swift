import Foundation

// The requests of the server benchmark, built ahead of the timed window so the client spends its time on the
// sockets: every GET is a prebuilt byte string; a PUT is an article's prebuilt JSON with a short edit appended.

/// GET and PUT requests over the articles of a corpus (its ids and, for PUTs, a seeded sample of its texts).
final class LoadRequests: @unchecked Sendable {
    /// `GET /v1/articles/{id}/related?k=K` per corpus article.
    let gets: [[UInt8]]
    /// Articles PUTs are made from: id and the JSON of the article up to the closing quote of its body.
    let putTemplates: [(id: String, openJSON: [UInt8])]
    /// Title words, appended to bodies as edits.
    let editWords: [String]

    /// - Parameter putSample: how many articles (seeded sample) PUTs draw from.
    init(corpus: [CorpusArticle], k: Int, putSample: Int, seed: UInt64) {
        gets = corpus.map { httpRequestBytes(method: "GET", target: "/v1/articles/\(Self.pathEncoded($0.id))/related?k=\(k)") }
        var random = SeededGenerator(seed: seed ^ 0x5055_5453)
        var templates = [(id: String, openJSON: [UInt8])]()
        var words = Set<String>()
        for _ in 0..<min(putSample, corpus.count) {
            let article = corpus[random.below(corpus.count)]
            // Keys in a fixed order; the body last, its closing quote left off so an edit can be appended.
            var json = "{\"title\":\(jsonString(article.title)),\"category\":\(jsonString(article.category))"
            if !article.publishedAt.isEmpty { json += ",\"published_at\":\(jsonString(article.publishedAt))" }
            let body = jsonString(article.body)
            json += ",\"body\":" + body.dropLast()
            templates.append((article.id, Array(json.utf8)))
            for word in article.title.split(separator: " ") where word.count >= 4 { words.insert(String(word)) }
        }
        putTemplates = templates
        editWords = words.sorted()
    }

    /// An id as a path segment (percent-encoded outside unreserved ASCII).
    static func pathEncoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }

    /// A PUT of template `template` under `id`, its body ending with " WORD N" (a slight edit that changes its text).
    func put(template: Int, id: String, editNumber: Int, random: inout SeededGenerator) -> [UInt8] {
        var body = putTemplates[template].openJSON
        let word = editWords.isEmpty ? "تحديث" : editWords[random.below(editWords.count)]
        // Inside the body's JSON string: escaped like it (a title word may hold a quote).
        body += Array((" " + jsonString(word).dropFirst().dropLast() + " \(editNumber)\"}").utf8)
        return httpRequestBytes(method: "PUT", target: "/v1/articles/\(Self.pathEncoded(id))", body: body)
    }

    /// Closed-loop GETs of seeded random articles (kind 0).
    func getSource(seed: UInt64) -> LoadRequestSource {
        var random = SeededGenerator(seed: seed)
        let gets = self.gets
        return LoadRequestSource {
            (0, gets[random.below(gets.count)])
        }
    }

    /// GETs (kind 0) with a share of PUTs (kind 1): half re-PUT an existing article with an edited text, half put a
    /// new article (a corpus text, edited) under a new id `lg-THREAD-N`.
    func mixedSource(seed: UInt64, thread: Int, putShare: Double) -> LoadRequestSource {
        var random = SeededGenerator(seed: seed)
        var edits = 0
        return LoadRequestSource { [self] in
            guard random.unit() < putShare else { return (0, gets[random.below(gets.count)]) }
            edits += 1
            let template = random.below(putTemplates.count)
            let id = random.unit() < 0.5 ? putTemplates[template].id : "lg-\(thread)-\(edits)"
            return (1, put(template: template, id: id, editNumber: edits, random: &random))
        }
    }
}
