import Store

/// Which articles a «شاهد أيضاً» box may show: a section page asks for its own category, a "latest" box for a date
/// window, a page already showing some articles excludes them. Filters narrow a list; they never pad it with weak
/// matches. An empty filter admits everything.
public struct RelatedFilter: Sendable, Equatable {
    /// Only articles of this category (exact match, as stored).
    public var category: String?
    /// Only articles published in [since, until] (seconds since 1970); undated articles are left out when either is set.
    public var since: Int64?
    public var until: Int64?
    /// Never these articles.
    public var excludedIDs: Set<String> = []
    /// Only suggestions scoring at least this.
    public var minimumScore: Double = 0

    public init(category: String? = nil, since: Int64? = nil, until: Int64? = nil, excludedIDs: Set<String> = [], minimumScore: Double = 0) {
        self.category = category
        self.since = since
        self.until = until
        self.excludedIDs = excludedIDs
        self.minimumScore = minimumScore
    }

    /// Parses the filter parameters of the socket and the CLI (`category`, `since`, `until`, `exclude` as
    /// comma-separated ids, `min_score`); empty values mean "no filter".
    /// - Throws: `CoreError.invalidOption` naming the parameter and the value that is wrong.
    public init(category: String?, sinceText: String?, untilText: String? = nil, excludeText: String? = nil, minimumScoreText: String? = nil) throws {
        self.category = category.flatMap { $0.isEmpty ? nil : $0 }
        since = try Self.instant(sinceText, parameter: "since")
        until = try Self.instant(untilText, parameter: "until")
        if let since, let until, until < since {
            throw CoreError.invalidOption("until: comes before since")
        }
        excludedIDs = Set((excludeText ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty })
        if let minimumScoreText, !minimumScoreText.isEmpty {
            guard let score = Double(minimumScoreText), score.isFinite, (0...1).contains(score) else {
                throw CoreError.invalidOption("min_score: '\(minimumScoreText.prefix(20))' is not a number from 0 to 1")
            }
            minimumScore = score
        }
    }

    private static func instant(_ text: String?, parameter: String) throws -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let seconds = ISODate.normalized(text).flatMap(ISODate.epochSeconds) else {
            throw CoreError.invalidOption(
                "\(parameter): '\(text.prefix(40))' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
        }
        return seconds
    }

    public var isEmpty: Bool {
        category == nil && since == nil && until == nil && excludedIDs.isEmpty && minimumScore <= 0
    }

    /// Whether a candidate passes.
    public func admits(id: String, category candidateCategory: String?, publishedAt: Int64?, score: Double) -> Bool {
        if score < minimumScore || excludedIDs.contains(id) { return false }
        if let category, candidateCategory != category { return false }
        if since != nil || until != nil {
            guard let publishedAt else { return false }
            if let since, publishedAt < since { return false }
            if let until, publishedAt > until { return false }
        }
        return true
    }

    /// Whether a stored article with this score passes.
    public func admits(_ card: ArticleCard, score: Double) -> Bool {
        admits(id: card.id, category: card.category, publishedAt: card.publishedEpochSeconds, score: score)
    }
}
