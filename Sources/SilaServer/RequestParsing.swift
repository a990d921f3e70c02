import Foundation
import SilaCore
import Store

/// The rules that turn the untrusted parts of a request — path id, query parameters, body bytes — into Sila's
/// values, or into a 4xx `APIError` that says which part was wrong. Pure functions of their input, so the fuzz
/// tests can drive them with millions of hostile inputs without a socket.
enum RequestParsing {
    /// Longest article id, in characters.
    static let maxIDLength = 256

    /// The article id of a path segment (percent-decoded when it decodes).
    static func articleID(_ raw: String) throws -> String {
        let id = raw.removingPercentEncoding ?? raw
        guard !id.isEmpty, id.count <= maxIDLength else {
            throw APIError.badRequest("article id must be 1 to \(maxIDLength) characters")
        }
        return id
    }

    /// `k`: absent means 10.
    static func k(_ text: String?, maxK: Int) throws -> Int {
        guard let text else { return 10 }
        guard let k = Int(text), k >= 1, k <= maxK else {
            throw APIError.badRequest("k must be an integer from 1 to \(maxK), got '\(text.prefix(20))'")
        }
        return k
    }

    /// `category`, `since`, `until` (dates or instants), `exclude` (comma-separated ids), `min_score`: which
    /// articles the box may show.
    static func filter(category: String?, since: String?, until: String?, exclude: String?, minimumScore: String?) throws -> RelatedFilter {
        do {
            return try RelatedFilter(
                category: category, sinceText: since, untilText: until, excludeText: exclude, minimumScoreText: minimumScore)
        } catch CoreError.invalidOption(let message) {
            throw APIError.badRequest(message)
        }
    }

    /// A body that must be one JSON object.
    static func jsonObject(_ body: Data) throws -> [String: Any] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body)
        } catch {
            throw APIError.badRequest("body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw APIError.badRequest("body must be a JSON object (an article)") }
        return fields
    }

    /// An article from a JSON object, with the same rules as ingest (422 when they fail). `pathID` is the id of a
    /// PUT's path, which a body `id` must not contradict; nil for a cold-start text, which gets the id `_query`.
    static func article(from object: [String: Any], pathID: String?) throws -> Article {
        var fields = object
        if let pathID {
            if let bodyID = fields["id"], (bodyID as? String) != pathID {
                throw APIError.invalidArticle("field 'id' (\(String(describing: bodyID).prefix(80))) does not match the id in the path ('\(pathID)')")
            }
            fields["id"] = pathID
        } else if fields["id"] == nil {
            fields["id"] = "_query"
        }
        switch ArticleValidation.article(from: fields) {
        case .success(let article): return article
        case .failure(let reason): throw APIError.invalidArticle(reason.reason)
        }
    }
}
