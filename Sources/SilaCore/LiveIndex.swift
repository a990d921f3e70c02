import ArabicText
import Foundation
import Similarity
import Store
import Vectorizer

/// The in-memory similarity index of the current model, kept in step with the store by live writes.
///
/// Serves what stored lists cannot: lists for text that is not stored (cold start), and the reverse update of a
/// PUT or DELETE (which other articles' lists a new article enters, or must be refilled without it). Lists are
/// built with the settings of the last recompute (`ListSettings`), so a live update gives the list a recompute
/// would. Writes are serialized by a lock; reads of stored lists never come here.
///
/// Memory: the vectors and inverted lists of the index, plus the candidate pools live writes keep (`CandidatePools`:
/// about 0.5 KB per row a write searched, at most 131,072 rows).
public final class LiveIndex: @unchecked Sendable {
    public let store: SilaStore
    public let model: TFIDFModel
    public let analyzer: Analyzer
    public let builder: RelatedListBuilder
    private var index: SimilarityIndex
    /// Per row: what an article must score to take part in the row's stored list.
    private var thresholds: ListThresholds
    /// The store's generation this index was loaded at: a write is refused once another recompute swapped in.
    private let generation: StoreGeneration
    /// Per row: category, for the same-section preference.
    private var categories: [String?]
    /// Per row a write searched (or a warm-up filled): its exact best candidates, kept exact by later writes.
    private var candidatePools: CandidatePools
    /// The running pool warm-up, and the writes made since it took its copy of the index.
    private var warmUp: (id: Int, changes: [PoolChange])?
    private var warmUps = 0
    private let lock = NSLock()

    /// Stored list length.
    public var k: Int { builder.k }

    /// Loads the current model, its vectors and the list settings. Returns nil when the database has no model yet.
    public static func load(store: SilaStore, search: SearchConfiguration = .standard) throws -> LiveIndex? {
        // Read first: a swap after it makes this index's writes fail (and it reload), never go through stale.
        let generation = try store.generation()
        guard let stored = try store.currentModel() else { return nil }
        let model = try stored.decoded(storePath: store.path)
        return try LiveIndex(store: store, model: model, generation: generation, search: search)
    }

    init(store: SilaStore, model: TFIDFModel, generation: StoreGeneration, search: SearchConfiguration) throws {
        self.store = store
        self.model = model
        self.generation = generation
        analyzer = try model.makeAnalyzer()
        let settings = try store.setting(ListSettings.settingKey).flatMap {
            try? JSONDecoder().decode(ListSettings.self, from: Data($0.utf8))
        } ?? ListSettings(k: 10, relevance: .standard)
        builder = RelatedListBuilder(relevance: settings.relevance, k: settings.k)
        candidatePools = CandidatePools(required: builder.poolSize)
        index = SimilarityIndex(vocabularySize: model.vocabularySize, configuration: search)
        let categoriesByID = try store.categories()
        categories = []
        for stored in try store.loadVectors(modelID: model.id) {
            index.add(stored.vector, key: TieKey(publishedAt: stored.publishedAt.flatMap(ISODate.epochSeconds), id: stored.articleID))
            categories.append(categoriesByID[stored.articleID])
        }
        let builder = self.builder
        var thresholds = ListThresholds(builder: builder, rowCount: index.rowCount)
        let index = self.index
        try store.forEachRelatedListWithPool { id, entries, pool in
            if let row = index.row(ofID: id) { thresholds.set(row: row, list: entries, pool: pool) }
        }
        self.thresholds = thresholds
    }

    public var articleCount: Int { lock.withLock { index.liveCount } }

    /// How many rows keep a candidate pool.
    var candidatePoolCount: Int { lock.withLock { candidatePools.count } }

    /// Explains suggestions with this index's model.
    public var explainer: Explainer { Explainer(model: model, analyzer: analyzer) }

    /// The vector of an article under this model.
    public func vectorize(_ article: Article) -> SparseVector {
        model.vectorize(analyzer.document(for: article))
    }

