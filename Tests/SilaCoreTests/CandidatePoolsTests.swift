import Similarity
import TestSupport
import Testing
import Vectorizer
@testable import SilaCore

/// The candidate pools live writes keep instead of searching again: after any mix of additions (reprints among
/// them, for exact ties) and removals, every kept pool, re-scored, is what a new search of the same depth returns.
@Suite struct CandidatePoolsTests {
    /// Unit vectors over `vocabulary` terms, frequent (small) ids more likely; every 7th a copy of an earlier one.
    static func vectors(count: Int, vocabulary: Int, random: inout SeededGenerator) -> [SparseVector] {
        var made = [SparseVector]()
        for index in 0..<count {
            if index % 7 == 6 {
                made.append(made[Int.random(in: 0..<made.count, using: &random)])
                continue
            }
            var terms = Set<UInt32>()
            let size = Int.random(in: 3...14, using: &random)
            while terms.count < size {
                let u = Double.random(in: 0..<1, using: &random)
                terms.insert(UInt32(Double(vocabulary) * u * u))
            }
            let sorted = terms.sorted()
            var weights = sorted.map { _ in Float.random(in: 0.1...1, using: &random) }
            let norm = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
            weights = weights.map { $0 / norm }
            made.append(SparseVector(termIDs: sorted, weights: weights))
        }
        return made
    }

    /// Every kept pool, re-scored and ordered as a write uses it, against a new search; returns how many were checked.
    func checkPools(_ pools: CandidatePools, index: SimilarityIndex, step: Int, checkedAsKept: inout Int) -> Int {
        var checked = 0
        for row in 0..<Int32(index.rowCount) {
            guard let pool = pools.pool(ofRow: row) else { continue }
            #expect(index.isLive(row: row), "step \(step): a removed row keeps a pool")
            #expect(pool.isExhaustive || pool.matches.count >= pools.required, "step \(step), row \(row): too few candidates")
            let vector = index.vector(ofRow: row)
            let candidates = pool.matches.map(\.row)
            let rescored = zip(candidates, index.scores(of: vector, rows: candidates)).map { ScoredMatch(row: $0, score: $1) }
                .sorted(by: index.ranks)
            let searched = index.search(vector, k: pool.isExhaustive ? pools.depth : pool.matches.count, excluding: row)
            #expect(rescored == searched, "step \(step), row \(row)")
            if pool.scoredUnder == index.scoringEpoch() {
                // Used as it is by a write: its scores must be a new search's, bit for bit, in its order.
                #expect(pool.matches.map(\.row) == searched.map(\.row), "step \(step), row \(row): kept as exact")
                #expect(pool.matches.map(\.score.bitPattern) == searched.map(\.score.bitPattern), "step \(step), row \(row)")
                checkedAsKept += 1
            }
            checked += 1
        }
        return checked
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func keptPoolsStayTheExactTopCandidatesThroughAdditionsAndRemovals(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let vocabulary = 120
        // Short "long lists": as the index grows, rebuilt lists change class, and with it the bits of a score.
        var configuration = SearchConfiguration.standard
        configuration.singleQueryLongListLength = 20
        var index = SimilarityIndex(vocabularySize: vocabulary, configuration: configuration)
        var pools = CandidatePools(required: 4, slack: 3)
        let vectors = Self.vectors(count: 420, vocabulary: vocabulary, random: &random)
        func date() -> Int64 { Int64.random(in: 0...3, using: &random) * 86_400 }
        for (number, vector) in vectors.prefix(300).enumerated() { index.add(vector, key: TieKey(publishedAt: date(), id: "a\(number)")) }
        for row in 0..<Int32(index.rowCount) where row % 2 == 0 {  // half the rows keep a pool from the start
            let matches = index.search(index.vector(ofRow: row), k: pools.depth, excluding: row)
            pools.keep(
                row: row,
                CandidatePools.Pool(matches: matches, isExhaustive: matches.count < pools.depth, scoredUnder: index.scoringEpoch()))
        }
        var checked = 0
        var checkedAsKept = 0
        var next = 300
        for step in 0..<240 {
            if Bool.random(using: &random), next < vectors.count {
                let row = index.add(vectors[next], key: TieKey(publishedAt: date(), id: "a\(next)"))
                next += 1
                let index = index
                pools.added(row: row, scores: index.allScores(of: vectors[next - 1], excluding: row), ranks: index.ranks) {
                    index.scoresAndEpoch(of: index.vector(ofRow: row), rows: $0)
                }
                if step.isMultiple(of: 3) {
                    let matches = index.search(index.vector(ofRow: row), k: pools.depth, excluding: row)
                    pools.keep(
                        row: row,
                        CandidatePools.Pool(
                            matches: matches, isExhaustive: matches.count < pools.depth, scoredUnder: index.scoringEpoch()))
                }
            } else {
                let live = (0..<Int32(index.rowCount)).filter { index.isLive(row: $0) }
                let victim = live[Int.random(in: 0..<live.count, using: &random)]
                let scores = index.allScores(of: index.vector(ofRow: victim), excluding: victim)
                index.remove(id: index.tieKey(ofRow: victim).id)
                pools.removed(row: victim, scores: scores)
            }
            // Inverted lists rebuilt now and then (a new scoring epoch: the pools kept before are not exact any more).
            if step == 100 || step == 170 { index.prepareForSearch() }
            if step.isMultiple(of: 40) || step == 239 {
                checked += checkPools(pools, index: index, step: step, checkedAsKept: &checkedAsKept)
            }
        }
        #expect(checked > 400)
        #expect(checkedAsKept > 100)
    }
}
