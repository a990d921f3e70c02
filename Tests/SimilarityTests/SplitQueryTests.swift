import Dispatch
import TestSupport
import Testing
import Vectorizer
@testable import Similarity

/// The single query split across two threads (`QueryHelper`), forced on every query (minimum work 0), against the
/// brute-force reference and against the same index queried on one thread.
@Suite struct SplitQueryTests {
    static let split: SearchConfiguration = {
        var configuration = SearchConfiguration(threads: 2)
        configuration.singleQueryParallelMinimumWork = 0
        return configuration
    }()
    static let oneThread = SearchConfiguration(threads: 1)

    func index(_ vectors: [SparseVector], keys: [TieKey], vocabulary: Int, configuration: SearchConfiguration = split)
        -> SimilarityIndex
    {
        makeIndex(vectors, keys: keys, vocabulary: vocabulary, configuration: configuration)
    }

    @Test(arguments: [1, 10, 50, 5_000])
    func splitQueriesEqualBruteForceAndTheOneThreadQuery(k: Int) {
        let n = 1_001  // odd: the halves differ in size and neither is a multiple of 4
        let vectors = SingleQueryTests.clustered(count: n, vocabulary: 1_500, seed: 21)
        let keys = RandomVectors.keys(count: n, seed: 21)
        let split = index(vectors, keys: keys, vocabulary: 1_500)
        let single = index(vectors, keys: keys, vocabulary: 1_500, configuration: Self.oneThread)
        for row in stride(from: 0, to: n, by: k > 50 ? 61 : 9) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: k, excluding: row)
            let actual = split.search(vectors[row], k: k, excluding: Int32(row))
            #expect(sameRanking(actual, expected), "row \(row)")
            #expect(actual == single.search(vectors[row], k: k, excluding: Int32(row)), "row \(row)")
        }
    }

    @Test func uniformRandomRowsAndQueriesThatAreNotStored() {
        let n = 700
        let vectors = RandomVectors.make(count: n, vocabulary: 250, termsPerVector: 1...30, seed: 22, zeroEvery: 40)
        let keys = RandomVectors.keys(count: n, seed: 22)
        let index = index(vectors, keys: keys, vocabulary: 250)
        for row in stride(from: 0, to: n, by: 7) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: 10, excluding: row)
            #expect(sameRanking(index.search(vectors[row], k: 10, excluding: Int32(row)), expected), "row \(row)")
        }
        for query in RandomVectors.make(count: 40, vocabulary: 250, termsPerVector: 1...20, seed: 23) {
            #expect(sameRanking(index.search(query, k: 10), bruteForceQuery(query, vectors: vectors, keys: keys, k: 10)))
        }
        #expect(index.search(SparseVector(), k: 10).isEmpty)
        #expect(index.search(SparseVector(termIDs: [900], weights: [1]), k: 10).isEmpty)
    }

    @Test func kLargerThanNAndTinyIndexes() {
        for n in [0, 1, 2, 3, 5] {
            let vectors = RandomVectors.make(count: n, vocabulary: 8, termsPerVector: 1...4, seed: UInt64(30 + n))
            let keys = RandomVectors.keys(count: n, seed: UInt64(30 + n))
            let index = index(vectors, keys: keys, vocabulary: 8)
            let query = SparseVector(termIDs: [0, 2, 5, 7], weights: [0.5, 0.5, 0.5, 0.5])
            #expect(sameRanking(index.search(query, k: 50), bruteForceQuery(query, vectors: vectors, keys: keys, k: 50)), "n \(n)")
            for row in 0..<n {
                let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: 50, excluding: row)
                #expect(sameRanking(index.search(vectors[row], k: 50, excluding: Int32(row)), expected), "n \(n) row \(row)")
            }
        }
    }

    @Test func zeroVectorsDuplicatesAndTies() {
        let v = SparseVector(termIDs: [0, 3], weights: [0.6, 0.8])
        let w = SparseVector(termIDs: [3, 4], weights: [0.8, 0.6])
        let keys = [
            TieKey(publishedAt: 10, id: "q"), TieKey(publishedAt: 10, id: "b"), TieKey(publishedAt: 99, id: "zero"),
            TieKey(publishedAt: 10, id: "a"), TieKey(publishedAt: 20, id: "z"), TieKey(publishedAt: nil, id: "0"),
            TieKey(publishedAt: 5, id: "w"), TieKey(publishedAt: 99, id: "zero2"),
        ]
        let index = index([v, v, SparseVector(), v, v, v, w, SparseVector()], keys: keys, vocabulary: 5)
        #expect(index.search(v, k: 3, excluding: 0).map(\.row) == [4, 3, 1])
        #expect(index.search(v, k: 10, excluding: 0).map(\.row) == [4, 3, 1, 5, 6])
        #expect(index.search(SparseVector(), k: 10).isEmpty)
        #expect(index.search(v, k: 0).isEmpty)
    }

    @Test func removedRowsAndRowsAddedAfterTheListsWereBuilt() {
        let all = SingleQueryTests.clustered(count: 900, vocabulary: 700, seed: 24)
        let keys = RandomVectors.keys(count: 900, seed: 24)
        var index = index(Array(all[0..<400]), keys: Array(keys[0..<400]), vocabulary: 700)
        index.prepareForSearch()
        var removed: Set<Int> = []
        for count in [430, 400 + SimilarityIndex.maxUncoveredRows + 5, 900] {
            for row in index.rowCount..<count { index.add(all[row], key: keys[row]) }
            for row in stride(from: 3, to: count, by: 97) where !removed.contains(row) {
                index.remove(id: keys[row].id)
                removed.insert(row)
            }
            let stored = Array(all[0..<count])
            for row in stride(from: 0, to: count, by: 23) {
                let expected = bruteForceQuery(all[row], vectors: stored, keys: keys, k: 10, excluding: row, removed: removed)
                let actual = index.search(all[row], k: 10, excluding: Int32(row))
                #expect(sameRanking(actual, expected), "\(count) rows, row \(row)")
                #expect(!actual.contains { removed.contains(Int($0.row)) })
            }
        }
    }

    @Test func concurrentQueriesShareTheHelperAndStayExact() {
        let n = 800
        let vectors = SingleQueryTests.clustered(count: n, vocabulary: 1_000, seed: 25)
        let keys = RandomVectors.keys(count: n, seed: 25)
        let index = index(vectors, keys: keys, vocabulary: 1_000)
        let expected = (0..<n).map { bruteForceQuery(vectors[$0], vectors: vectors, keys: keys, k: 10, excluding: $0) }
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for row in stride(from: worker, to: n, by: 4) {
                if !sameRanking(index.search(vectors[row], k: 10, excluding: Int32(row)), expected[row]) { failures.add() }
            }
        }
        #expect(failures.value == 0)
    }
}

