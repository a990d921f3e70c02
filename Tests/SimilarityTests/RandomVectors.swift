@testable import Similarity
import TestSupport
import Vectorizer

enum RandomVectors {
    /// `count` L2-normalized sparse vectors over `vocabulary` terms; low term ids are more frequent (like a
    /// vocabulary ordered by document frequency). Every `zeroEvery`-th vector is the zero vector.
    static func make(count: Int, vocabulary: Int, termsPerVector: ClosedRange<Int>, seed: UInt64, zeroEvery: Int = 0)
        -> [SparseVector]
    {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            if zeroEvery > 0, index % zeroEvery == zeroEvery - 1 { return SparseVector() }
            let n = Int.random(in: termsPerVector, using: &rng)
            var terms = Set<UInt32>()
            while terms.count < min(n, vocabulary) {
                // Squaring a uniform draw skews towards small ids: a cheap Zipf-like head.
                let u = Double.random(in: 0..<1, using: &rng)
                terms.insert(UInt32(Double(vocabulary) * u * u))
            }
            let sorted = terms.sorted()
            var weights = sorted.map { _ in Float.random(in: 0.05...1, using: &rng) }
            let norm = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
            weights = weights.map { $0 / norm }
            return SparseVector(termIDs: sorted, weights: weights)
        }
    }

    static func keys(count: Int, seed: UInt64) -> [TieKey] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { TieKey(publishedAt: Int64.random(in: 0...5, using: &rng) * 86_400, id: String(format: "a%05d", $0)) }
    }
}

/// Asserts that two best-first lists hold the same ids in the same order, except where scores tie within
/// `tieTolerance` (float summation order differs between BLAS and the reference), and equal scores within 1e-5.
func sameRanking(_ actual: [ScoredMatch], _ expected: [ScoredMatch], tieTolerance: Float = 1e-6) -> Bool {
    guard actual.count == expected.count else { return false }
    for (a, e) in zip(actual, expected) {
        guard abs(a.score - e.score) <= 1e-5 else { return false }
        if a.row != e.row {
            guard expected.contains(where: { $0.row == a.row && abs($0.score - a.score) <= tieTolerance + 1e-6 }),
                abs(a.score - e.score) <= tieTolerance
            else { return false }
        }
    }
    return true
}

/// An index of `vectors` under `keys`, rows in order.
func makeIndex(
    _ vectors: [SparseVector], keys: [TieKey], vocabulary: Int, configuration: SearchConfiguration = .standard
) -> SimilarityIndex {
    var index = SimilarityIndex(vocabularySize: vocabulary, configuration: configuration)
    for (vector, key) in zip(vectors, keys) { index.add(vector, key: key) }
    return index
}

/// The reference for one query: every stored vector's dot product, the same tie rule.
func bruteForceQuery(
    _ query: SparseVector, vectors: [SparseVector], keys: [TieKey], k: Int, excluding: Int? = nil, removed: Set<Int> = []
) -> [ScoredMatch] {
    keys.withUnsafeBufferPointer { buffer in
        var collector = TopKCollector(k: k)
        for row in vectors.indices where row != excluding && !removed.contains(row) {
            let score = query.dot(vectors[row])
            if score > 0 { collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: buffer) }
        }
        return collector.matches
    }
}
