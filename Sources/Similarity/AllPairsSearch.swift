import Dispatch
import Foundation

/// The tiled all-pairs kernel behind `SimilarityIndex.searchAll`.
///
/// The product is symmetric, so every pair (i, j), i < j, is scored once and offered to both lists. Query rows go in
/// blocks of `blockRows`; a block's candidates are the rows after its start, in chunks of `blockColumns`. For one
/// tile (block × chunk) one `cblas_sgemm` writes the dense-head part of every score (the most frequent terms, kept
/// dense for this search only), then each query row adds its tail terms' postings that fall in the chunk (a cursor
/// per query term walks the term's increasing rows, so each posting is read once per query row) and scans its tile
/// row against two thresholds: its own list's and, per candidate, the candidate's. Lists are shared by the workers:
/// a query row keeps a private list for its candidates and merges it at the end of its block; a candidate's list
/// takes an insertion under a striped lock only when the score reaches its current k-th score (read without the
/// lock: thresholds only rise, so a stale read only lets more through, never fewer).
///
/// Memory: the head block (rows × head floats) and one tile per worker, both within the configured budget, plus the
/// result lists.
struct AllPairsSearch {
    let rows: SparseRows
    let postings: TermPostings
    let tieKeys: [TieKey]
    let isRemoved: [Bool]
    let configuration: SearchConfiguration

    struct Tiling: Equatable {
        var headTerms: Int
        var blockRows: Int
        var blockColumns: Int
    }

    /// Head size by the cost model, then tile sizes within the memory budget.
    static func tiling(
        rowCount n: Int, vocabularySize: Int, documentFrequency: (Int) -> Int, configuration: SearchConfiguration
    ) -> Tiling {
        let threads = max(1, configuration.threads)
        let budget = max(configuration.memoryBudgetBytes, 1 << 20)
        var head = min(configuration.denseHeadTerms, vocabularySize)
        if configuration.denseHeadMinDocumentFraction > 0 {
            let minimum = configuration.denseHeadMinDocumentFraction * Double(n)
            var kept = 0
            while kept < head, Double(documentFrequency(kept)) >= minimum { kept += 1 }
            head = kept
        }
        // The head block takes at most half of the budget.
        head = min(head, budget / 2 / max(1, n * MemoryLayout<Float>.size))
        let columns = max(1, min(n, configuration.blockColumns > 0 ? configuration.blockColumns : 32768))
        let tileBudget = (budget - n * head * MemoryLayout<Float>.size) / threads
        let rowsWanted = configuration.blockRows > 0 ? configuration.blockRows : 64
        let blockRows = max(1, min(rowsWanted, tileBudget / (columns * MemoryLayout<Float>.size), max(n, 1)))
        return Tiling(headTerms: head, blockRows: blockRows, blockColumns: columns)
    }

    var tiling: Tiling {
        let starts = postings.starts
        return Self.tiling(
            rowCount: rows.rowCount, vocabularySize: rows.vocabularySize,
            documentFrequency: { starts[$0 + 1] - starts[$0] }, configuration: configuration)
    }