private final class FailureCounter: @unchecked Sendable {
    private let lock = NSLockLike()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// The blocked posting walk (long lists walked `scatterBlockRows` rows at a time), forced with tiny blocks.
@Suite struct BlockedWalkTests {
    /// 1,000 clustered vectors over 300 terms, their tie keys and their rows.
    static func corpus(seed: UInt64) -> (vectors: [SparseVector], keys: [TieKey], rows: SparseRows) {
        let vectors = SingleQueryTests.clustered(count: 1_000, vocabulary: 300, seed: seed)
        var rows = SparseRows(vocabularySize: 300)
        for vector in vectors { rows.append(vector) }
        return (vectors, RandomVectors.keys(count: 1_000, seed: seed), rows)
    }

    /// The corpus with a copy of every `copyEvery`-th row appended after the inverted lists were built (rows the
    /// lists do not cover), and a query over all of it with the given blocks and long-list length.
    static func queryWithUncoveredCopies(seed: UInt64, copyEvery: Int, blockRows: Int, listLength: Int)
        -> (query: SingleQuery, vectors: [SparseVector], originals: [Int])
    {
        var (vectors, keys, rows) = corpus(seed: seed)
        let postings = TermPostings(rows, longListLength: listLength)
        let originals = Array(stride(from: 0, to: vectors.count, by: copyEvery))
        for original in originals {
            rows.append(vectors[original])
            vectors.append(vectors[original])
            keys.append(TieKey(publishedAt: keys[original].publishedAt, id: "copy-\(original)"))
        }
        var query = SingleQuery(rows: rows, postings: postings, tieKeys: keys, isRemoved: [Bool](repeating: false, count: rows.rowCount))
        query.scatterBlockRows = blockRows
        return (query, vectors, originals)
    }

