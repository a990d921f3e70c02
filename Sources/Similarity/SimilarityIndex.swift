import Dispatch
import Vectorizer

/// The exact cosine index over L2-normalized TF-IDF vectors.
///
/// Scores are computed in two exact parts that add up to the dot product: the most frequent vocabulary columns
/// as a dense block multiplied with OpenBLAS (`cblas_sgemm` for many queries, `cblas_sgemv` for one), and the
/// long tail of rarer terms through inverted lists. Memory: O(non-zeros) for the index, plus score tiles bounded
/// by `SearchConfiguration.memoryBudgetBytes`.
///
/// Rows are numbered in the order they were added. A removed row stays in storage, excluded from every answer,
/// until the index is rebuilt. Zero vectors are stored but never anybody's neighbour. Only matches with a score
/// above zero are returned; a row is never its own neighbour.
public struct SimilarityIndex: Sendable {
    public let configuration: SearchConfiguration
    private var storage: SparseRows
    private var tieKeys: [TieKey] = []
    private var isRemoved: [Bool] = []
    private var rowsByID: [String: Int32] = [:]

    /// An empty index for vectors of a vocabulary of `vocabularySize` terms (ids ordered by document frequency).
    public init(vocabularySize: Int, configuration: SearchConfiguration = .standard) {
        self.configuration = configuration
        storage = SparseRows(vocabularySize: vocabularySize, headTerms: configuration.denseHeadTerms)
    }

    /// Number of rows ever added (removed ones included).
    public var rowCount: Int { storage.rowCount }
    /// Number of rows that can be answered and found.
    public var liveCount: Int { rowsByID.count }
    public var headTermCount: Int { storage.headTerms }

    /// The row of an article id, if it is live.
    public func row(ofID id: String) -> Int32? { rowsByID[id] }
    /// The tie key (id and date) of a row.
    public func tieKey(ofRow row: Int32) -> TieKey { tieKeys[Int(row)] }
    public func isLive(row: Int32) -> Bool { !isRemoved[Int(row)] }

    /// The raw storage (for the kernel's own tests).
    var storageSnapshot: SparseRows { storage }

    /// The stored vector of a row.
    public func vector(ofRow row: Int32) -> SparseVector {
        let (terms, weights) = storage.row(Int(row))
        return SparseVector(termIDs: Array(terms), weights: Array(weights))
    }

    /// Adds a vector under `key.id`, replacing (removing) a live row with the same id. Returns its row.
    @discardableResult
    public mutating func add(_ vector: SparseVector, key: TieKey) -> Int32 {
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

    /// The exact top-k neighbours of `vector`, best first, excluding `excludedRow` (the query's own row, if stored).
    public func search(_ vector: SparseVector, k: Int, excluding excludedRow: Int32? = nil) -> [ScoredMatch] {
        var collector = TopKCollector(k: k)
        withScores(of: vector) { scores in
            tieKeys.withUnsafeBufferPointer { keys in
                collect(scores: scores, excluding: excludedRow, into: &collector, tieKeys: keys)
            }
        }
        return collector.matches
    }

    /// Every live row with a score above zero against `vector`, in row order (for the reverse update: the rows
    /// whose lists a new article may enter).
    public func allScores(of vector: SparseVector, excluding excludedRow: Int32? = nil) -> [ScoredMatch] {
        var result = [ScoredMatch]()
        withScores(of: vector) { scores in
            for row in 0..<scores.count where scores[row] > 0 && !isRemoved[row] && Int32(row) != excludedRow {
                result.append(ScoredMatch(row: Int32(row), score: scores[row]))
            }
        }
        return result
    }

    /// Computes `vector · rowᵀ` for every row into a temporary buffer.
    private func withScores(of vector: SparseVector, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let rowCount = storage.rowCount
        let head = storage.headTerms
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(rowCount, 1)) { scores in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(head, 1)) { denseQuery in
                if head > 0, rowCount > 0 {
                    storage.densifyHead(vector, into: UnsafeMutableBufferPointer(rebasing: denseQuery[0..<head]))
                    storage.headMatrix.withUnsafeBufferPointer { matrix in
                        BLASKernels.scoreOne(
                            query: denseQuery.baseAddress!, documents: matrix.baseAddress!, columns: rowCount,
                            depth: head, scores: scores.baseAddress!)
                    }
                } else {
                    scores.initialize(repeating: 0)
                }
                storage.accumulateTail(termIDs: vector.termIDs, weights: vector.weights, into: scores.baseAddress!)
                body(UnsafeMutableBufferPointer(rebasing: scores[0..<rowCount]))
            }
        }
    }

    @inline(__always)
    private func collect(
        scores: UnsafeMutableBufferPointer<Float>, excluding excludedRow: Int32?, into collector: inout TopKCollector,
        tieKeys: UnsafeBufferPointer<TieKey>
    ) {
        let excluded = Int(excludedRow ?? -1)
        isRemoved.withUnsafeBufferPointer { removed in
            for row in 0..<scores.count {
                let score = scores[row]
                if score > 0, score >= collector.threshold, row != excluded, !removed[row] {
                    collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: tieKeys)
                }
            }
        }
    }

    /// The exact top-k lists of every row (the batch recompute). Removed rows get empty lists.
    /// - Parameter progress: called from worker threads with the number of rows finished so far.
    public func searchAll(k: Int, progress: (@Sendable (Int) -> Void)? = nil) -> TopKResults {
        AllPairsSearch(index: self, storage: storage, tieKeys: tieKeys, isRemoved: isRemoved).run(k: k, progress: progress)
    }
}
