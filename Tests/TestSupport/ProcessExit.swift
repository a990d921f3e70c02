import Dispatch
import Foundation

/// The end of a child process, told by its termination handler.
///
/// Foundation's `waitUntilExit()` polls a run loop, and off the main thread (where tests run) it can miss the end
/// of a child that has already exited and wait forever: a full test run once hung there after a `sila ingest` was
/// killed. The handler is set before `run()`, so a child that ends at once is not missed either.
public final class ProcessExit: @unchecked Sendable {
    private let ended = DispatchSemaphore(value: 0)

    /// Call before `process.run()`; it takes the process's termination handler.
    public init(of process: Process) {
        process.terminationHandler = { [ended] _ in ended.signal() }
    }

    /// Blocks the calling thread until the child has ended (the termination status is then set). Any number of
    /// calls, from any thread.
    public func wait() {
        ended.wait()
        ended.signal()
    }

    /// Waits on a thread of its own, never blocking the cooperative pool; returns when the child has ended.
    @discardableResult
    public func waitAsync() async -> ContinuousClock.Instant {
        await onOwnThread { [self] in
            wait()
            return ContinuousClock.now
        }
    }
}
