import Dispatch

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
