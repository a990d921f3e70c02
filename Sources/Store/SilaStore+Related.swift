import Foundation
import GRDB

/// One entry of a stored «شاهد أيضاً» list.
public struct RelatedEntry: Hashable, Sendable, Codable {
    public var id: String
    public var score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}

extension SilaStore {
    /// Replaces every related list at once. The lists are written into a shadow table first (in batches, invisible
    /// to readers), then swapped in by one transaction: readers see the old complete set until the swap, the new
    /// complete set after it. A crash before the swap leaves the old lists untouched.
    /// - Parameter lists: called with a `write` function; call it once per article with its list.
    /// - Parameter settings: key/value settings written in the same transaction as the swap.
    public func replaceAllRelated(
        modelID: String, computedAt: Date = Date(), settings: [String: String] = [:],
        lists: (_ write: (_ articleID: String, _ entries: [RelatedEntry]) throws -> Void) throws -> Void
    ) throws {
        try write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS related_shadow")
            try Schema.createRelatedTable(db, named: "related_shadow")
        }
        var pending = [(String, [RelatedEntry])]()
        let timestamp = computedAt.timeIntervalSince1970
        func flush() throws {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            try write { db in
                let insert = try db.makeStatement(
                    sql: "INSERT INTO related_shadow (article_id, rank, related_id, score, model_id, computed_at) VALUES (?, ?, ?, ?, ?, ?)")
                for (articleID, entries) in batch {
                    for (rank, entry) in entries.enumerated() {
                        try insert.execute(arguments: [articleID, rank + 1, entry.id, entry.score, modelID, timestamp])
                    }
                }
            }
        }
        try lists { articleID, entries in
            pending.append((articleID, entries))
            if pending.count >= 2000 { try flush() }
        }
        try flush()
        try write { db in
            try db.execute(sql: "DROP TABLE related")
            try db.execute(sql: "ALTER TABLE related_shadow RENAME TO related")
            try db.execute(sql: "DROP INDEX IF EXISTS related_shadow_related_id")
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS related_related_id ON related(related_id)")
            for (key, value) in settings {
                try db.execute(
                    sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            }
        }
    }

    /// The stored list of `articleID`, best first (empty when it has none).
    public func relatedList(of articleID: String) throws -> [RelatedEntry] {
        try read { db in try Self.relatedList(of: articleID, in: db) }
    }

    static func relatedList(of articleID: String, in db: Database) throws -> [RelatedEntry] {
        try Row.fetchAll(
            db, sql: "SELECT related_id, score FROM related WHERE article_id = ? ORDER BY rank", arguments: [articleID]
        ).map { RelatedEntry(id: $0["related_id"], score: $0["score"]) }
    }

    /// Streams every stored list in article id order (articles without a list are skipped).
    public func forEachRelatedList(_ body: (String, [RelatedEntry]) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT article_id, related_id, score FROM related ORDER BY article_id, rank")
            var currentID: String? = nil
            var entries = [RelatedEntry]()
            while let row = try rows.next() {
                let id: String = row["article_id"]
                if id != currentID {
                    if let currentID { try body(currentID, entries) }
                    currentID = id
                    entries.removeAll(keepingCapacity: true)
                }
                entries.append(RelatedEntry(id: row["related_id"], score: row["score"]))
            }
            if let currentID { try body(currentID, entries) }
        }
    }

    /// When the related lists were last computed, if ever.
    public func lastComputedAt() throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT MAX(computed_at) FROM related").map(Date.init(timeIntervalSince1970:))
        }
    }

    static func replaceLists(_ lists: [String: [RelatedEntry]], modelID: String, in db: Database) throws {
        let delete = try db.makeStatement(sql: "DELETE FROM related WHERE article_id = ?")
        let insert = try db.makeStatement(
            sql: "INSERT INTO related (article_id, rank, related_id, score, model_id, computed_at) VALUES (?, ?, ?, ?, ?, ?)")
        let now = Date().timeIntervalSince1970
        for (articleID, entries) in lists {
            try delete.execute(arguments: [articleID])
            for (rank, entry) in entries.enumerated() {
                try insert.execute(arguments: [articleID, rank + 1, entry.id, entry.score, modelID, now])
            }
        }
    }
}
