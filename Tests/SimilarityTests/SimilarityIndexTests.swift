import Testing
import Vectorizer
@testable import Similarity

@Suite struct SimilarityIndexTests {
    func index(_ vectors: [SparseVector], keys: [TieKey], vocabulary: Int, configuration: SearchConfiguration) -> SimilarityIndex {
        makeIndex(vectors, keys: keys, vocabulary: vocabulary, configuration: configuration)
    }

    /// Tiles that do not divide N (7 × 100 on 1,037 rows, the budget-limited automatic ones), head sizes that cover
    /// "all sparse", "some dense", "cost model", and "dense head larger than the vocabulary".
    static let configurations: [SearchConfiguration] = [
        SearchConfiguration(denseHeadTerms: 0, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 1 << 20, threads: 1),
        SearchConfiguration(denseHeadTerms: 7, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 1 << 20, threads: 2, blockRows: 7, blockColumns: 100),
        SearchConfiguration(denseHeadTerms: 64, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 256 << 20, threads: 2),
        SearchConfiguration.standard,
        SearchConfiguration(denseHeadTerms: 64, denseHeadMinDocumentFraction: 0.05, threads: 2, blockRows: 13, blockColumns: 257),
        SearchConfiguration(denseHeadTerms: 500, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 1 << 20, threads: 3, blockRows: 1, blockColumns: 1),
    ]

    @Test(arguments: configurations)
    func allPairsEqualsBruteForceOnRandomData(configuration: SearchConfiguration) {
        let n = 1_037
        let vectors = RandomVectors.make(count: n, vocabulary: 300, termsPerVector: 3...25, seed: 42, zeroEvery: 97)
        let keys = RandomVectors.keys(count: n, seed: 7)
        let index = index(vectors, keys: keys, vocabulary: 300, configuration: configuration)
        let expected = BruteForceSearch.topK(vectors: vectors, tieKeys: keys, k: 10)
        let results = index.searchAll(k: 10)
        for row in 0..<n {
            #expect(sameRanking(results.matches(ofQuery: row), expected[row]), "row \(row)")
        }
    }

    @Test func tilesAreSmallerThanAndDoNotDivideN() {
        let configuration = SearchConfiguration(denseHeadTerms: 7, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 1 << 20, threads: 2, blockRows: 7, blockColumns: 100)
        let index = index(RandomVectors.make(count: 1_037, vocabulary: 300, termsPerVector: 3...5, seed: 1),
                          keys: RandomVectors.keys(count: 1_037, seed: 1), vocabulary: 300, configuration: configuration)
        let tiling = index.allPairsTiling
        #expect(tiling == AllPairsSearch.Tiling(headTerms: 7, blockRows: 7, blockColumns: 100))
        #expect(1_037 % tiling.blockRows != 0 && 1_037 % tiling.blockColumns != 0)
        // The automatic tiles stay within the budget: the head block plus one tile per thread.
        let automatic = SearchConfiguration(denseHeadTerms: 64, denseHeadMinDocumentFraction: 0, memoryBudgetBytes: 1 << 20, threads: 2)
        let small = self.index(RandomVectors.make(count: 3_001, vocabulary: 300, termsPerVector: 3...5, seed: 1),
                               keys: RandomVectors.keys(count: 3_001, seed: 1), vocabulary: 300, configuration: automatic)
        let auto = small.allPairsTiling
        #expect(3_001 * auto.headTerms * 4 + 2 * auto.blockRows * auto.blockColumns * 4 <= 1 << 20)
        #expect(auto.headTerms > 0 && auto.blockRows >= 1)
    }

    @Test func theCostModelKeepsOnlyFrequentTermsDense() {
        // Term t of 0..<8 is in every row with t < 4, in a tenth of them otherwise.
        let vectors = (0..<200).map { row in
            let terms: [UInt32] = [0, 1, 2, 3] + (row % 10 == 0 ? [4, 5, 6, 7] : [])
            return SparseVector(termIDs: terms, weights: terms.map { _ in 0.5 })
        }
        let configuration = SearchConfiguration(denseHeadTerms: 64, denseHeadMinDocumentFraction: 0.5)
        let index = index(vectors, keys: RandomVectors.keys(count: 200, seed: 2), vocabulary: 8, configuration: configuration)
        #expect(index.allPairsTiling.headTerms == 4)
    }

