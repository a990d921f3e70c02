import TestSupport
import Testing
import Vectorizer
@testable import Similarity

/// The single-query search (bounded walk of the inverted lists) against the brute-force reference.
@Suite struct SingleQueryTests {
    func index(_ vectors: [SparseVector], keys: [TieKey], vocabulary: Int) -> SimilarityIndex {
        makeIndex(vectors, keys: keys, vocabulary: vocabulary)
    }

    /// Vectors around 12 topics (half of each vector's terms from its topic's 30 terms, the rest Zipf-like over
    /// the vocabulary): close neighbours exist, so the bounded walk stops early, unlike on uniform noise.
    static func clustered(count: Int, vocabulary: Int, seed: UInt64) -> [SparseVector] {
        var rng = SeededGenerator(seed: seed)
        let topics = (0..<12).map { _ in (0..<30).map { _ in UInt32.random(in: 40..<UInt32(vocabulary), using: &rng) } }
        return (0..<count).map { index in
            if index % 89 == 88 { return SparseVector() }
            let topic = topics[Int.random(in: 0..<topics.count, using: &rng)]
            var terms = Set<UInt32>()
            let size = Int.random(in: 6...40, using: &rng)
            while terms.count < size {
                if Bool.random(using: &rng) {
                    terms.insert(topic.randomElement(using: &rng)!)
                } else {
                    let u = Double.random(in: 0..<1, using: &rng)
                    terms.insert(UInt32(Double(vocabulary) * u * u * u))
                }
            }
            let sorted = terms.sorted()
            // Frequent (small) ids get small weights, as idf does.
            var weights = sorted.map { Float.random(in: 0.2...1, using: &rng) * (1 + Float($0) / Float(vocabulary) * 4) }
            let norm = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
            weights = weights.map { $0 / norm }
            return SparseVector(termIDs: sorted, weights: weights)
        }
    }

