import Similarity
import Store
import Vectorizer

/// Per index row, what an article must score to change the row's stored list: the question every reverse update
/// asks (which lists can a new, edited or removed article enter or leave), for the live writes of a server and for
/// a recompute folding in the writes made while it ran.
///
/// An added article can change a full list in two ways only. It enters when its re-ranked score against the row
/// (cosine × recency from the row's date × section preference) reaches the list's last score: only then does the
/// re-ranking look at it (to keep it, or to let it replace a twin). Or it joins the candidate pool (reaches its
/// floor) and pushes the pool's last candidate out, which matters only when that candidate is listed or a listed
/// article's near-copy (`PoolBound.edgeListed`). A removed article can let
/// an unknown candidate into the pool, whose re-ranked score is at most its cosine × (1 + section preference): the
/// removal matters only when it was in the pool and its own cosine reaches the last score divided by that. A list
/// with room takes anything.
///
/// A write that changes a pool without changing its list makes the pool's bound less known; those rows are
/// collected (`drainChangedPools`) so that the store records it in the same transaction.
struct ListThresholds {
    let builder: RelatedListBuilder
    /// Last stored score per row (-infinity: the list has room).
    private var lastScore: [Float] = []
    private var pools: [PoolBound] = []
    private var changedPools = Set<Int32>()
    /// Per row, its stored list — a hash of its ids in order, and its scores (`builder.k` slots per row, NaN past
    /// its end) — so that a write skips a recomputed list that comes out as stored (most do) without reading it
    /// back from the store: 8 + 4k bytes per row.
    private var storedIDs: [Int] = []
    private var storedScores: [Float] = []
    /// Whether the pool logic applies: plain lists are their pool, and MMR keeps the conservative half floor.
    private let tracksPools: Bool

    init(builder: RelatedListBuilder, rowCount: Int = 0) {
        self.builder = builder
        tracksPools = !builder.relevance.isPlain && builder.relevance.mmrLambda == nil
        lastScore = Array(repeating: -.infinity, count: rowCount)
        pools = Array(repeating: .unknown, count: rowCount)
    }

    /// Records a row's stored list and its pool.
    mutating func set(row: Int32, list: [RelatedEntry], pool: PoolBound) {
        while lastScore.count <= Int(row) {
            lastScore.append(-.infinity)
            pools.append(.unknown)
        }
        changedPools.remove(row)
        pools[Int(row)] = pool
        let k = builder.k
        while storedIDs.count <= Int(row) {
            storedIDs.append(0)
            storedScores.append(contentsOf: repeatElement(.nan, count: k))
        }
        storedIDs[Int(row)] = list.count <= k ? Self.hashOfIDs(list) : 0
        for slot in 0..<k { storedScores[Int(row) * k + slot] = slot < list.count ? Float(list[slot].score) : .nan }
        lastScore[Int(row)] = list.count >= builder.k ? Float(list.last?.score ?? 0) : -.infinity
    }

    /// Whether `list` is the row's stored list: the same ids in the same order, and scores that differ by float
    /// rounding only (`SilaStore.scoreNoise`, as the store compares them: a list searched live sums in another
    /// order than the batch that stored it).
    func isStored(_ list: [RelatedEntry], row: Int32) -> Bool {
        let k = builder.k
        guard Int(row) < storedIDs.count, list.count <= k, storedIDs[Int(row)] == Self.hashOfIDs(list) else { return false }
        return (0..<k).allSatisfy { slot in
            let stored = storedScores[Int(row) * k + slot]
            return slot < list.count ? abs(Double(stored) - list[slot].score) <= SilaStore.scoreNoise : stored.isNaN
        }
    }

    private static func hashOfIDs(_ list: [RelatedEntry]) -> Int {
        var hasher = Hasher()
        hasher.combine(list.count)
        for entry in list { hasher.combine(entry.id) }
        return hasher.finalize()
    }

    /// The pool bound now known for a row.
    func pool(ofRow row: Int32) -> PoolBound { Int(row) < pools.count ? pools[Int(row)] : .unknown }

    /// The rows whose pool bound changed since the last call (without their list being set again).
    mutating func drainChangedPools() -> [Int32] {
        defer { changedPools.removeAll() }
        return Array(changedPools)
    }

    /// Slack for float rounding between the stored (Double) scores and the Float cosines.
    private static func reaches(_ score: Float, _ threshold: Float) -> Bool {
        score >= threshold - abs(threshold) * 1e-5 - 1e-7
    }

    /// The row's last stored score (-infinity: the list has room).
    private func lastScore(ofRow row: Int32) -> Float {
        Int(row) < lastScore.count ? lastScore[Int(row)] : -.infinity
    }

