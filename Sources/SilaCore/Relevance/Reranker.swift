import Foundation
import Vectorizer

/// A candidate for a «شاهد أيضاً» list: an article with its exact cosine to the query.
public struct Candidate: Sendable {
    public var id: String
    public var cosine: Double
    public var publishedAt: Int64?
    public var vector: SparseVector
    /// Length in distinct index terms (the longer of two reprints is kept).
    public var length: Int
    public var category: String?

    public init(id: String, cosine: Double, publishedAt: Int64?, vector: SparseVector, length: Int, category: String? = nil) {
        self.category = category
        self.id = id
        self.cosine = cosine
        self.publishedAt = publishedAt
        self.vector = vector
        self.length = length
    }
}

/// Re-ranks exact cosine candidates into the final list: recency blend, wire-copy collapsing, optional MMR.
/// Works on the top candidates only, so it costs microseconds per list.
public struct Reranker: Sendable {
    public let options: RelevanceOptions

    public init(options: RelevanceOptions) {
        self.options = options
    }

    /// The final list of at most `k` entries for a query published at `queryDate` with vector `queryVector`.
    public func rerank(
        _ candidates: [Candidate], queryVector: SparseVector, queryDate: Int64?, queryCategory: String? = nil, k: Int
    ) -> [(candidate: Candidate, score: Double)] {
        var scored = candidates.map { candidate in
            var value = score(of: candidate, queryDate: queryDate)
            if options.categoryBoost > 0, let queryCategory, candidate.category == queryCategory { value *= 1 + options.categoryBoost }
            return (candidate, value)
        }
        scored.sort { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            if (a.0.publishedAt ?? .min) != (b.0.publishedAt ?? .min) { return (a.0.publishedAt ?? .min) > (b.0.publishedAt ?? .min) }
            return a.0.id.utf8.lexicographicallyPrecedes(b.0.id.utf8)
        }
        scored = scored.filter { $0.1 > options.minimumScore }
        if let threshold = options.dedupeThreshold {
            scored = collapseCopies(scored, queryVector: queryVector, threshold: threshold, limit: k)
        }
        if let lambda = options.mmrLambda {
            return diversify(scored, lambda: lambda, k: k)
        }
        return Array(scored.prefix(k))
    }

    /// The cosine blended with recency, measured from the query article's own date.
    func score(of candidate: Candidate, queryDate: Int64?) -> Double {
        score(cosine: candidate.cosine, publishedAt: candidate.publishedAt, queryDate: queryDate)
    }

    /// The cosine of an article published at `publishedAt` blended with recency.
    func score(cosine: Double, publishedAt: Int64?, queryDate: Int64?) -> Double {
        guard let halfLife = options.recencyHalfLifeDays, let queryDate, let date = publishedAt else { return cosine }
        let days = Double(abs(date - queryDate)) / 86_400
        let decay = pow(0.5, days / halfLife)
        return cosine * ((1 - options.recencyWeight) + options.recencyWeight * decay)
    }

    /// Of two near-identical candidates keeps the newer (then the longer) one, at the position of the better-scored
    /// of the two; optionally drops reprints of the query itself.
    func collapseCopies(
        _ scored: [(Candidate, Double)], queryVector: SparseVector, threshold: Double, limit: Int
    ) -> [(candidate: Candidate, score: Double)] {
        var kept = [(candidate: Candidate, score: Double)]()
        for (candidate, score) in scored {
            if options.hidesReprintsOfQuery, candidate.cosine >= threshold { continue }  // a copy of the query itself
            if let twin = kept.firstIndex(where: { Double($0.candidate.vector.dot(candidate.vector)) >= threshold }) {
                if Self.isBetterCopy(candidate, than: kept[twin].candidate) { kept[twin].candidate = candidate }
                continue
            }
            kept.append((candidate, score))
            // Enough for the list (and for MMR to choose from); later candidates could only replace a twin.
            if kept.count >= (options.mmrLambda == nil ? limit : limit * 2) { break }
        }
        return kept
    }

    static func isBetterCopy(_ a: Candidate, than b: Candidate) -> Bool {
        let dateA = a.publishedAt ?? .min
        let dateB = b.publishedAt ?? .min
        if dateA != dateB { return dateA > dateB }
        return a.length > b.length
    }

    /// Maximal marginal relevance over the (already collapsed) candidates.
    func diversify(_ scored: [(candidate: Candidate, score: Double)], lambda: Double, k: Int) -> [(candidate: Candidate, score: Double)] {
        var remaining = scored
        var picked = [(candidate: Candidate, score: Double)]()
        while picked.count < k, !remaining.isEmpty {
            var bestIndex = 0
            var bestValue = -Double.infinity
            for (index, item) in remaining.enumerated() {
                let redundancy = picked.map { Double($0.candidate.vector.dot(item.candidate.vector)) }.max() ?? 0
                let value = lambda * item.score - (1 - lambda) * redundancy
                if value > bestValue {
                    bestValue = value
                    bestIndex = index
                }
            }
            picked.append(remaining.remove(at: bestIndex))
        }
        return picked
    }
}