    /// The list of a text that is not stored (cold start), computed like a stored list. Nothing is written.
    public func related(to article: Article, k: Int, filter: RelatedFilter = RelatedFilter()) -> [RelatedEntry] {
        let vector = vectorize(article)
        return lock.withLock {
            list(
                for: vector, excluding: index.row(ofID: article.id), queryDate: article.publishedEpochSeconds,
                queryCategory: article.category, k: k, filter: filter)
        }
    }

    /// The list of a stored article computed now, `k` long and restricted by `filter`: what its stored list cannot
    /// answer (a longer list, or a filter that leaves too few of it). Nil when the id is not in the index.
    public func related(ofStored id: String, k: Int, filter: RelatedFilter) -> [RelatedEntry]? {
        lock.withLock {
            guard let row = index.row(ofID: id) else { return nil }
            return list(
                for: index.vector(ofRow: row), excluding: row, queryDate: index.tieKey(ofRow: row).publishedAt,
                queryCategory: category(ofRow: row), k: k, filter: filter)
        }
    }

    /// The relevance list of a query vector over the articles `filter` admits. Call with the lock held.
    private func list(
        for vector: SparseVector, excluding own: Int32?, queryDate: Int64?, queryCategory: String?, k: Int,
        filter: RelatedFilter
    ) -> [RelatedEntry] {
        let wide = RelatedListBuilder(relevance: builder.relevance, k: k)
        let matches: [ScoredMatch]
        if filter.isEmpty {
            matches = index.search(vector, k: wide.poolSize, excluding: own)
        } else {
            // Every scored row, then the filter, then the pool: a narrow category never starves the candidates.
            let index = self.index
            var admitted = index.allScores(of: vector, excluding: own).filter {
                let key = index.tieKey(ofRow: $0.row)
                return filter.admits(id: key.id, category: category(ofRow: $0.row), publishedAt: key.publishedAt, score: Double($0.score))
            }
            admitted.sort(by: index.ranks)
            matches = Array(admitted.prefix(wide.poolSize))
        }
        let list = wide.list(
            from: matches, queryVector: vector, queryDate: queryDate, queryCategory: queryCategory, index: index,
            categories: categories)
        // Re-ranking moves scores (recency, section): the minimum applies to the score shown.
        return filter.minimumScore > 0 ? list.filter { $0.score >= filter.minimumScore } : list
    }

    private func category(ofRow row: Int32) -> String? {
        Int(row) < categories.count ? categories[Int(row)] : nil
    }

