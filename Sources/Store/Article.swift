import Foundation
import GRDB
import Vectorizer

/// An article as Sila stores it: plain text (HTML already removed at ingest), dates in ISO-8601 UTC.
public struct Article: Codable, Hashable, Sendable {
    public var id: String
    public var title: String
    public var body: String
    public var category: String?
    public var tags: [String]
    public var url: String?
    /// "YYYY-MM-DDTHH:MM:SSZ", or `nil` when the source gives no date.
    public var publishedAt: String?

    public init(
        id: String, title: String = "", body: String, category: String? = nil, tags: [String] = [], url: String? = nil,
        publishedAt: String? = nil
    ) {
        self.id = id
        self.title = title
        self.body = body
        self.category = category
        self.tags = tags
        self.url = url
        self.publishedAt = publishedAt
    }

    /// Hash of every stored field: an upsert with the same hash changes nothing.
    public var contentHash: String {
        var hash = ContentHash()
        for field in [id, title, body, category ?? "\u{0}", tags.joined(separator: "\u{1}"), url ?? "\u{0}", publishedAt ?? "\u{0}"] {
            hash.combine(field)
        }
        return hash.hex
    }

    /// Hash of the text the vector is computed from (title and body): a changed URL does not need a new vector.
    public var textHash: String {
        var hash = ContentHash()
        hash.combine(title)
        hash.combine(body)
        return hash.hex
    }

    /// Seconds since 1970 of `publishedAt`, for recency and tie-breaking.
    public var publishedEpochSeconds: Int64? {
        publishedAt.flatMap(ISODate.epochSeconds)
    }
}

/// Parsing of the two date shapes Sila stores and accepts.
public enum ISODate {
    /// Accepts "YYYY-MM-DDTHH:MM:SSZ", with fractional seconds or a numeric offset, and "YYYY-MM-DD" (midnight
    /// UTC). Years outside 1000–9999 are rejected.
    public static func epochSeconds(_ text: String) -> Int64? {
        normalized(text).flatMap { stored in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: stored).map { Int64($0.timeIntervalSince1970) }
        }
    }

    /// The stored form ("YYYY-MM-DDTHH:MM:SSZ", UTC) of an accepted date, or `nil` when it is not one.
    public static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        guard let date = full.date(from: trimmed) ?? fractional.date(from: trimmed)
            ?? (trimmed.count == 10 ? dateOnly.date(from: trimmed) : nil)
        else { return nil }
        let seconds = date.timeIntervalSince1970
        // 1000-01-01 … 9999-12-31: anything else is a typo or an attack, not a news date.
        guard seconds >= -30_610_224_000, seconds < 253_402_300_800 else { return nil }
        return full.string(from: date)
    }
}

extension Article: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "articles"

    public init(row: Row) throws {
        let tagsJSON: String = row["tags"]
        self.init(
            id: row["id"], title: row["title"], body: row["body"], category: row["category"],
            tags: (try? JSONDecoder().decode([String].self, from: Data(tagsJSON.utf8))) ?? [], url: row["url"],
            publishedAt: row["published_at"])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["title"] = title
        container["body"] = body
        container["category"] = category
        container["tags"] = String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
        container["url"] = url
        container["published_at"] = publishedAt
        container["content_hash"] = contentHash
        container["updated_at"] = Date().timeIntervalSince1970
    }
}
