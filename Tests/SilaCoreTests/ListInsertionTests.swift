import Similarity
import Store
import Testing
import Vectorizer
@testable import SilaCore

/// Working out a list from the stored one when a new article joins its candidate pool (`listAfterJoining`): equal
/// to searching again whenever it answers, and refusing whenever the stored list and pool bound cannot tell.
@Suite struct ListInsertionTests {
    /// Full recency decay with a one-day half-life, lists of 2 from pools of 4, no collapsing.
    let builder = RelatedListBuilder(
        relevance: RelevanceOptions(
            dedupeThreshold: nil, recencyHalfLifeDays: 1, recencyWeight: 1, candidatePool: 4, categoryBoost: 0.1),
        k: 2)
    let day: Int64 = 86_400
    let now: Int64 = 1_750_000_000

    /// A unit vector with cosine `cosine` to the query article (term 0), the rest on a term of its own.
    func vector(cosine: Float, ownTerm: UInt32) -> SparseVector {
        SparseVector(termIDs: [0, ownTerm], weights: [cosine, (1 - cosine * cosine).squareRoot()])
    }

    func add(_ index: inout SimilarityIndex, _ id: String, cosine: Float, daysOld: Int64) -> Int32 {
        index.add(vector(cosine: cosine, ownTerm: UInt32(1 + index.rowCount)), key: TieKey(publishedAt: now - daysOld * day, id: id))
    }

    /// Row 0 is the query article (today). Its pool: a 0.9 ten days old, b 0.8 today, c 0.7 a day old, d 0.4 five
    /// days old (the pool's last, not listed); its list [b, c].
    func setUp() -> (SimilarityIndex, [RelatedEntry], PoolBound) {
        var index = SimilarityIndex(vocabularySize: 64)
        _ = index.add(SparseVector(termIDs: [0], weights: [1]), key: TieKey(publishedAt: now, id: "query"))
        _ = add(&index, "a", cosine: 0.9, daysOld: 10)
        _ = add(&index, "b", cosine: 0.8, daysOld: 0)
        _ = add(&index, "c", cosine: 0.7, daysOld: 1)
        _ = add(&index, "d", cosine: 0.4, daysOld: 5)
        let (list, pool) = builder.chosen(ofRow: 0, index: index, categories: [])
        #expect(list.map(\.id) == ["b", "c"])
        #expect(pool == PoolBound(floor: Double(Float(0.4)), edgeListed: false))
        return (index, list, pool)
    }

    @Test func anArticleThatJoinsThePoolIsPutInItsPlaceAsASearchWould() {
        var (index, list, pool) = setUp()
        let added = add(&index, "e", cosine: 0.75, daysOld: 0)
        let inserted = builder.listAfterJoining(row: 0, added: added, stored: list, pool: pool, index: index, categories: [])
        let searched = builder.chosen(ofRow: 0, index: index, categories: [])
        #expect(inserted?.entries == searched.entries)
        #expect(inserted?.entries.map(\.id) == ["b", "e"])
        #expect(inserted?.pool == PoolBound(floor: Double(Float(0.4)), edgeListed: nil), "the pool's new last candidate is not known")
        // One that joins but ranks below the list leaves it as it is.
        let below = add(&index, "old", cosine: 0.85, daysOld: 9)
        let (after, _) = builder.chosen(ofRow: 0, index: index, categories: [])
        #expect(builder.listAfterJoining(row: 0, added: below, stored: searched.entries, pool: searched.pool, index: index, categories: [])?.entries == after)
    }

    @Test func anArticleBelowThePoolsFloorIsRefusedEvenWhenItsRecencyOutscoresTheList() {
        var (index, list, pool) = setUp()
        // 0.35 today re-ranks above c (0.7 halved), but the pool's 4 best cosines keep it out.
        let added = add(&index, "late", cosine: 0.35, daysOld: 0)
        #expect(builder.listAfterJoining(row: 0, added: added, stored: list, pool: pool, index: index, categories: []) == nil)
        #expect(builder.chosen(ofRow: 0, index: index, categories: []).entries == list)
    }

    @Test func aPoolWhoseLastCandidateIsNotKnownIsSearched() {
        var (index, list, _) = setUp()
        // After "j" (0.6, ten days old) joined, the floor is known only to be at least 0.4; it is 0.6 in fact.
        _ = add(&index, "j", cosine: 0.6, daysOld: 10)
        let added = add(&index, "y", cosine: 0.5, daysOld: 0)
        let lowerBound = PoolBound(floor: Double(Float(0.4)), edgeListed: nil)
        #expect(builder.listAfterJoining(row: 0, added: added, stored: list, pool: lowerBound, index: index, categories: []) == nil)
        #expect(builder.chosen(ofRow: 0, index: index, categories: []).entries == list, "y is outside the pool: the list is unchanged")
    }
}
