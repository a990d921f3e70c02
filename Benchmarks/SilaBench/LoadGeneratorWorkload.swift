import Foundation

// The requests of the server benchmark, built ahead of the timed window so the client spends its time on the
// sockets: every GET is a prebuilt byte string; a PUT is an article's prebuilt JSON.
//
// New articles are real articles the server has never seen: the corpus is split, one article in
// `heldOutEvery` is left out of the indexed database and PUT later under its own id. (Putting a stored article's
// text under a new id would make every new article a reprint, which enters every list its twin is in: the worst
// case of a reverse update, not a newsroom's typical one.) Edits re-PUT a stored article with a few words
// appended.

/// The benchmark's split of a corpus: what is indexed, and the articles PUT as new.
struct LoadCorpusSplit {
    static let heldOutEvery = 10
    var indexed: [CorpusArticle] = []
    var heldOut: [CorpusArticle] = []

    init(_ corpus: [CorpusArticle]) {
        for (position, article) in corpus.enumerated() {
            if position % Self.heldOutEvery == Self.heldOutEvery / 2 { heldOut.append(article) } else { indexed.append(article) }
        }
    }
}

/// Kinds of request in a mixed phase.
enum LoadKind {
    static let get = 0
    static let putNew = 1
    static let putEdit = 2
    static let mixedNames = ["GET", "PUT new", "PUT edit"]
    static let puts = [putNew, putEdit]
}

/// GET and PUT requests over the articles of a corpus split.
final class LoadRequests: @unchecked Sendable {
    /// `GET /v1/articles/{id}/related?k=K` per indexed article.
    let gets: [[UInt8]]
    /// Stored articles edits are made from: id and the JSON of the article up to the closing quote of its body.
    let putTemplates: [(id: String, openJSON: [UInt8])]
    /// The held-out articles, PUT as new ones (same JSON shape).
    let newTemplates: [(id: String, openJSON: [UInt8])]
    /// Title words, appended to bodies as edits.
    let editWords: [String]

    /// - Parameter putSample: how many indexed articles (seeded sample) edits draw from.
    init(split: LoadCorpusSplit, k: Int, putSample: Int, seed: UInt64) {
        gets = split.indexed.map { httpRequestBytes(method: "GET", target: "/v1/articles/\(Self.pathEncoded($0.id))/related?k=\(k)") }
        var random = SeededGenerator(seed: seed ^ 0x5055_5453)
        var templates = [(id: String, openJSON: [UInt8])]()
        var words = Set<String>()
        for _ in 0..<min(putSample, split.indexed.count) {
            let article = split.indexed[random.below(split.indexed.count)]
            templates.append((article.id, Self.openJSON(article)))
            for word in article.title.split(separator: " ") where word.count >= 4 { words.insert(String(word)) }
        }
        putTemplates = templates
        newTemplates = split.heldOut.map { ($0.id, Self.openJSON($0)) }
        editWords = words.sorted()
    }

    /// The article's JSON, keys in a fixed order, the body last with its closing quote left off (an edit appends).
    private static func openJSON(_ article: CorpusArticle) -> [UInt8] {
        var json = "{\"title\":\(jsonString(article.title)),\"category\":\(jsonString(article.category))"
        if !article.publishedAt.isEmpty { json += ",\"published_at\":\(jsonString(article.publishedAt))" }
        json += ",\"body\":" + jsonString(article.body).dropLast()
        return Array(json.utf8)
    }

    /// An id as a path segment (percent-encoded outside unreserved ASCII).
    static func pathEncoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }

    /// An edit: stored article `template` re-PUT with " WORD N" appended to its body (a slight change of its text).
    func edit(template: Int, editNumber: Int, random: inout SeededGenerator) -> [UInt8] {
        var body = putTemplates[template].openJSON
        let word = editWords.isEmpty ? "تحديث" : editWords[random.below(editWords.count)]
        // Inside the body's JSON string: escaped like it (a title word may hold a quote).
        body += Array((" " + jsonString(word).dropFirst().dropLast() + " \(editNumber)\"}").utf8)
        return httpRequestBytes(method: "PUT", target: "/v1/articles/\(Self.pathEncoded(putTemplates[template].id))", body: body)
    }

    /// New article number `number` of the held-out ones, within `range` (a phase's share). Past the range's end, a
    /// text of the range again under an id of its own (a reprint: dearer than a new article, never cheaper).
    func newArticle(_ number: Int, in range: Range<Int>) -> [UInt8] {
        let count = max(range.count, 1)
        let template = newTemplates[range.lowerBound + (number - range.lowerBound) % count]
        let id = number < range.upperBound ? template.id : "\(template.id)-reprint-\(number)"
        return httpRequestBytes(method: "PUT", target: "/v1/articles/\(Self.pathEncoded(id))", body: template.openJSON + Array("\"}".utf8))
    }

    /// Closed-loop GETs of seeded random articles (kind 0).
    func getSource(seed: UInt64) -> LoadRequestSource {
        var random = SeededGenerator(seed: seed)
        let gets = self.gets
        return LoadRequestSource {
            (LoadKind.get, gets[random.below(gets.count)])
        }
    }

    /// GETs with a share of PUTs, half of them new articles (the held-out ones of `newArticles` in order, stepping
    /// by `stride` so that client threads never PUT the same one) and half edits.
    func mixedSource(seed: UInt64, putShare: Double, newArticles: Range<Int>, stride: Int) -> LoadRequestSource {
        var random = SeededGenerator(seed: seed)
        var edits = 0
        var nextNew = newArticles.lowerBound
        return LoadRequestSource { [self] in
            guard random.unit() < putShare else { return (LoadKind.get, gets[random.below(gets.count)]) }
            if random.unit() < 0.5 {
                defer { nextNew += stride }
                return (LoadKind.putNew, newArticle(nextNew, in: newArticles))
            }
            edits += 1
            return (LoadKind.putEdit, edit(template: random.below(putTemplates.count), editNumber: edits, random: &random))
        }
    }
}
