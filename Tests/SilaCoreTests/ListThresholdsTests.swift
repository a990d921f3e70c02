import Similarity
import Store
import Testing
import Vectorizer
@testable import SilaCore

/// The reverse update's question, on vectors whose cosines to one article are set by hand: which lists can an
/// added article change.
@Suite struct ListThresholdsTests {
    /// News ranking without recency or collapsing (section preference on, no categories): lists of 2 from pools of 4.
    let builder = RelatedListBuilder(
        relevance: RelevanceOptions(dedupeThreshold: nil, recencyHalfLifeDays: nil, candidatePool: 4, categoryBoost: 0.1), k: 2)

    /// A unit vector with cosine `cosine` to the query article (term 0), the rest on a term of its own.
    func vector(cosine: Float, ownTerm: UInt32) -> SparseVector {
        SparseVector(termIDs: [0, ownTerm], weights: [cosine, (1 - cosine * cosine).squareRoot()])
    }

    /// Row 0 is the query article; rows 1–4 its pool, cosines 0.9, 0.8, 0.5, 0.4; its list the first two.
    func setUp() -> (SimilarityIndex, ListThresholds) {
        var index = SimilarityIndex(vocabularySize: 64)
        _ = index.add(SparseVector(termIDs: [0], weights: [1]), key: TieKey(publishedAt: nil, id: "query"))
        for (number, cosine) in [Float(0.9), 0.8, 0.5, 0.4].enumerated() {
            _ = index.add(vector(cosine: cosine, ownTerm: UInt32(number + 1)), key: TieKey(publishedAt: nil, id: "pool-\(number)"))
        }
        var thresholds = ListThresholds(builder: builder, rowCount: index.rowCount)
        let (list, pool) = builder.chosen(ofRow: 0, index: index, categories: [])
        #expect(list.map(\.id) == ["pool-0", "pool-1"])
        #expect(pool == PoolBound(floor: Double(Float(0.4)), edgeListed: false))
        thresholds.set(row: 0, list: list, pool: pool)
        return (index, thresholds)
    }

    func added(_ cosine: Float, _ id: String, to index: inout SimilarityIndex, _ thresholds: inout ListThresholds) -> Bool {
        let vector = vector(cosine: cosine, ownTerm: UInt32(10 + index.rowCount))
        let row = index.add(vector, key: TieKey(publishedAt: nil, id: id))
        return thresholds.rowsEntered(by: vector, publishedAt: nil, category: nil, excluding: row, in: index, categories: []).contains(0)
    }

    @Test func anArticleThatJoinsAPoolLeavesAFloorThatLaterArticlesBelowItCannotPass() {
        var (index, thresholds) = setUp()
        #expect(!added(0.6, "joins", to: &index, &thresholds), "0.6 joins the pool but not the list (last 0.8)")
        #expect(thresholds.pool(ofRow: 0) == PoolBound(floor: Double(Float(0.4)), edgeListed: nil))
        // Below the old floor it cannot join the pool: the list is not recomputed (it was, while the pool was unknown).
        #expect(!added(0.3, "below-floor", to: &index, &thresholds))
        // Above it, it may push out a last candidate nobody knows is unlisted: recomputed.
        #expect(added(0.45, "above-floor", to: &index, &thresholds))
        #expect(added(0.85, "enters", to: &index, &thresholds))
    }

    @Test func aPoolWithRoomThatAnArticleJoinsHasNoKnownFloor() {
        var index = SimilarityIndex(vocabularySize: 64)
        _ = index.add(SparseVector(termIDs: [0], weights: [1]), key: TieKey(publishedAt: nil, id: "query"))
        _ = index.add(vector(cosine: 0.9, ownTerm: 1), key: TieKey(publishedAt: nil, id: "a"))
        _ = index.add(vector(cosine: 0.8, ownTerm: 2), key: TieKey(publishedAt: nil, id: "b"))
        var thresholds = ListThresholds(builder: builder, rowCount: index.rowCount)
        let (list, pool) = builder.chosen(ofRow: 0, index: index, categories: [])
        #expect(pool == PoolBound(floor: -1, edgeListed: false))
        thresholds.set(row: 0, list: list, pool: pool)
        #expect(!added(0.3, "fills", to: &index, &thresholds))
        #expect(thresholds.pool(ofRow: 0) == .unknown)
    }

    /// A write skips a recomputed list that comes out as stored; float rounding is not a change, anything else is.
    @Test func aListThatDiffersFromTheStoredOneByRoundingOnlyCountsAsStored() {
        var thresholds = ListThresholds(builder: builder, rowCount: 2)
        let stored = [RelatedEntry(id: "a", score: 0.5), RelatedEntry(id: "b", score: 0.25)]
        thresholds.set(row: 1, list: stored, pool: .unknown)
        #expect(thresholds.isStored(stored, row: 1))
        #expect(thresholds.isStored([RelatedEntry(id: "a", score: 0.5 + 3e-7), RelatedEntry(id: "b", score: 0.25 - 2e-7)], row: 1))
        #expect(!thresholds.isStored([RelatedEntry(id: "a", score: 0.5 + 3e-6), RelatedEntry(id: "b", score: 0.25)], row: 1))
        #expect(!thresholds.isStored([RelatedEntry(id: "b", score: 0.5), RelatedEntry(id: "a", score: 0.25)], row: 1))
        #expect(!thresholds.isStored([RelatedEntry(id: "a", score: 0.5)], row: 1))
        #expect(!thresholds.isStored(stored, row: 0), "a row whose list was never set")
        thresholds.set(row: 0, list: [], pool: .unknown)
        #expect(thresholds.isStored([], row: 0))
        #expect(!thresholds.isStored([RelatedEntry(id: "a", score: 0.5)], row: 0))
    }

    @Test func removingAnArticleThatMayNotHaveBeenInAPoolLeavesItsLastCandidateUnknown() {
        var (index, thresholds) = setUp()
        #expect(!added(0.6, "joins", to: &index, &thresholds))
        // pool-3 (0.4) was pushed out by the join, but only the old floor is known: it may have been in the pool.
        let removed = index.vector(ofRow: 4)
        #expect(!thresholds.rowsLeft(by: removed, excluding: 4, in: index).contains(0), "0.4 cannot reach the list (last 0.8)")
        #expect(thresholds.pool(ofRow: 0) == .unknown, "whether the pool's last candidate is listed is still not known")
    }
}