    func run(k: Int, progress: (@Sendable (Int) -> Void)?) -> TopKResults {
        let n = rows.rowCount
        var results = TopKResults(queryCount: n, k: k)
        guard n > 0, k > 0 else { return results }
        precondition(postings.rowCount == n, "all-pairs search needs postings of every row")
        let tiling = self.tiling
        let head = tiling.headTerms
        let threads = max(1, min(configuration.threads, (n + tiling.blockRows - 1) / tiling.blockRows))
        BLASKernels.useSingleThreadedBLAS()

        // The dense head block: rows × head, row-major.
        let headMatrix = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n * head))
        defer { headMatrix.deallocate() }
        headMatrix.initialize(repeating: 0, count: max(1, n * head))
        // Where each row's tail terms start in the CSR arrays.
        var tailStarts = [Int](repeating: 0, count: n)
        rows.withRaw { raw in
            for row in 0..<n {
                var entry = raw.starts[row]
                let end = raw.starts[row + 1]
                while entry < end, Int(raw.terms![entry]) < head {
                    headMatrix[row * head + Int(raw.terms![entry])] = raw.weights![entry]
                    entry += 1
                }
                tailStarts[row] = entry
            }
        }

        let limits = UnsafeMutablePointer<Float>.allocate(capacity: n + 8)
        defer { limits.deallocate() }
        for row in 0..<n { limits[row] = isRemoved[row] ? .infinity : .leastNonzeroMagnitude }
        for pad in n..<(n + 8) { limits[pad] = .infinity }
        let locks = StripedLocks(count: 1024)

        let blockCount = (n + tiling.blockRows - 1) / tiling.blockRows
        let scheduler = BlockScheduler(blockCount: blockCount, blockRows: tiling.blockRows, rowCount: n)

        results.rows.withUnsafeMutableBufferPointer { outRows in
            results.scores.withUnsafeMutableBufferPointer { outScores in
                results.counts.withUnsafeMutableBufferPointer { outCounts in
                    tieKeys.withUnsafeBufferPointer { keys in
                        isRemoved.withUnsafeBufferPointer { removed in
                            tailStarts.withUnsafeBufferPointer { tailStarts in
                                rows.withRaw { raw in
                                    postings.withRaw { inverted in
                                        let lists = SharedLists(
                                            k: k, rows: outRows.baseAddress!, scores: outScores.baseAddress!,
                                            counts: outCounts.baseAddress!, limits: limits, locks: locks, tieKeys: keys)
                                        let context = BlockContext(
                                            rows: raw, postings: inverted, head: UnsafePointer(headMatrix), headTerms: head,
                                            tailStarts: tailStarts.baseAddress!, removed: removed.baseAddress!, tieKeys: keys,
                                            lists: lists, rowCount: n, blockColumns: tiling.blockColumns,
                                            vocabularySize: rows.vocabularySize, k: k)
                                        DispatchQueue.concurrentPerform(iterations: threads) { _ in
                                            let worker = BlockWorker(context: context, blockRows: tiling.blockRows)
                                            while let block = scheduler.next() {
                                                let start = block * tiling.blockRows
                                                let end = min(n, start + tiling.blockRows)
                                                worker.score(start..<end)
                                                if let progress { progress(scheduler.finished(start..<end)) }
                                            }
                                            worker.release()
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return results
    }
}

/// Everything a worker reads, as raw pointers (valid for the duration of `run`).
private struct BlockContext: @unchecked Sendable {
    let rows: RawRows
    let postings: RawPostings
    let head: UnsafePointer<Float>
    let headTerms: Int
    let tailStarts: UnsafePointer<Int>
    let removed: UnsafePointer<Bool>
    let tieKeys: UnsafeBufferPointer<TieKey>
    let lists: SharedLists
    let rowCount: Int
    let blockColumns: Int
    let vocabularySize: Int
    let k: Int
}

/// One worker's tile, cursors and private lists.
private final class BlockWorker {
    let context: BlockContext
    let blockRows: Int
    let tile: UnsafeMutablePointer<Float>
    private var cursors: UnsafeMutablePointer<Int>
    private var cursorCapacity: Int
    private var cursorStarts: [Int]
    private var collectors: [TopKCollector]
    /// Per term, the first posting after the last query row this worker handled (blocks come in increasing order,
    /// so these only move forward: O(non-zeros) in all, instead of a binary search per query term).
    private let termCursors: UnsafeMutablePointer<Int>

    init(context: BlockContext, blockRows: Int) {
        self.context = context
        self.blockRows = blockRows
        tile = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * context.blockColumns)
        cursorCapacity = 1024
        cursors = UnsafeMutablePointer<Int>.allocate(capacity: cursorCapacity)
        cursorStarts = [Int](repeating: 0, count: blockRows + 1)
        collectors = (0..<blockRows).map { _ in TopKCollector(k: context.k) }
        termCursors = UnsafeMutablePointer<Int>.allocate(capacity: max(1, context.vocabularySize))
        for term in 0..<context.vocabularySize { termCursors[term] = context.postings.starts[term] }
    }

    deinit {
        tile.deallocate()
        cursors.deallocate()
        termCursors.deallocate()
    }

    func release() {}

    func score(_ block: Range<Int>) {
        let c = context
        let n = c.rowCount
        let first = block.lowerBound
        let count = block.count
        // Each query row's tail-term cursors start just after the row itself (pairs i < j only).
        let needed = c.rows.starts[block.upperBound] - c.rows.starts[first]
        if needed > cursorCapacity {
            cursors.deallocate()
            cursorCapacity = needed
            cursors = UnsafeMutablePointer<Int>.allocate(capacity: cursorCapacity)
        }
        var used = 0
        for offset in 0..<count {
            let row = first + offset
            cursorStarts[offset] = used
            for entry in c.tailStarts[row]..<c.rows.starts[row + 1] {
                let term = Int(c.rows.terms![entry])
                var position = termCursors[term]
                let last = c.postings.starts[term + 1]
                while position < last, Int(c.postings.entries![position].row) <= row { position += 1 }
                termCursors[term] = position
                cursors[used] = position
                used += 1
            }
            collectors[offset].reset()
        }

        var chunkStart = first
        while chunkStart < n {
            let chunkEnd = min(n, chunkStart + c.blockColumns)
            let width = chunkEnd - chunkStart
            if c.headTerms > 0 {
                BLASKernels.scoreBlock(
                    queries: c.head + first * c.headTerms, rows: count, documents: c.head + chunkStart * c.headTerms,
                    columns: width, depth: c.headTerms, scores: tile, ldScores: width)
            } else {
                tile.update(repeating: 0, count: count * width)
            }
            for offset in 0..<count {
                let row = first + offset
                guard row + 1 < chunkEnd, !c.removed[row] else { continue }
                let scores = tile + offset * width
                accumulateTail(row: row, cursors: cursors + cursorStarts[offset], chunk: chunkStart..<chunkEnd, scores: scores)
                scan(row: row, offset: offset, from: max(chunkStart, row + 1), chunk: chunkStart..<chunkEnd, scores: scores)
            }
            chunkStart = chunkEnd
        }
        for offset in 0..<count where !c.removed[first + offset] {
            c.lists.merge(collectors[offset].matches, intoRow: first + offset)
        }
    }

    /// Adds the tail terms' postings of `row` that fall in `chunk` into `scores` (indexed from the chunk start).
    @inline(__always)
    private func accumulateTail(row: Int, cursors: UnsafeMutablePointer<Int>, chunk: Range<Int>, scores: UnsafeMutablePointer<Float>) {
        let c = context
        let postings = c.postings.entries!
        let end32 = Int32(chunk.upperBound)
        let base = scores - chunk.lowerBound
        let lastChunk = chunk.upperBound == c.rowCount
        var cursorIndex = 0
        for entry in c.tailStarts[row]..<c.rows.starts[row + 1] {
            let term = Int(c.rows.terms![entry])
            let weight = c.rows.weights![entry]
            var position = cursors[cursorIndex]
            let last = c.postings.starts[term + 1]
            if lastChunk {
                while position < last {
                    let posting = postings[position]
                    base[Int(posting.row)] += weight * posting.weight
                    position += 1
                }
            } else {
                while position < last {
                    let posting = postings[position]
                    if posting.row >= end32 { break }
                    base[Int(posting.row)] += weight * posting.weight
                    position += 1
                }
            }
            cursors[cursorIndex] = position
            cursorIndex += 1
        }
    }

    /// Offers the scores of candidates `from..<chunk.upperBound` to the row's own list and to each candidate's list.
    @inline(__always)
    private func scan(row: Int, offset: Int, from: Int, chunk: Range<Int>, scores: UnsafeMutablePointer<Float>) {
        let c = context
        let limits = c.lists.limits
        let base = scores - chunk.lowerBound
        var own = max(collectors[offset].threshold, limits[row])
        var candidate = from
        let end = chunk.upperBound
        while candidate + 16 <= end {
            // 16 candidates per step in four SSE compares; almost all fail both thresholds.
            let ownLimit = SIMD4<Float>(repeating: own)
            let scores = UnsafeRawPointer(base + candidate)
            let theirs = UnsafeRawPointer(limits + candidate)
            let v0 = scores.loadUnaligned(as: SIMD4<Float>.self)
            let v1 = scores.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
            let v2 = scores.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
            let v3 = scores.loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self)
            let m0 = (v0 .>= ownLimit) .| (v0 .>= theirs.loadUnaligned(as: SIMD4<Float>.self))
            let m1 = (v1 .>= ownLimit) .| (v1 .>= theirs.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self))
            let m2 = (v2 .>= ownLimit) .| (v2 .>= theirs.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self))
            let m3 = (v3 .>= ownLimit) .| (v3 .>= theirs.loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self))
            if any((m0 .| m1) .| (m2 .| m3)) {
                for lane in candidate..<(candidate + 16) {
                    let score = base[lane]
                    if score >= own || score >= limits[lane] {
                        offer(row: row, offset: offset, candidate: lane, score: score, own: &own)
                    }
                }
            }
            candidate += 16
        }
        while candidate < end {
            let score = base[candidate]
            if score >= own || score >= limits[candidate] {
                offer(row: row, offset: offset, candidate: candidate, score: score, own: &own)
            }
            candidate += 1
        }
    }

    @inline(__always)
    private func offer(row: Int, offset: Int, candidate: Int, score: Float, own: inout Float) {
        let c = context
        if score >= own, !c.removed[candidate] {
            collectors[offset].offer(ScoredMatch(row: Int32(candidate), score: score), tieKeys: c.tieKeys)
            own = max(collectors[offset].threshold, c.lists.limits[row])
        }
        if score >= c.lists.limits[candidate] {
            c.lists.offer(row: candidate, candidate: Int32(row), score: score)
        }
    }
}

/// The result lists, filled concurrently: list `row` is `rows/scores[row * k ..< row * k + counts[row]]`, best
/// first; `limits[row]` is the score a candidate needs to be considered (its k-th score once full, else the
/// smallest positive float; +∞ for a removed row).
private struct SharedLists: @unchecked Sendable {
    let k: Int
    let rows: UnsafeMutablePointer<Int32>
    let scores: UnsafeMutablePointer<Float>
    let counts: UnsafeMutablePointer<Int32>
    let limits: UnsafeMutablePointer<Float>
    let locks: StripedLocks
    let tieKeys: UnsafeBufferPointer<TieKey>

    func offer(row: Int, candidate: Int32, score: Float) {
        locks.withLock(row) { insert(row: row, candidate: candidate, score: score) }
    }

    func merge(_ matches: [ScoredMatch], intoRow row: Int) {
        guard !matches.isEmpty else { return }
        locks.withLock(row) {
            for match in matches { insert(row: row, candidate: match.row, score: match.score) }
        }
    }

    /// Inserts under the row's lock.
    @inline(__always)
    private func insert(row: Int, candidate: Int32, score: Float) {
        let base = row * k
        var count = Int(counts[row])
        var position = count
        while position > 0 {
            let other = scores[base + position - 1]
            let before = score != other ? score > other : tieKeys[Int(candidate)].ranksBefore(tieKeys[Int(rows[base + position - 1])])
            if !before { break }
            position -= 1
        }
        guard position < k else { return }
        var slot = min(count, k - 1)
        while slot > position {
            rows[base + slot] = rows[base + slot - 1]
            scores[base + slot] = scores[base + slot - 1]
            slot -= 1
        }
        rows[base + position] = candidate
        scores[base + position] = score
        if count < k {
            count += 1
            counts[row] = Int32(count)
        }
        if count == k { limits[row] = max(scores[base + k - 1], .leastNonzeroMagnitude) }
    }
}

/// A fixed set of mutexes; row r uses mutex r mod count.
final class StripedLocks: @unchecked Sendable {
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>
    private let mask: Int

    init(count: Int) {
        var size = 1
        while size < count { size <<= 1 }
        mask = size - 1
        mutexes = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: size)
        for index in 0..<size { pthread_mutex_init(mutexes + index, nil) }
    }

    deinit {
        for index in 0...mask { pthread_mutex_destroy(mutexes + index) }
        mutexes.deallocate()
    }

    @inline(__always)
    func withLock(_ row: Int, _ body: () -> Void) {
        let mutex = mutexes + (row & mask)
        pthread_mutex_lock(mutex)
        body()
        pthread_mutex_unlock(mutex)
    }
}

/// Hands out blocks in increasing order and reports progress in rows, weighted by each block's share of the pairs
/// (early blocks have more candidates), so that the count grows evenly to the row count.
final class BlockScheduler: @unchecked Sendable {
    private let lock = NSLockLike()
    private var nextBlock = 0
    private var doneWork = 0.0
    private let blockCount: Int
    private let rowCount: Int
    private let totalWork: Double

    init(blockCount: Int, blockRows: Int, rowCount: Int) {
        self.blockCount = blockCount
        self.rowCount = rowCount
        totalWork = Double(rowCount) * Double(rowCount + 1) / 2
    }

    func next() -> Int? {
        lock.withLock {
            guard nextBlock < blockCount else { return nil }
            defer { nextBlock += 1 }
            return nextBlock
        }
    }

    /// Records a finished block; returns the rows-equivalent done so far.
    func finished(_ block: Range<Int>) -> Int {
        // Rows i in the block pair with the n - i - 1 rows after them.
        let work = block.reduce(0.0) { $0 + Double(rowCount - $1) }
        return lock.withLock {
            doneWork += work
            return doneWork >= totalWork - 0.5 ? rowCount : min(rowCount, Int(Double(rowCount) * doneWork / totalWork))
        }
    }
}
