import Testing

@testable import Vectorizer

@Suite struct ConcurrentBatchesTests {
    /// Every index is in exactly one batch, each worker's batches come in increasing order, and no batch is longer
    /// than asked.
    @Test(arguments: [(0, 7, 2), (1, 7, 2), (1000, 7, 3), (1000, 512, 2), (10, 1, 4), (10, 100, 2)])
    func batchesCoverEveryIndexOnce(count: Int, batchSize: Int, workers: Int) {
        let states = concurrentBatches(count: count, batchSize: batchSize, workers: workers, initial: { [Range<Int>]() }) {
            batches, range in batches.append(range)
        }
        #expect(states.count >= 1 && states.count <= max(1, workers))
        let batches = states.flatMap { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(batches.flatMap { Array($0) } == Array(0..<count))
        #expect(batches.allSatisfy { $0.count <= batchSize && !$0.isEmpty })
        #expect(states.allSatisfy { zip($0, $0.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound } })
    }
}
