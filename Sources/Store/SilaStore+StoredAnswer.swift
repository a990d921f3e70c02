import Foundation
import GRDB

/// What one related-list request reads from the store: whether the article exists, its stored list and the cards
/// of that list, all from one snapshot.
public struct StoredAnswer: Sendable {
    /// The stored list, best first (empty when the article has none).
    public var entries: [RelatedEntry]
    /// The cards of the first `k` entries that still exist, by id.
    public var cards: [String: ArticleCard]
}

extension SilaStore {
    /// The stored list of `id` and the cards of its first `k` entries, in one read transaction with cached
    /// statements: the per-request work of a page render is one snapshot instead of three, and no SQL is parsed
    /// again. Returns nil when no article `id` is stored.
    public func storedAnswer(of id: String, k: Int) throws -> StoredAnswer? {
        try read { db in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM articles WHERE id = ?")
            guard try Bool.fetchOne(exists, arguments: [id]) ?? false else { return nil }
            let list = try db.cachedStatement(sql: "SELECT related_id, score FROM related WHERE article_id = ? ORDER BY rank")
            var entries = [RelatedEntry]()
            let rows = try Row.fetchCursor(list, arguments: [id])
            while let row = try rows.next() { entries.append(RelatedEntry(id: row[0], score: row[1])) }
            return StoredAnswer(entries: entries, cards: try Self.cards(ids: entries.prefix(k).map(\.id), in: db))
        }
    }

    /// The cards of those `ids` that exist, by id (one cached statement per list length).
    static func cards(ids: [String], in db: Database) throws -> [String: ArticleCard] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let statement = try db.cachedStatement(
            sql: "SELECT id, title, url, category, published_at FROM articles WHERE id IN (\(placeholders))")
        var cards = [String: ArticleCard](minimumCapacity: ids.count)
        let rows = try Row.fetchCursor(statement, arguments: StatementArguments(ids))
        while let row = try rows.next() {
            let card = ArticleCard(id: row[0], title: row[1], url: row[2], category: row[3], publishedAt: row[4])
            cards[card.id] = card
        }
        return cards
    }
}
