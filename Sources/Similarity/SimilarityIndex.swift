import Dispatch
import Vectorizer

/// The exact cosine index over L2-normalized TF-IDF vectors.
///
/// Storage is the rows in compressed form (CSR) and, built from them when a search needs it, their transpose: one
/// inverted list per term (`TermPostings`). The all-pairs search scores each pair once, the most frequent terms as
/// a dense block with OpenBLAS (`cblas_sgemm`) and the rest through the inverted lists (`AllPairsSearch`); a single
/// query walks the inverted lists with score bounds (`SingleQuery`). Memory: O(non-zeros) for the index (16 bytes
/// per non-zero once the lists exist), plus the all-pairs head block and tiles bounded by
/// `SearchConfiguration.memoryBudgetBytes`.
///
/// Rows are numbered in the order they were added. A removed row stays in storage, excluded from every answer,
/// until the index is rebuilt. Zero vectors are stored but never anybody's neighbour. Only matches with a score
/// above zero are returned; a row is never its own neighbour.
public struct SimilarityIndex: Sendable {
    public let configuration: SearchConfiguration
    private var storage: SparseRows
    private var postingsHolder: PostingsHolder
    private var tieKeys: [TieKey] = []
    private var isRemoved: [Bool] = []
    private var rowsByID: [String: Int32] = [:]

    /// Rows added after the inverted lists were built that a single query scores one by one before the lists are
    /// rebuilt (a rebuild costs O(non-zeros); a live index adds rows one at a time).
    static let maxUncoveredRows = 256

    /// An empty index for vectors of a vocabulary of `vocabularySize` terms (ids ordered by document frequency).
    public init(vocabularySize: Int, configuration: SearchConfiguration = .standard) {
        self.configuration = configuration
        storage = SparseRows(vocabularySize: vocabularySize)
        postingsHolder = PostingsHolder(longListLength: configuration.singleQueryLongListLength)
    }

    /// Number of rows ever added (removed ones included).
    public var rowCount: Int { storage.rowCount }
    /// Number of rows that can be answered and found.
    public var liveCount: Int { rowsByID.count }
    /// The most terms the all-pairs search scores densely.
    public var headTermCount: Int { min(configuration.denseHeadTerms, storage.vocabularySize) }

    /// The row of an article id, if it is live.
    public func row(ofID id: String) -> Int32? { rowsByID[id] }
    /// The tie key (id and date) of a row.
    public func tieKey(ofRow row: Int32) -> TieKey { tieKeys[Int(row)] }
    /// The publication date of a row (without copying its id).
    public func publishedAt(ofRow row: Int32) -> Int64? { tieKeys[Int(row)].publishedAt }
    public func isLive(row: Int32) -> Bool { !isRemoved[Int(row)] }

    /// The stored vector of a row (terms in increasing order, terms outside the vocabulary dropped).
    public func vector(ofRow row: Int32) -> SparseVector {
        let (terms, weights) = storage.row(Int(row))
        return SparseVector(termIDs: Array(terms), weights: Array(weights))
    }

    /// Reserves storage for `rows` rows with `nonZeros` non-zeros in all (bulk loading without regrowth).
    public mutating func reserveCapacity(rows: Int, nonZeros: Int) {
        storage.reserveCapacity(rows: rows, nonZeros: nonZeros)
        tieKeys.reserveCapacity(rows)
        isRemoved.reserveCapacity(rows)
        rowsByID.reserveCapacity(rows)
    }

    /// Adds a vector under `key.id`, replacing (removing) a live row with the same id. Returns its row.
    @discardableResult
    public mutating func add(_ vector: SparseVector, key: TieKey) -> Int32 {
        if !isKnownUniquelyReferenced(&postingsHolder) {
            // Another copy of this index shares the holder: keep its lists (they cover our first rows too) in a
            // holder of our own, so that a rebuild for our rows never reaches that copy.
            postingsHolder = PostingsHolder(postingsHolder.snapshot, longListLength: configuration.singleQueryLongListLength)
        }
        if let previous = rowsByID[key.id] { isRemoved[Int(previous)] = true }
        let row = Int32(storage.rowCount)
        storage.append(vector)
        tieKeys.append(key)
        isRemoved.append(false)
        rowsByID[key.id] = row
        return row
    }

    /// Removes the row of `id`; returns it, or `nil` when the id is not live.
    @discardableResult
    public mutating func remove(id: String) -> Int32? {
        guard let row = rowsByID.removeValue(forKey: id) else { return nil }
        isRemoved[Int(row)] = true
        return row
    }

    /// Makes a removed row live again under its id, removing the row that replaced it if any: undoes an `add` or
    /// a `remove` whose write the store then refused.
    public mutating func reinstate(row: Int32) {
        let id = tieKeys[Int(row)].id
        if let current = rowsByID[id] { isRemoved[Int(current)] = true }
        isRemoved[Int(row)] = false
        rowsByID[id] = row
    }