    /// Stores or replaces an article, computes its list and updates every list it enters or leaves, all in one
    /// transaction. Returns whether it was new, and its list.
    ///
    /// The index is changed in place (a copy of it would cost a copy of every vector per write) and put back when
    /// the store refuses the write.
    public func upsert(_ article: Article) throws -> (created: Bool, list: [RelatedEntry]) {
        try lock.withLock {
            let vector = vectorize(article)
            let oldRow = index.row(ofID: article.id)
            var affected = Set<Int32>()
            var oldScores = [ScoredMatch]()
            if let oldRow {
                // The old text took part in lists it may not be shown in (a twin shown in its place keeps its score).
                oldScores = index.allScores(of: index.vector(ofRow: oldRow), excluding: oldRow)
                affected.formUnion(thresholds.rowsLeft(scoring: oldScores))
            }
            let listedBy = oldRow == nil ? [] : try store.articlesListing(article.id)
            let row = index.add(vector, key: TieKey(publishedAt: article.publishedEpochSeconds, id: article.id))
            categories.append(article.category)
            do {
                if let oldRow {
                    candidatePools.removed(row: oldRow, scores: oldScores)
                    warmUp?.changes.append(.removed(oldRow))
                }
                let (list, ownPool) = recomputed([row])[0].1
                let scores = index.allScores(of: vector, excluding: row)
                affected.formUnion(
                    thresholds.rowsEntered(
                        scoring: scores, publishedAt: article.publishedEpochSeconds, category: article.category, in: index,
                        categories: categories))
                enter(row: row, scoring: scores, into: &candidatePools)
                warmUp?.changes.append(.added(row))
                affected.formUnion(listedBy.compactMap { index.row(ofID: $0) })
                var updated = [String: [RelatedEntry]]()
                var pools = [article.id: ownPool]
                let lists = recomputed(affected.filter { index.isLive(row: $0) && $0 != row })
                for (other, (entries, pool)) in lists {
                    let id = index.tieKey(ofRow: other).id
                    if !thresholds.isStored(entries, row: other) { updated[id] = entries }
                    pools[id] = pool
                }
                collectChangedPools(into: &pools)
                let counts = try refusedWhenStale {
                    try store.commitUpsert(
                        article, vector: VectorWrite(articleID: article.id, textHash: article.textHash, vector: vector),
                        modelID: model.id, list: list, updatedLists: updated, poolBounds: pools, expected: generation)
                }
                setFloor(row: row, list: list, pool: ownPool)
                for (other, (entries, pool)) in lists { setFloor(row: other, list: entries, pool: pool) }
                return (counts.inserted == 1, list)
            } catch {
                forgetPools()
                index.remove(id: article.id)
                if let oldRow { index.reinstate(row: oldRow) }
                throw error
            }
        }
    }

    /// Deletes an article and refills every list that showed it. Returns false when it did not exist.
    public func delete(id: String) throws -> Bool {
        try lock.withLock {
            guard let removedRow = index.row(ofID: id) else { return false }
            // Lists that showed it, and lists whose candidate pool held it (a candidate it kept out may now enter).
            let scores = index.allScores(of: index.vector(ofRow: removedRow), excluding: removedRow)
            var affected = Set(thresholds.rowsLeft(scoring: scores))
            affected.formUnion(try store.articlesListing(id).compactMap { index.row(ofID: $0) })
            index.remove(id: id)
            do {
                candidatePools.removed(row: removedRow, scores: scores)
                warmUp?.changes.append(.removed(removedRow))
                var refilled = [String: [RelatedEntry]]()
                var pools = [String: PoolBound]()
                let lists = recomputed(affected.filter { index.isLive(row: $0) })
                for (row, (entries, pool)) in lists {
                    let id = index.tieKey(ofRow: row).id
                    if !thresholds.isStored(entries, row: row) { refilled[id] = entries }
                    pools[id] = pool
                }
                collectChangedPools(into: &pools)
                let deleted = try refusedWhenStale {
                    try store.commitDelete(id: id, refilledLists: refilled, poolBounds: pools, modelID: model.id, expected: generation)
                }
                guard deleted else {
                    forgetPools()
                    index.reinstate(row: removedRow)
                    return false
                }
                for (row, (entries, pool)) in lists { setFloor(row: row, list: entries, pool: pool) }
                return true
            } catch {
                forgetPools()
                index.reinstate(row: removedRow)
                throw error
            }
        }
    }

    /// The lists (and pool bounds) of `rows` computed now, on both cores: re-ranked from a row's kept candidate
    /// pool, re-scored, when it has one, else from a search (100–250 µs on the dev corpus), whose candidates are
    /// kept for the next write. Tens of lists for a new article; with pools, the re-ranking (near-copy checks) is
    /// most of their cost. Call with the lock held.
    private func recomputed(_ rows: [Int32]) -> [(Int32, (entries: [RelatedEntry], pool: PoolBound))] {
        let index = self.index
        let categories = self.categories
        let builder = self.builder
        let depth = candidatePools.depth
        let kept = rows.map { candidatePools.pool(ofRow: $0) }
        let epoch = index.scoringEpoch()
        let results = Array(zip(rows, kept)).parallelMap(threads: 2, minimumPerWorker: 2) { row, kept in
            let vector = index.vector(ofRow: row)
            var pool: CandidatePools.Pool
            if let kept, kept.scoredUnder == epoch {
                pool = kept  // its scores are the bits a search gives now
            } else if let kept {
                pool = Self.reScored(kept, of: row, vector: vector, index: index)
            } else {
                let matches = index.search(vector, k: depth, excluding: row)
                pool = CandidatePools.Pool(matches: matches, isExhaustive: matches.count < depth)
            }
            return (pool, builder.chosen(ofRow: row, vector: vector, from: pool.matches, index: index, categories: categories))
        }
        for (row, result) in zip(rows, results) { candidatePools.keep(row: row, result.0) }
        return zip(rows, results).map { ($0, $1.1) }
    }

