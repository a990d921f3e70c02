import Similarity
import Store
import Vectorizer

/// Turns exact cosine neighbours from the similarity index into a final «شاهد أيضاً» list: the plain top-k, or
/// the top candidate pool re-ranked for news (`Reranker`). The batch recompute and the live updates share it, so
/// a list is the same whichever path computed it.
public struct RelatedListBuilder: Sendable {
    public let relevance: RelevanceOptions
    public let k: Int
    let reranker: Reranker

    public init(relevance: RelevanceOptions, k: Int) {
        self.relevance = relevance
        self.k = k
        reranker = Reranker(options: relevance)
    }

    /// How many exact neighbours to fetch per query.
    public var poolSize: Int { relevance.isPlain ? k : max(k, relevance.candidatePool) }

    /// The final list from the exact neighbours of a query (best first, at least `poolSize` of them when they exist).
    /// - Parameter categories: category per index row (for the same-section preference).
    public func list(
        from matches: [ScoredMatch], queryVector: SparseVector, queryDate: Int64?, queryCategory: String?,
        index: SimilarityIndex, categories: [String?]
    ) -> [RelatedEntry] {
        guard !relevance.isPlain else {
            return matches.prefix(k).map { RelatedEntry(id: index.tieKey(ofRow: $0.row).id, score: Double($0.score)) }
        }
        let candidates = matches.map { match in
            let key = index.tieKey(ofRow: match.row)
            let vector = index.vector(ofRow: match.row)
            return Candidate(
                id: key.id, cosine: Double(match.score), publishedAt: key.publishedAt, vector: vector, length: vector.nonZeroCount,
                category: Int(match.row) < categories.count ? categories[Int(match.row)] : nil)
        }
        return reranker.rerank(candidates, queryVector: queryVector, queryDate: queryDate, queryCategory: queryCategory, k: k).map {
            RelatedEntry(id: $0.candidate.id, score: $0.score)
        }
    }

    /// The final list of a stored row, searched now.
    public func list(ofRow row: Int32, index: SimilarityIndex, categories: [String?]) -> [RelatedEntry] {
        chosen(ofRow: row, index: index, categories: categories).entries
    }

    /// The final list of a stored row, searched now, with what the reverse update needs to know of its pool.
    func chosen(ofRow row: Int32, index: SimilarityIndex, categories: [String?]) -> (entries: [RelatedEntry], pool: PoolBound) {
        let vector = index.vector(ofRow: row)
        return chosen(
            ofRow: row, vector: vector, from: index.search(vector, k: poolSize, excluding: row), index: index, categories: categories)
    }

    /// The final list of a stored row (its `vector`) from its exact neighbours (best first; the first `poolSize`
    /// are used), with its pool bound.
    func chosen(
        ofRow row: Int32, vector: SparseVector, from neighbours: [ScoredMatch], index: SimilarityIndex, categories: [String?]
    ) -> (entries: [RelatedEntry], pool: PoolBound) {
        let matches = Array(neighbours.prefix(poolSize))
        let entries = list(
            from: matches, queryVector: vector, queryDate: index.tieKey(ofRow: row).publishedAt,
            queryCategory: Int(row) < categories.count ? categories[Int(row)] : nil, index: index, categories: categories)
        return (entries, poolBound(of: matches, list: entries, index: index))
    }

    /// The pool bound of a list chosen from `matches` (the exact neighbours, best first). The pool's last candidate
    /// counts as listed when it is, and also when a listed article is its near-copy: collapsing may show one copy in
    /// the other's place, so removing either can change the list.
    func poolBound(of matches: [ScoredMatch], list: [RelatedEntry], index: SimilarityIndex) -> PoolBound {
        guard matches.count >= poolSize, let edge = matches.last else { return PoolBound(floor: -1, edgeListed: false) }
        let edgeID = index.tieKey(ofRow: edge.row).id
        var listed = list.contains { $0.id == edgeID }
        if !listed, let threshold = relevance.dedupeThreshold {
            let edgeVector = index.vector(ofRow: edge.row)
            listed = list.contains { entry in
                guard let row = index.row(ofID: entry.id) else { return true }
                return Double(edgeVector.dot(index.vector(ofRow: row))) >= threshold - 1e-6
            }
        }
        return PoolBound(floor: Double(edge.score), edgeListed: listed)
    }
}