    @Test func searchOneEqualsTheAllPairsRow() {
        let vectors = RandomVectors.make(count: 400, vocabulary: 200, termsPerVector: 2...20, seed: 3)
        let keys = RandomVectors.keys(count: 400, seed: 3)
        let index = index(vectors, keys: keys, vocabulary: 200, configuration: .standard)
        let all = index.searchAll(k: 5)
        for row in stride(from: 0, to: 400, by: 37) {
            // sgemv (one query) and sgemm (a block) may round the last bit differently.
            #expect(sameRanking(index.search(vectors[row], k: 5, excluding: Int32(row)), all.matches(ofQuery: row)))
        }
    }

    @Test func kLargerThanNReturnsEveryOtherRowWithAPositiveScore() {
        let vectors = RandomVectors.make(count: 6, vocabulary: 4, termsPerVector: 2...3, seed: 9)
        let keys = RandomVectors.keys(count: 6, seed: 9)
        let index = index(vectors, keys: keys, vocabulary: 4, configuration: .standard)
        let expected = BruteForceSearch.topK(vectors: vectors, tieKeys: keys, k: 50)
        let results = index.searchAll(k: 50)
        for row in 0..<6 {
            #expect(sameRanking(results.matches(ofQuery: row), expected[row]))
            #expect(results.matches(ofQuery: row).count == expected[row].count)
        }
    }

    @Test func emptyAndSingleRowIndexesAnswerEmptyLists() {
        let empty = SimilarityIndex(vocabularySize: 10)
        #expect(empty.searchAll(k: 10).queryCount == 0)
        #expect(empty.search(SparseVector(termIDs: [1], weights: [1]), k: 3).isEmpty)
        var single = SimilarityIndex(vocabularySize: 10)
        single.add(SparseVector(termIDs: [1, 2], weights: [0.6, 0.8]), key: TieKey(publishedAt: nil, id: "x"))
        #expect(single.searchAll(k: 10).matches(ofQuery: 0).isEmpty)
    }

    @Test func zeroVectorsHaveNoNeighboursAndAreNobodysNeighbour() {
        let vectors = [
            SparseVector(termIDs: [0, 1], weights: [0.6, 0.8]), SparseVector(),
            SparseVector(termIDs: [0, 1], weights: [0.8, 0.6]),
        ]
        let index = index(vectors, keys: RandomVectors.keys(count: 3, seed: 1), vocabulary: 2, configuration: .standard)
        let results = index.searchAll(k: 5)
        #expect(results.matches(ofQuery: 1).isEmpty)
        #expect(results.matches(ofQuery: 0).map(\.row) == [2])
        #expect(results.matches(ofQuery: 2).map(\.row) == [0])
    }

    @Test func duplicateVectorsTieExactlyAndTheNewerThenSmallerIDRanksFirst() {
        let v = SparseVector(termIDs: [0, 3], weights: [0.6, 0.8])
        let keys = [
            TieKey(publishedAt: 10, id: "q"), TieKey(publishedAt: 10, id: "b"), TieKey(publishedAt: 10, id: "a"),
            TieKey(publishedAt: 20, id: "z"),
        ]
        let index = index([v, v, v, v], keys: keys, vocabulary: 5, configuration: .standard)
        let list = index.searchAll(k: 3).matches(ofQuery: 0)
        #expect(list.map(\.row) == [3, 2, 1])
        #expect(Set(list.map(\.score)).count == 1)
    }