    @Test(arguments: [1, 3, 10, 50, 5_000])
    func everyStoredRowEqualsBruteForce(k: Int) {
        let n = 1_200
        let vectors = Self.clustered(count: n, vocabulary: 2_000, seed: 4)
        let keys = RandomVectors.keys(count: n, seed: 4)
        let index = index(vectors, keys: keys, vocabulary: 2_000)
        for row in stride(from: 0, to: n, by: k > 50 ? 97 : 7) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: k, excluding: row)
            let actual = index.search(vectors[row], k: k, excluding: Int32(row))
            #expect(sameRanking(actual, expected), "row \(row)")
        }
    }

    @Test func uniformRandomRowsEqualBruteForce() {
        let n = 900
        let vectors = RandomVectors.make(count: n, vocabulary: 300, termsPerVector: 1...30, seed: 8, zeroEvery: 50)
        let keys = RandomVectors.keys(count: n, seed: 8)
        let index = index(vectors, keys: keys, vocabulary: 300)
        for row in stride(from: 0, to: n, by: 5) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: 10, excluding: row)
            #expect(sameRanking(index.search(vectors[row], k: 10, excluding: Int32(row)), expected), "row \(row)")
        }
    }

    @Test func queriesThatAreNotStoredEqualBruteForce() {
        let vectors = Self.clustered(count: 700, vocabulary: 1_000, seed: 5)
        let keys = RandomVectors.keys(count: 700, seed: 5)
        let index = index(vectors, keys: keys, vocabulary: 1_000)
        for query in Self.clustered(count: 60, vocabulary: 1_000, seed: 99) {
            #expect(sameRanking(index.search(query, k: 10), bruteForceQuery(query, vectors: vectors, keys: keys, k: 10)))
        }
        // The zero vector and a vector of terms outside the vocabulary have no neighbours.
        #expect(index.search(SparseVector(), k: 10).isEmpty)
        #expect(index.search(SparseVector(termIDs: [5_000, 7_000], weights: [0.6, 0.8]), k: 10).isEmpty)
        // Unsorted and repeated term ids mean the same vector as their sorted sum.
        let messy = SparseVector(termIDs: [900, 41, 900, 3], weights: [0.3, 0.5, 0.3, 0.6])
        let clean = SparseVector(termIDs: [3, 41, 900], weights: [0.6, 0.5, 0.6])
        #expect(sameRanking(index.search(messy, k: 10), bruteForceQuery(clean, vectors: vectors, keys: keys, k: 10)))
    }

    @Test func rowsAddedAfterTheListsWereBuiltAreFoundBeforeAndAfterTheRebuild() {
        let all = Self.clustered(count: 1_000, vocabulary: 800, seed: 6)
        let keys = RandomVectors.keys(count: 1_000, seed: 6)
        var index = index(Array(all[0..<500]), keys: Array(keys[0..<500]), vocabulary: 800)
        #expect(sameRanking(index.search(all[0], k: 10, excluding: 0), bruteForceQuery(all[0], vectors: Array(all[0..<500]), keys: keys, k: 10, excluding: 0)))
        // Fewer new rows than the rebuild threshold: scored one by one; then more: the lists are rebuilt.
        for count in [510, 500 + SimilarityIndex.maxUncoveredRows + 1, 1_000] {
            for row in index.rowCount..<count { index.add(all[row], key: keys[row]) }
            let stored = Array(all[0..<count])
            for row in stride(from: 0, to: count, by: 41) {
                let expected = bruteForceQuery(all[row], vectors: stored, keys: keys, k: 10, excluding: row)
                #expect(sameRanking(index.search(all[row], k: 10, excluding: Int32(row)), expected), "\(count) rows, row \(row)")
            }
            let scores = index.allScores(of: all[3], excluding: 3)
            #expect(scores.map(\.row) == (0..<count).filter { $0 != 3 && all[3].dot(all[$0]) > 0 }.map { Int32($0) })
        }
    }

    @Test func aCopyThatAddsRowsNeverChangesTheOriginal() {
        let vectors = Self.clustered(count: 400, vocabulary: 500, seed: 7)
        let keys = RandomVectors.keys(count: 400, seed: 7)
        let original = index(Array(vectors[0..<300]), keys: keys, vocabulary: 500)
        let before = original.search(vectors[350], k: 10)
        var copy = original
        for row in 300..<400 { copy.add(vectors[row], key: keys[row]) }
        // The copy builds lists for its 400 rows (more than the threshold of uncovered rows? not here: 100).
        copy.prepareForSearch()
        #expect(original.search(vectors[350], k: 10) == before)
        #expect(original.allScores(of: vectors[350]).allSatisfy { $0.row < 300 })
        #expect(sameRanking(copy.search(vectors[350], k: 10, excluding: 350), bruteForceQuery(vectors[350], vectors: vectors, keys: keys, k: 10, excluding: 350)))
        #expect(copy.searchAll(k: 5).queryCount == 400)
        #expect(original.searchAll(k: 5).queryCount == 300)
    }

    @Test func removedRowsAndTheExcludedRowAreNeverReturned() {
        let vectors = Self.clustered(count: 300, vocabulary: 400, seed: 9)
        let keys = RandomVectors.keys(count: 300, seed: 9)
        var index = index(vectors, keys: keys, vocabulary: 400)
        let removed: Set<Int> = [1, 2, 3, 10, 20, 30]
        for row in removed { index.remove(id: keys[row].id) }
        for row in stride(from: 0, to: 300, by: 11) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: 10, excluding: row, removed: removed)
            let actual = index.search(vectors[row], k: 10, excluding: Int32(row))
            #expect(sameRanking(actual, expected))
            #expect(!actual.contains { removed.contains(Int($0.row)) || Int($0.row) == row })
        }
    }

    @Test func duplicatesTieExactlyAndTheNewerThenSmallerIDRanksFirst() {
        let v = SparseVector(termIDs: [0, 3], weights: [0.6, 0.8])
        let w = SparseVector(termIDs: [3, 4], weights: [0.8, 0.6])
        let keys = [
            TieKey(publishedAt: 10, id: "q"), TieKey(publishedAt: 10, id: "b"), TieKey(publishedAt: 10, id: "a"),
            TieKey(publishedAt: 20, id: "z"), TieKey(publishedAt: nil, id: "0"), TieKey(publishedAt: 5, id: "w"),
        ]
        let index = index([v, v, v, v, v, w], keys: keys, vocabulary: 5)
        #expect(index.search(v, k: 3, excluding: 0).map(\.row) == [3, 2, 1])
        #expect(index.search(v, k: 10, excluding: 0).map(\.row) == [3, 2, 1, 4, 5])
        #expect(index.search(v, k: 0).isEmpty)
    }

    /// A reprint stored live (scored one by one, the postings not rebuilt yet) must tie exactly with its original
    /// (scored from the posting walk plus its head terms): the tie rule, not float rounding, decides their order,
    /// as in a recompute where both are covered.
    @Test func aCopyAddedAfterTheListsWereBuiltTiesExactlyWithItsOriginal() {
        let vectors = Self.clustered(count: 600, vocabulary: 700, seed: 12)
        let keys = RandomVectors.keys(count: 600, seed: 12)
        var index = index(vectors, keys: keys, vocabulary: 700)
        index.prepareForSearch()
        var ties = 0
        for original in stride(from: 0, to: 600, by: 37) {
            let copy = index.add(vectors[original], key: TieKey(publishedAt: keys[original].publishedAt, id: "copy-\(original)"))
            for query in stride(from: 5, to: 600, by: 53) where query != original {
                let scores = index.allScores(of: vectors[query], excluding: Int32(query))
                guard scores.contains(where: { $0.row == Int32(original) }) else { continue }
                let top = index.search(vectors[query], k: 1_000, excluding: Int32(query))
                let originalScore = top.first { $0.row == Int32(original) }?.score
                let copyScore = top.first { $0.row == copy }?.score
                #expect(originalScore != nil && originalScore == copyScore, "original \(original), query \(query)")
                ties += 1
            }
        }
        #expect(ties > 20)
    }

    @Test func emptyAndSingleRowIndexes() {
        let empty = SimilarityIndex(vocabularySize: 10)
        #expect(empty.search(SparseVector(termIDs: [1], weights: [1]), k: 3).isEmpty)
        #expect(empty.allScores(of: SparseVector(termIDs: [1], weights: [1])).isEmpty)
        var single = SimilarityIndex(vocabularySize: 10)
        single.add(SparseVector(termIDs: [1, 2], weights: [0.6, 0.8]), key: TieKey(publishedAt: nil, id: "x"))
        #expect(single.search(SparseVector(termIDs: [2], weights: [1]), k: 3).map(\.row) == [0])
        #expect(single.search(SparseVector(termIDs: [2], weights: [1]), k: 3, excluding: 0).isEmpty)
    }
}
