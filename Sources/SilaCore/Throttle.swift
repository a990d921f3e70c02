import Foundation

/// Lets an action through at most once per `interval`, from any thread: progress bars, job progress writes.
public final class Throttle: @unchecked Sendable {
    private let interval: TimeInterval
    private var last = Date.distantPast
    private let lock = NSLock()

    public init(interval: TimeInterval) {
        self.interval = interval
    }

    /// True when at least `interval` has passed since the last time it returned true.
    public func ready() -> Bool {
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(last) >= interval else { return false }
            last = now
            return true
        }
    }
}