    /// Enters the article at `row` into the pools it ranks in, from its scores against every live row. Call with
    /// the lock held.
    ///
    /// The score a search from pool row r gives `row` sums the products of their common terms in an order set by
    /// the terms alone (`RawRows.splitDot`), so the article's own scores against the pool rows are the same, bit
    /// for bit: one query for all pools.
    private func enter(row: Int32, scoring scores: [ScoredMatch], into pools: inout CandidatePools) {
        let index = self.index
        pools.added(row: row, scores: scores, ranks: index.ranks) { poolRows in
            index.scoresAndEpoch(of: index.vector(ofRow: row), rows: poolRows)
        }
    }

    /// `pool` (of `row`, whose vector is `vector`) with the scores a search gives now, in the search's order.
    private static func reScored(
        _ pool: CandidatePools.Pool, of row: Int32, vector: SparseVector, index: SimilarityIndex
    ) -> CandidatePools.Pool {
        let candidates = pool.matches.map(\.row)
        let (scores, epoch) = index.scoresAndEpoch(of: vector, rows: candidates)
        var scored = pool
        scored.matches = zip(candidates, scores).map { ScoredMatch(row: $0, score: $1) }.sorted(by: index.ranks)
        scored.scoredUnder = epoch
        return scored
    }

    /// After a write the store refused, the index went back but the pools did not: they go, with a running
    /// warm-up's (it would replay a write that did not happen). Call with the lock held.
    private func forgetPools() {
        candidatePools.removeAll()
        warmUp = nil
    }

    /// Fills the candidate pool of every row in the background — one all-pairs search on a copy of the index, on
    /// `threads` threads (default one: reads keep the other core) — so that the first live writes re-rank from
    /// pools rather than search (about 4 s on one core for the 12k-article dev corpus). A server calls it after
    /// loading. Writes go on meanwhile and are replayed on the new pools before they are put in place. Does nothing
    /// when a warm-up runs already or the index has more rows than the pools may keep (then they fill as writes
    /// search).
    /// - Parameter done: called on the warm-up's thread with the number of pools put in place (nil: discarded,
    ///   because a write failed meanwhile).
    public func warmCandidatePools(threads: Int = 1, done: (@Sendable (Int?) -> Void)? = nil) {
        guard let warmUp = beginPoolWarmUp() else { return }
        BackgroundWork.start("sila.pool-warm-up") { [self] in
            let pools = Self.warmPools(warmUp, results: warmUp.index.searchAll(k: warmUp.depth, threads: threads))
            done?(finishPoolWarmUp(warmUp, pools: pools))
        }
    }

    /// A pool warm-up's copy of the index.
    struct PoolWarmUp: Sendable {
        let id: Int
        let index: SimilarityIndex
        let depth: Int
    }

    /// What a write changed in the rows, for a warm-up to replay.
    enum PoolChange {
        case added(Int32)
        case removed(Int32)
    }

    /// Starts a warm-up: copies the index and starts logging writes. Nil when one runs or the index is too large.
    func beginPoolWarmUp() -> PoolWarmUp? {
        lock.withLock {
            guard warmUp == nil, index.rowCount <= candidatePools.capacity else { return nil }
            warmUps += 1
            warmUp = (warmUps, [])
            return PoolWarmUp(id: warmUps, index: index, depth: candidatePools.depth)
        }
    }