    /// Whether an article with cosine `score` is (or was) in the row's pool; nil when the pool is not known.
    private func isInPool(_ score: Float, row: Int32) -> Bool? {
        guard let floor = pool(ofRow: row).floor else { return nil }
        return floor < 0 || Self.reaches(score, Float(floor))
    }

    /// The rows whose list an added vector (published at `publishedAt`, in `category`) can change. Rows whose pool
    /// it joins without changing the list are marked (their pool's last candidate is not known any more).
    mutating func rowsEntered(
        by vector: SparseVector, publishedAt: Int64?, category: String?, excluding own: Int32?, in index: SimilarityIndex,
        categories: [String?]
    ) -> [Int32] {
        rowsEntered(
            scoring: index.allScores(of: vector, excluding: own), publishedAt: publishedAt, category: category, in: index,
            categories: categories)
    }

    /// `rowsEntered(by:…)` from the added vector's scores against every live row (`SimilarityIndex.allScores`).
    mutating func rowsEntered(
        scoring scores: [ScoredMatch], publishedAt: Int64?, category: String?, in index: SimilarityIndex, categories: [String?]
    ) -> [Int32] {
        let relevance = builder.relevance
        var rows = [Int32]()
        for match in scores {
            let row = match.row
            let last = lastScore(ofRow: row)
            if relevance.mmrLambda != nil {
                if Self.reaches(match.score, last * 0.5) { rows.append(row) }
                continue
            }
            if relevance.isPlain {
                if Self.reaches(match.score, last) { rows.append(row) }
                continue
            }
            let bound = pool(ofRow: row)
            // Pushing the pool's last candidate out: it must join the pool (reach its floor; any score when the
            // floor is not known), and the candidate must be listed or a listed article's near-copy.
            if bound.edgeListed != false, isInPool(match.score, row: row) != false {
                rows.append(row)
                continue
            }
            let rowCategory = Int(row) < categories.count ? categories[Int(row)] : nil
            let sameSection = relevance.categoryBoost > 0 && rowCategory != nil && rowCategory == category
            let rescored = builder.reranker.score(cosine: Double(match.score), publishedAt: publishedAt, queryDate: index.publishedAt(ofRow: row))
                * (sameSection ? 1 + relevance.categoryBoost : 1)
            if Self.reaches(Float(rescored), last) {
                rows.append(row)
            } else if isInPool(match.score, row: row) != false {
                // It joins the pool and leaves the list as it is: the pool's new last candidate is not known, but
                // its cosine is at least the old floor (joining only raises it), so a later article below that
                // floor still cannot join. A pool with room may fill up: its floor is not known at all.
                let joined = PoolBound(floor: bound.floor.flatMap { $0 >= 0 ? $0 : nil }, edgeListed: nil)
                if joined != bound {
                    pools[Int(row)] = joined
                    changedPools.insert(row)
                }
            }
        }
        return rows
    }

    /// The rows whose list a removed vector (an article's old text, or a deleted article) can change. Rows whose
    /// pool loses it without the list changing are marked: the candidate that takes its place cannot be listed.
    mutating func rowsLeft(by vector: SparseVector, excluding own: Int32?, in index: SimilarityIndex) -> [Int32] {
        rowsLeft(scoring: index.allScores(of: vector, excluding: own))
    }

    /// `rowsLeft(by:…)` from the removed vector's scores against every live row (`SimilarityIndex.allScores`).
    mutating func rowsLeft(scoring scores: [ScoredMatch]) -> [Int32] {
        let relevance = builder.relevance
        let divisor: Float = relevance.mmrLambda != nil ? 2 : relevance.isPlain ? 1 : Float(1 + max(0, relevance.categoryBoost))
        var rows = [Int32]()
        for match in scores {
            // Outside a known full pool it changed nothing (a listed article is always in the pool).
            let inPool = tracksPools ? isInPool(match.score, row: match.row) : nil
            if inPool != false, Self.reaches(match.score, lastScore(ofRow: match.row) / divisor) {
                rows.append(match.row)
            } else if inPool == true {
                // Its place in the pool goes to a candidate below it, which cannot reach the list. When the floor
                // is only a lower bound it may not have been in the pool at all: the last candidate stays unknown.
                let bound = pool(ofRow: match.row)
                let wasFull = (bound.floor ?? -1) >= 0
                pools[Int(match.row)] = PoolBound(floor: wasFull ? nil : -1, edgeListed: bound.edgeListed == nil ? nil : false)
                changedPools.insert(match.row)
            }
        }
        return rows
    }
}
