import Foundation

/// The news-specific ranking applied on top of the exact cosine (DESIGN.md "Relevance on top of the cosine").
/// Every feature has its own switch; `plain` turns all of them off and leaves the pure exact cosine top-k.
public struct RelevanceOptions: Hashable, Sendable, Codable {
    /// Of two candidates with cosine ≥ this to each other, only one is kept: the newer, then the longer.
    /// `nil` turns collapsing off.
    public var dedupeThreshold: Double?
    /// Also hide candidates this close to the query article itself (its reprints). Off by default: on the
    /// development corpus a reprint of the article being read is usually the same story from another desk, and
    /// hiding it cost story recall (see README, "Relevance").
    public var hidesReprintsOfQuery: Bool = false
    /// Recency: a candidate published `d` days away from the *query article's* date keeps
    /// `(1 - recencyWeight) + recencyWeight × 0.5^(d / halfLife)` of its cosine. `nil` turns it off.
    public var recencyHalfLifeDays: Double?
    public var recencyWeight: Double
    /// Same-section preference: a candidate from the query's own category keeps `1 + categoryBoost` times its
    /// score (0 = off). Sites' categories are their own taxonomies, so this is a mild preference, not a filter.
    public var categoryBoost: Double = 0
    /// MMR diversity: each next pick maximizes `λ × score − (1 − λ) × max cosine to the picks so far`. `nil` = off.
    public var mmrLambda: Double?
    /// How many exact cosine candidates the re-ranking chooses from.
    public var candidatePool: Int
    /// Suggestions scoring below this are not shown (the answer is shorter rather than padded with noise).
    public var minimumScore: Double

    public init(
        dedupeThreshold: Double? = 0.9, recencyHalfLifeDays: Double? = 3, recencyWeight: Double = 0.5,
        mmrLambda: Double? = nil, candidatePool: Int = 50, minimumScore: Double = 0, categoryBoost: Double = 0.1
    ) {
        self.categoryBoost = categoryBoost
        self.dedupeThreshold = dedupeThreshold
        self.recencyHalfLifeDays = recencyHalfLifeDays
        self.recencyWeight = recencyWeight
        self.mmrLambda = mmrLambda
        self.candidatePool = candidatePool
        self.minimumScore = minimumScore
    }

    /// Sila's defaults, chosen with `sila eval` on the development corpus (see README, "Relevance").
    public static let standard = RelevanceOptions()

    /// Pure exact cosine: no collapsing, no recency, no diversity.
    public static let plain = RelevanceOptions(
        dedupeThreshold: nil, recencyHalfLifeDays: nil, mmrLambda: nil, candidatePool: 0, categoryBoost: 0)

    public var isPlain: Bool {
        dedupeThreshold == nil && recencyHalfLifeDays == nil && mmrLambda == nil && minimumScore <= 0 && categoryBoost == 0
    }

    /// Problems with the values, or nil.
    public var problem: String? {
        if let t = dedupeThreshold, !(t > 0 && t <= 1) { return "--dedupe must be in (0, 1], got \(t)" }
        if let h = recencyHalfLifeDays, !(h > 0 && h.isFinite) { return "--recency-half-life must be a positive duration" }
        if !(0...1).contains(recencyWeight) { return "--recency-weight must be in [0, 1], got \(recencyWeight)" }
        if let l = mmrLambda, !(0...1).contains(l) { return "--mmr must be in [0, 1], got \(l)" }
        if !(0...1).contains(categoryBoost) { return "--category-boost must be in [0, 1], got \(categoryBoost)" }
        return nil
    }
}