    /// The pools of a warm-up's all-pairs search, re-scored with a search's own sums (the all-pairs search sums
    /// in another order) on the warm-up's thread, so that writes use them as they are.
    static func warmPools(_ warmUp: PoolWarmUp, results: TopKResults) -> [(row: Int32, pool: CandidatePools.Pool)] {
        let searched = warmUp.index
        return (0..<Int32(min(results.queryCount, searched.rowCount))).compactMap { row in
            guard searched.isLive(row: row) else { return nil }
            let matches = results.matches(ofQuery: Int(row))
            let pool = CandidatePools.Pool(matches: matches, isExhaustive: matches.count < warmUp.depth)
            return (row, reScored(pool, of: row, vector: searched.vector(ofRow: row), index: searched))
        }
    }

    /// `finishPoolWarmUp(_:pools:)` with the pools of `results` (re-scored here, on the caller's thread).
    @discardableResult
    func finishPoolWarmUp(_ finished: PoolWarmUp, results: TopKResults) -> Int? {
        finishPoolWarmUp(finished, pools: Self.warmPools(finished, results: results))
    }

    /// Puts the pools of a warm-up in place, after replaying the writes made since it began; pools that writes kept
    /// meanwhile stay. Returns how many were put in place (nil: discarded).
    @discardableResult
    func finishPoolWarmUp(_ finished: PoolWarmUp, pools: [(row: Int32, pool: CandidatePools.Pool)]) -> Int? {
        lock.withLock {
            guard let (id, changes) = warmUp, id == finished.id else { return nil }
            warmUp = nil
            var warm = candidatePools
            warm.removeAll()
            for (row, pool) in pools { warm.keep(row: row, pool) }
            for change in changes {
                switch change {
                case .added(let row):
                    enter(row: row, scoring: index.allScores(of: index.vector(ofRow: row), excluding: row), into: &warm)
                case .removed(let row):
                    warm.removed(row: row, scores: index.allScores(of: index.vector(ofRow: row), excluding: row))
                }
            }
            return candidatePools.adopt(warm)
        }
    }

    /// Writes are made with this index's model and against the lists it loaded: refused when another recompute
    /// has swapped in since (the stored vectors would mix two models, or the reverse update would miss lists). The
    /// server reloads and writes succeed again.
    private func refusedWhenStale<T>(_ commit: () throws -> T) throws -> T {
        do {
            return try commit()
        } catch StoreError.generationChanged(_, let current) {
            if current.modelID != model.id { throw LiveIndexError.modelChanged(loaded: model.id, current: current.modelID) }
            throw LiveIndexError.listsSwapped
        }
    }

    private func setFloor(row: Int32, list: [RelatedEntry], pool: PoolBound) {
        thresholds.set(row: row, list: list, pool: pool)
    }

    /// Adds the pool bounds a write changed without recomputing the list (recorded in the same transaction).
    private func collectChangedPools(into pools: inout [String: PoolBound]) {
        for row in thresholds.drainChangedPools() where index.isLive(row: row) {
            let id = index.tieKey(ofRow: row).id
            if pools[id] == nil { pools[id] = thresholds.pool(ofRow: row) }
        }
    }
}

/// Why a live write was refused.
public enum LiveIndexError: Error, CustomStringConvertible {
    /// Another process made another model current after this index was loaded.
    case modelChanged(loaded: String, current: String?)
    /// Another recompute swapped new lists in after this index was loaded.
    case listsSwapped

    public var description: String {
        switch self {
        case .modelChanged(let loaded, let current):
            return "the current model changed from \(loaded.prefix(12)) to \(current.map { String($0.prefix(12)) } ?? "none") (another `sila index`); reloading — retry in a moment"
        case .listsSwapped:
            return "another recompute swapped new lists in (a `sila index`); reloading — retry in a moment"
        }
    }
}
