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
        return try read { db in try Self.cards(ids: ids, in: db) }
    }

    /// Whether an article with this id is stored.
    public func hasArticle(id: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM articles WHERE id = ?", arguments: [id]) ?? false }
    }
}
