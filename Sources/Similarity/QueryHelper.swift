import Dispatch
import Foundation

/// One persistent helper thread that takes half of a long single query (`SingleQuery`), so that a query's posting
/// walk runs on two cores without creating a thread per query.
///
/// Hand-off: the caller posts its second half and runs its first; when done it either finds the second half still
/// unclaimed (the helper has not woken yet: the machine is busy) and runs it itself, or waits for the helper to
/// finish it. So a slow wake-up never costs more than running the query alone, and a busy helper (another query
/// holds it) means the caller runs both halves itself.
final class QueryHelper: @unchecked Sendable {
    static let shared = QueryHelper()

    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Guarded by `lock`: whether a query holds the helper, and its posted, unclaimed half.
    private var inUse = false
    private var posted: (() -> Void)?

    private init() {
        let thread = Thread { [self] in
            while true {
                wake.wait()
                if runPosted() { finished.signal() }
            }
        }
        thread.name = "sila-query-helper"
        thread.start()
    }

    /// Runs the posted half if it is still unclaimed; every reference to it is released before returning.
    @inline(never)
    private func runPosted() -> Bool {
        lock.lock()
        let job = posted
        posted = nil
        lock.unlock()
        guard let job else { return false }
        job()
        return true
    }

    /// Runs `first` on the calling thread and `second` on the helper (or here, see the type's comment); returns
    /// when both are done.
    func run(_ first: () -> Void, _ second: () -> Void) {
        lock.lock()
        let available = !inUse
        if available { inUse = true }
        lock.unlock()
        guard available else {
            first()
            second()
            return
        }
        withoutActuallyEscaping(second) { second in
            lock.lock()
            posted = second
            lock.unlock()
            wake.signal()
            first()
            lock.lock()
            let unclaimed = posted
            posted = nil
            lock.unlock()
            if let unclaimed {
                unclaimed()
            } else {
                finished.wait()
            }
        }
        lock.lock()
        inUse = false
        lock.unlock()
    }
}

/// Reusable per-query buffers: the query densely over the vocabulary (kept all zero between queries) and the
/// per-row partial scores. Taken from and returned to a small pool, so a query neither allocates nor clears
/// O(vocabulary) memory.
final class QueryScratch {
    private(set) var dense: UnsafeMutablePointer<Float>
    /// A second dense query (all zero between uses, like `dense`): the long lists' terms, for `SingleQuery.scores`.
    private(set) var longDense: UnsafeMutablePointer<Float>
    private(set) var denseCapacity = 0
    private(set) var partial: UnsafeMutablePointer<Float>
    private(set) var partialCapacity = 0

    init() {
        dense = .allocate(capacity: 1)
        longDense = .allocate(capacity: 1)
        partial = .allocate(capacity: 1)
    }

    deinit {
        dense.deallocate()
        longDense.deallocate()
        partial.deallocate()
    }

    /// Makes room for `vocabulary` dense entries (all zero) and `rows` partial scores (uninitialized values).
    func reserve(vocabulary: Int, rows: Int) {
        if vocabulary > denseCapacity {
            dense.deallocate()
            longDense.deallocate()
            denseCapacity = max(vocabulary, 1)
            dense = .allocate(capacity: denseCapacity)
            dense.initialize(repeating: 0, count: denseCapacity)
            longDense = .allocate(capacity: denseCapacity)
            longDense.initialize(repeating: 0, count: denseCapacity)
        }
        if rows > partialCapacity {
            partial.deallocate()
            partialCapacity = max(rows, 1)
            partial = .allocate(capacity: partialCapacity)
            partial.initialize(repeating: 0, count: partialCapacity)
        }
    }
}

/// The pool of `QueryScratch` buffers (at most `maxKept` kept while idle).
final class QueryScratchPool: @unchecked Sendable {
    static let shared = QueryScratchPool()
    static let maxKept = 4

    private let lock = NSLock()
    private var idle: [QueryScratch] = []

    func take() -> QueryScratch {
        lock.lock()
        let scratch = idle.popLast()
        lock.unlock()
        return scratch ?? QueryScratch()
    }

    /// Returns a scratch whose dense part is all zero again.
    func give(_ scratch: QueryScratch) {
        lock.lock()
        if idle.count < Self.maxKept { idle.append(scratch) }
        lock.unlock()
    }
}
