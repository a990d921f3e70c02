import Dispatch
import Foundation

/// Splits 0..<count into `chunks` contiguous ranges, runs `body` on each on concurrent threads, and returns the
/// results in range order.
func concurrentChunks<Result: Sendable>(
    count: Int, chunks: Int, _ body: @Sendable (Range<Int>) -> Result
) -> [Result] {
    let chunks = max(1, min(chunks, count))
    guard chunks > 1 else { return [body(0..<count)] }
    return [Result](unsafeUninitializedCapacity: chunks) { buffer, initialized in
        let results = ResultSlots(base: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * count / chunks)..<((chunk + 1) * count / chunks)
            results.set(chunk, to: body(range))
        }
        initialized = chunks
    }
}

/// The uninitialized result buffer: each concurrent iteration initializes its own slot, and no slot is read
/// before `concurrentPerform` returns, hence `@unchecked Sendable`.
private struct ResultSlots<Result>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result>

    func set(_ index: Int, to value: Result) {
        (base + index).initialize(to: value)
    }
}

/// Runs up to `workers` concurrent workers over 0..<count: each starts from `initial()` and calls `body` on batches
/// of `batchSize` consecutive indices, claimed in increasing order until none is left; returns the workers' final
/// states. Unlike `concurrentChunks`, a worker whose core is taken by other processes claims fewer batches instead
/// of holding up the others.
func concurrentBatches<State: Sendable>(
    count: Int, batchSize: Int, workers: Int, initial: @Sendable () -> State,
    _ body: @Sendable (inout State, Range<Int>) -> Void
) -> [State] {
    let batchSize = max(1, batchSize)
    let workers = max(1, min(workers, (count + batchSize - 1) / batchSize))
    let claims = BatchClaims()
    return concurrentChunks(count: workers, chunks: workers) { _ in
        var state = initial()
        while let start = claims.next(batchSize, below: count) { body(&state, start..<min(count, start + batchSize)) }
        return state
    }
}

/// The next unclaimed index of `concurrentBatches`, behind a lock.
private final class BatchClaims: @unchecked Sendable {
    private let lock = NSLock()
    private var nextStart = 0

    func next(_ batchSize: Int, below count: Int) -> Int? {
        lock.withLock {
            guard nextStart < count else { return nil }
            defer { nextStart += batchSize }
            return nextStart
        }
    }
}