    @Test func removedRowsAreNeverReturnedAndAddingTheSameIDReplacesIt() {
        let vectors = RandomVectors.make(count: 50, vocabulary: 30, termsPerVector: 3...8, seed: 5)
        let keys = RandomVectors.keys(count: 50, seed: 5)
        var index = index(vectors, keys: keys, vocabulary: 30, configuration: .standard)
        index.remove(id: keys[10].id)
        let replacement = index.add(vectors[20], key: keys[20])
        #expect(index.liveCount == 49)
        let results = index.searchAll(k: 49)
        for row in 0..<index.rowCount {
            #expect(!results.matches(ofQuery: row).contains { $0.row == 10 || $0.row == 20 })
        }
        #expect(results.matches(ofQuery: 10).isEmpty)
        #expect(index.row(ofID: keys[20].id) == replacement)
        // Row 50 is the re-added copy of row 20.
        let expected = BruteForceSearch.topK(vectors: vectors + [vectors[20]], tieKeys: keys + [keys[20]], k: 49, removed: [10, 20])
        #expect(sameRanking(results.matches(ofQuery: 0), expected[0]))
    }

    /// A write the store refused is undone in the index: the replaced or removed row answers again, the new one not.
    @Test func reinstatingARowUndoesAReplacementAndARemoval() {
        let vectors = RandomVectors.make(count: 40, vocabulary: 30, termsPerVector: 3...8, seed: 8)
        let keys = RandomVectors.keys(count: 40, seed: 8)
        var index = index(vectors, keys: keys, vocabulary: 30, configuration: .standard)
        let before = (0..<40).map { index.search(vectors[$0], k: 10, excluding: Int32($0)) }
        let replacement = index.add(vectors[3], key: keys[7])  // row 7's id with another text
        index.remove(id: keys[7].id)
        index.reinstate(row: 7)
        index.remove(id: keys[12].id)
        index.reinstate(row: 12)
        #expect(index.row(ofID: keys[7].id) == 7)
        #expect(index.liveCount == 40)
        #expect(!index.isLive(row: replacement))
        for row in 0..<40 { #expect(sameRanking(index.search(vectors[row], k: 10, excluding: Int32(row)), before[row])) }
    }

    @Test func allScoresListsEveryLiveRowWithAPositiveScore() {
        let vectors = RandomVectors.make(count: 80, vocabulary: 40, termsPerVector: 2...6, seed: 11)
        let keys = RandomVectors.keys(count: 80, seed: 11)
        let index = index(vectors, keys: keys, vocabulary: 40, configuration: .standard)
        let scores = index.allScores(of: vectors[0], excluding: 0)
        let expected = (1..<80).filter { vectors[0].dot(vectors[$0]) > 0 }
        #expect(scores.map { Int($0.row) } == expected)
        for match in scores { #expect(abs(match.score - vectors[0].dot(vectors[Int(match.row)])) < 1e-5) }
    }
}


/// Kept scores stay usable across rebuilds of the inverted lists as long as a search sums a row in the same order:
/// the scoring epoch changes only when a list changes class (long or not), which changes that order.
@Suite struct ScoringEpochTests {
    @Test func theEpochSurvivesRebuildsThatKeepEveryListsClassAndChangesWhenOneCrosses() {
        var configuration = SearchConfiguration.standard
        configuration.singleQueryLongListLength = 5
        var index = SimilarityIndex(vocabularySize: 100, configuration: configuration)
        func vector(_ term: UInt32) -> SparseVector { SparseVector(termIDs: [term], weights: [1]) }
        // Terms past the bound's head (64): term 70 has a long list (6 rows), term 80 a short one (3 rows).
        for number in 0..<6 { index.add(vector(70), key: TieKey(publishedAt: 0, id: "long-\(number)")) }
        for number in 0..<3 { index.add(vector(80), key: TieKey(publishedAt: 0, id: "short-\(number)")) }
        index.prepareForSearch()
        let first = index.scoringEpoch()
        index.add(vector(70), key: TieKey(publishedAt: 0, id: "long-6"))  // still long
        index.add(vector(90), key: TieKey(publishedAt: 0, id: "other"))  // a new short list
        index.prepareForSearch()
        #expect(index.scoringEpoch() == first, "no list changed class")
        index.add(vector(80), key: TieKey(publishedAt: 0, id: "short-3"))
        index.add(vector(80), key: TieKey(publishedAt: 0, id: "short-4"))  // term 80 reaches 5: long now
        index.prepareForSearch()
        #expect(index.scoringEpoch() != first, "term 80's list became long")
    }
}