    /// Builds the inverted lists now (otherwise the first search does).
    public func prepareForSearch() {
        _ = postingsHolder.postings(for: storage, maxUncovered: 0)
    }

    private func singleQuery() -> SingleQuery {
        SingleQuery(
            rows: storage, postings: postingsHolder.postings(for: storage, maxUncovered: Self.maxUncoveredRows),
            tieKeys: tieKeys, isRemoved: isRemoved, threads: configuration.threads,
            parallelMinimumWork: configuration.singleQueryParallelMinimumWork)
    }

    /// The exact top-k neighbours of `vector`, best first, excluding `excludedRow` (the query's own row, if stored).
    public func search(_ vector: SparseVector, k: Int, excluding excludedRow: Int32? = nil) -> [ScoredMatch] {
        guard k > 0, rowCount > 0 else { return [] }
        return singleQuery().search(vector, k: k, excluding: excludedRow)
    }

    /// The order of every answer: the higher score first, then the tie rule (DESIGN.md) — for callers that order
    /// matches themselves (re-scored candidates, filtered scores).
    public func ranks(_ a: ScoredMatch, before b: ScoredMatch) -> Bool {
        a.score != b.score ? a.score > b.score : tieKeys[Int(a.row)].ranksBefore(tieKeys[Int(b.row)])
    }

    /// The scores `search` would give `rows` against `vector`, bit for bit (removed rows included): for a caller
    /// that keeps the candidates of an earlier search and re-scores them instead of searching again, with the
    /// same ties as a new search.
    public func scores(of vector: SparseVector, rows: [Int32]) -> [Float] {
        scoresAndEpoch(of: vector, rows: rows).scores
    }

    /// `scores(of:rows:)` with the scoring epoch they were summed under (see `scoringEpoch`).
    public func scoresAndEpoch(of vector: SparseVector, rows: [Int32]) -> (scores: [Float], epoch: Int) {
        guard rowCount > 0 else { return ([], 0) }
        let query = singleQuery()
        return (query.scores(of: vector, rows: rows), query.postings.epoch)
    }

    /// Identifies how searches sum a row's score now (which inverted lists count as long sets the order of the
    /// sum): scores from `scoresAndEpoch` under the same epoch are the bits a search now gives, so a caller that
    /// kept them need not score again. Builds the inverted lists when a search would.
    public func scoringEpoch() -> Int {
        postingsHolder.postings(for: storage, maxUncovered: Self.maxUncoveredRows).epoch
    }

    /// Every live row with a score above zero against `vector`, in row order (for the reverse update: the rows
    /// whose lists a new article may enter).
    public func allScores(of vector: SparseVector, excluding excludedRow: Int32? = nil) -> [ScoredMatch] {
        guard rowCount > 0 else { return [] }
        return singleQuery().allScores(of: vector, excluding: excludedRow)
    }

    /// The exact top-k lists of every row (the batch recompute). Removed rows get empty lists.
    /// - Parameter progress: called from worker threads with the number of rows finished so far (rows-equivalent
    ///   of the pair work done).
    /// - Parameter threads: worker threads for this search (default: the configuration's).
    public func searchAll(k: Int, threads: Int? = nil, progress: (@Sendable (Int) -> Void)? = nil) -> TopKResults {
        guard rowCount > 0, k > 0 else { return TopKResults(queryCount: rowCount, k: max(k, 0)) }
        var configuration = self.configuration
        if let threads { configuration.threads = max(1, threads) }
        let search = AllPairsSearch(
            rows: storage, postings: postingsHolder.postings(for: storage, maxUncovered: 0), tieKeys: tieKeys,
            isRemoved: isRemoved, configuration: configuration)
        return search.run(k: k, progress: progress)
    }

    /// The all-pairs configuration in effect, in words (for logs and the benchmark's notes).
    public var configurationSummary: String {
        let tiling = allPairsTiling
        let fraction = configuration.denseHeadMinDocumentFraction
        return "dense head \(tiling.headTerms) terms (at most \(configuration.denseHeadTerms)"
            + (fraction > 0 ? ", df ≥ \(fraction) N" : "") + "), tiles \(tiling.blockRows) × \(tiling.blockColumns), "
            + "memory budget \(configuration.memoryBudgetBytes >> 20) MiB, threads \(configuration.threads)"
    }

    /// The all-pairs tiling this index would use now (for tests and the benchmark's notes).
    var allPairsTiling: AllPairsSearch.Tiling {
        AllPairsSearch(
            rows: storage, postings: postingsHolder.postings(for: storage, maxUncovered: 0), tieKeys: tieKeys,
            isRemoved: isRemoved, configuration: configuration
        ).tiling
    }
}
