import Vectorizer

/// The reference the engine is tested against: every pair's dot product computed directly on the sparse
/// vectors, the same tie rule, no BLAS, no tiling. Quadratic; for tests only.
public enum BruteForceSearch {
    /// The top-k of each vector among the others; zero-score pairs and `removed` rows are excluded.
    public static func topK(
        vectors: [SparseVector], tieKeys: [TieKey], k: Int, removed: Set<Int> = []
    ) -> [[ScoredMatch]] {
        tieKeys.withUnsafeBufferPointer { keys in
            vectors.indices.map { query in
                guard !removed.contains(query) else { return [] }
                var collector = TopKCollector(k: k)
                for candidate in vectors.indices where candidate != query && !removed.contains(candidate) {
                    let score = vectors[query].dot(vectors[candidate])
                    if score > 0 { collector.offer(ScoredMatch(row: Int32(candidate), score: score), tieKeys: keys) }
                }
                return collector.matches
            }
        }
    }
}
