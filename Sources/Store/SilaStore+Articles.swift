import Foundation
import GRDB

/// How an upsert batch changed the articles table.
public struct UpsertCounts: Hashable, Sendable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public init() {}

    public static func + (lhs: UpsertCounts, rhs: UpsertCounts) -> UpsertCounts {
        var sum = lhs
        sum.inserted += rhs.inserted
        sum.updated += rhs.updated
        sum.unchanged += rhs.unchanged
        return sum
    }
}

extension SilaStore {
    /// Inserts new articles and replaces changed ones, in one transaction; unchanged ones (same content hash) are
    /// left alone. A changed title or body makes the stored vector stale (it is recomputed by the next index).
    public func upsert(_ articles: [Article]) throws -> UpsertCounts {
        try write { db in try Self.upsert(articles, in: db) }
    }

    static func upsert(_ articles: [Article], in db: Database) throws -> UpsertCounts {
        var counts = UpsertCounts()
        let lookup = try db.makeStatement(sql: "SELECT content_hash FROM articles WHERE id = ?")
        for article in articles {
            let existing = try String.fetchOne(lookup, arguments: [article.id])
            if existing == nil {
                try article.insert(db)
                counts.inserted += 1
            } else if existing != article.contentHash {
                try article.update(db)
                // Its vector and list were computed from the old text: drop the vector so the next index (or the
                // live update) recomputes it.
                try db.execute(sql: "DELETE FROM vectors WHERE article_id = ?", arguments: [article.id])
                counts.updated += 1
            } else {
                counts.unchanged += 1
            }
        }
        return counts
    }

    public func article(id: String) throws -> Article? {
        try read { db in try Article.fetchOne(db, key: id) }
    }

    /// The articles of `ids` that exist, by id.
    public func articles(ids: [String]) throws -> [String: Article] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            let found = try Article.fetchAll(db, keys: ids)
            return Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func articleCount() throws -> Int {
        try read { db in try Article.fetchCount(db) }
    }

    /// All article ids, in id order.
    public func articleIDs() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT id FROM articles ORDER BY id") }
    }

    /// Streams every article in id order, `batchSize` at a time, so that memory does not grow with the corpus.
    /// Each batch is read from a consistent snapshot of the database.
    public func forEachArticleBatch(batchSize: Int = 2000, _ body: ([Article]) throws -> Void) throws {
        var lastID: String? = nil
        while true {
            let batch = try read { db in
                if let lastID {
                    return try Article.fetchAll(
                        db, sql: "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?", arguments: [lastID, batchSize])
                }
                return try Article.fetchAll(db, sql: "SELECT * FROM articles ORDER BY id LIMIT ?", arguments: [batchSize])
            }
            guard let last = batch.last else { return }
            try body(batch)
            lastID = last.id
        }
    }
}

extension SilaStore {
    /// The category of every article, by id (read from a covering index, without touching the bodies).
    public func categories() throws -> [String: String] {
        try read { db in
            var categories = [String: String]()
            let rows = try Row.fetchCursor(db, sql: "SELECT id, category FROM articles INDEXED BY articles_meta WHERE category IS NOT NULL")
            while let row = try rows.next() { categories[row["id"]] = row["category"] }
            return categories
        }
    }
}