    @Test(arguments: [(5, 1), (64, 8), (333, 40)])
    func blockedWalkEqualsBruteForce(blockRows: Int, listLength: Int) {
        let (vectors, keys, rows) = Self.corpus(seed: 26)
        let n = vectors.count
        var isRemoved = [Bool](repeating: false, count: n)
        for row in stride(from: 2, to: n, by: 31) { isRemoved[row] = true }
        let removed = Set((0..<n).filter { isRemoved[$0] })
        var query = SingleQuery(
            rows: rows, postings: TermPostings(rows, longListLength: listLength), tieKeys: keys, isRemoved: isRemoved)
        query.scatterBlockRows = blockRows
        for row in stride(from: 0, to: n, by: 13) {
            let expected = bruteForceQuery(vectors[row], vectors: vectors, keys: keys, k: 10, excluding: row, removed: removed)
            #expect(sameRanking(query.search(vectors[row], k: 10, excluding: Int32(row)), expected), "row \(row)")
        }
    }

    /// Copies appended after the inverted lists were built are scored one by one; with short and long lists and
    /// blocks they must still score bit-equal to their originals (the walk order, see `SingleQuery`).
    @Test(arguments: [(64, 30), (333, 50)])
    func copiesTheListsDoNotCoverScoreExactlyAsTheirOriginals(blockRows: Int, listLength: Int) {
        let (query, vectors, originals) = Self.queryWithUncoveredCopies(seed: 27, copyEvery: 13, blockRows: blockRows, listLength: listLength)
        let n = vectors.count - originals.count
        var compared = 0
        for queryRow in stride(from: 3, to: n, by: 7) {
            let scores = Dictionary(uniqueKeysWithValues: query.search(vectors[queryRow], k: vectors.count, excluding: Int32(queryRow)).map { ($0.row, $0.score) })
            for (offset, original) in originals.enumerated() where original != queryRow {
                guard let score = scores[Int32(original)] else { continue }
                #expect(scores[Int32(n + offset)] == score, "original \(original), query \(queryRow)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    /// Candidates kept from a search are re-scored (`scores(of:rows:)`) instead of searched again: the scores must be
    /// the search's own, bit for bit — rows the lists cover and rows they do not, short and long lists — and the
    /// same whichever of the two articles is the query (a write scores a new article against many pools at once).
    @Test(arguments: [(64, 30), (333, 50), (8_192, 512)])
    func reScoredCandidatesEqualTheSearchsScoresBitForBitEitherWayRound(blockRows: Int, listLength: Int) {
        let (query, vectors, originals) = Self.queryWithUncoveredCopies(seed: 28, copyEvery: 17, blockRows: blockRows, listLength: listLength)
        let n = vectors.count - originals.count
        var compared = 0
        for queryRow in stride(from: 1, to: n, by: 11) {
            let found = query.search(vectors[queryRow], k: 80, excluding: Int32(queryRow))
            let rescored = query.scores(of: vectors[queryRow], rows: found.map(\.row))
            #expect(rescored == found.map(\.score), "query \(queryRow)")
            for match in found.prefix(20) {
                #expect(query.scores(of: vectors[Int(match.row)], rows: [Int32(queryRow)]) == [match.score], "pair \(queryRow), \(match.row)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }
}
