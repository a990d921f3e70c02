import Store

/// One suggestion as the front ends show it: the related article's public fields and its score.
public struct RelatedItem: Codable, Hashable, Sendable {
    public var id: String
    public var title: String
    public var url: String?
    public var publishedAt: String?
    public var score: Double
    /// The shared terms that made the suggestion (only when asked for).
    public var explanation: [SharedTerm]?

    enum CodingKeys: String, CodingKey {
        case id, title, url, score, explanation
        case publishedAt = "published_at"
    }

    public init(id: String, title: String, url: String?, publishedAt: String?, score: Double) {
        self.id = id
        self.title = title
        self.url = url
        self.publishedAt = publishedAt
        self.score = score
    }
}

extension RelatedItem {
    /// Entries joined with their cards, in the entries' order (entries without a card are dropped).
    public static func items(for entries: [RelatedEntry], cards: [String: ArticleCard]) -> [RelatedItem] {
        entries.compactMap { entry in
            cards[entry.id].map { RelatedItem(id: $0.id, title: $0.title, url: $0.url, publishedAt: $0.publishedAt, score: entry.score) }
        }
    }
}

extension Explainer {
    /// Adds the explanation of each item relative to `query`.
    public func explain(_ items: [RelatedItem], for query: Article, store: SilaStore) throws -> [RelatedItem] {
        let articles = try store.articles(ids: items.map(\.id))
        return items.map { item in
            var explained = item
            if let candidate = articles[item.id] { explained.explanation = explain(query, candidate) }
            return explained
        }
    }
}

extension SilaStore {
    /// Stored entries joined with their articles' public fields (entries whose article vanished are dropped).
    public func items(for entries: [RelatedEntry]) throws -> [RelatedItem] {
        RelatedItem.items(for: entries, cards: try cards(ids: entries.map(\.id)))
    }

    /// The stored «شاهد أيضاً» list of an article, at most `k` long.
    /// - Throws: `CoreError.unknownArticle` when the id is not stored.
    public func relatedItems(of id: String, k: Int) throws -> [RelatedItem] {
        guard try hasArticle(id: id) else { throw CoreError.unknownArticle(id: id) }
        return try items(for: Array(relatedList(of: id).prefix(k)))
    }
}
