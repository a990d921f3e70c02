import Foundation
import GRDB

/// What a «شاهد أيضاً» box shows and filters on — an article without its body. Reading cards instead of whole
/// articles keeps a related-list request from decoding ten article bodies it never sends.
public struct ArticleCard: Sendable, Hashable {
    public var id: String
    public var title: String
    public var url: String?
    public var category: String?
    public var publishedAt: String?

    /// Seconds since 1970 of `publishedAt`.
    public var publishedEpochSeconds: Int64? { publishedAt.flatMap(ISODate.epochSeconds) }
}

extension SilaStore {
    /// The cards of those `ids` that exist, by id.
    public func cards(ids: [String]) throws -> [String: ArticleCard] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        return try pool.read { db in
            var cards = [String: ArticleCard]()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, title, url, category, published_at FROM articles WHERE id IN (\(placeholders))",
                arguments: StatementArguments(ids))
            while let row = try rows.next() {
                let card = ArticleCard(
                    id: row[0], title: row[1], url: row[2], category: row[3], publishedAt: row[4])
                cards[card.id] = card
            }
            return cards
        }
    }

    /// Whether an article with this id is stored.
    public func hasArticle(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM articles WHERE id = ?", arguments: [id]) ?? false }
    }
}
