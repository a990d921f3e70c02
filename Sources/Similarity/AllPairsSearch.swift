import Dispatch
import Vectorizer

/// The tiled all-pairs kernel behind `SimilarityIndex.searchAll`.
///
/// Query rows are processed in blocks; for a block of `b` rows one `cblas_sgemm` fills a b × N score tile with
/// the dense-head part, the inverted lists add the tail part, and each row's tile row feeds its top-k collector.
/// Worker threads take blocks round-robin, each with its own tile, so tiles never exceed the memory budget.
struct AllPairsSearch {
    let index: SimilarityIndex
    let storage: SparseRows
    let tieKeys: [TieKey]
    let isRemoved: [Bool]

    func run(k: Int, progress: (@Sendable (Int) -> Void)?) -> TopKResults {
        let n = storage.rowCount
        var results = TopKResults(queryCount: n, k: k)
        guard n > 0, k > 0 else { return results }
        let threads = max(1, min(index.configuration.threads, n))
        let blockRows = self.blockRows(rowCount: n, threads: threads)
        let blockCount = (n + blockRows - 1) / blockRows
        BLASKernels.useSingleThreadedBLAS()
        let finished = ProgressCounter()

        results.rows.withUnsafeMutableBufferPointer { outRows in
            results.scores.withUnsafeMutableBufferPointer { outScores in
                results.counts.withUnsafeMutableBufferPointer { outCounts in
                    let sink = ResultSink(rows: outRows, scores: outScores, counts: outCounts, k: k)
                    DispatchQueue.concurrentPerform(iterations: threads) { worker in
                        var tile = [Float](repeating: 0, count: blockRows * n)
                        for block in stride(from: worker, to: blockCount, by: threads) {
                            let start = block * blockRows
                            let end = min(n, start + blockRows)
                            scoreBlock(start..<end, tile: &tile, k: k, sink: sink)
                            let done = finished.add(end - start)
                            progress?(done)
                        }
                    }
                }
            }
        }
        return results
    }

    /// Rows per block so that every worker's tile fits in its share of the memory budget.
    func blockRows(rowCount n: Int, threads: Int) -> Int {
        let headBytes = storage.headMatrix.count * MemoryLayout<Float>.size
        let tileBudget = max(index.configuration.memoryBudgetBytes - headBytes, 1 << 20) / threads
        return max(1, min(1024, tileBudget / (n * MemoryLayout<Float>.size)))
    }

    private func scoreBlock(
        _ rows: Range<Int>, tile: inout [Float], k: Int, sink: ResultSink
    ) {
        let n = storage.rowCount
        let head = storage.headTerms
        tile.withUnsafeMutableBufferPointer { tileBuffer in
            if head > 0 {
                // The queries are indexed rows, so their dense head block is already contiguous in the matrix.
                storage.headMatrix.withUnsafeBufferPointer { matrix in
                    BLASKernels.scoreBlock(
                        queries: matrix.baseAddress! + rows.lowerBound * head, rows: rows.count,
                        documents: matrix.baseAddress!, columns: n, depth: head, scores: tileBuffer.baseAddress!,
                        ldScores: n)
                }
            } else {
                for index in 0..<(rows.count * n) { tileBuffer[index] = 0 }
            }
            tieKeys.withUnsafeBufferPointer { keys in
                isRemoved.withUnsafeBufferPointer { removed in
                    for (offset, row) in rows.enumerated() where !removed[row] {
                        let scores = tileBuffer.baseAddress! + offset * n
                        let (terms, weights) = storage.row(row)
                        storage.accumulateTail(termIDs: terms, weights: weights, into: scores)
                        var collector = TopKCollector(k: k)
                        for candidate in 0..<n {
                            let score = scores[candidate]
                            if score > 0, score >= collector.threshold, candidate != row, !removed[candidate] {
                                collector.offer(ScoredMatch(row: Int32(candidate), score: score), tieKeys: keys)
                            }
                        }
                        sink.store(collector.matches, forQuery: row)
                    }
                }
            }
        }
    }
}

/// Output buffers shared by the workers; each query row is written by exactly one worker.
private struct ResultSink: @unchecked Sendable {
    let rows: UnsafeMutableBufferPointer<Int32>
    let scores: UnsafeMutableBufferPointer<Float>
    let counts: UnsafeMutableBufferPointer<Int32>
    let k: Int

    func store(_ matches: [ScoredMatch], forQuery query: Int) {
        for (slot, match) in matches.enumerated() {
            rows[query * k + slot] = match.row
            scores[query * k + slot] = match.score
        }
        counts[query] = Int32(matches.count)
    }
}

/// A thread-safe running count for progress reports.
final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockLike()

    func add(_ amount: Int) -> Int {
        lock.withLock {
            value += amount
            return value
        }
    }
}
