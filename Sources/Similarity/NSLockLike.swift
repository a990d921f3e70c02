import Foundation

/// A minimal mutual-exclusion lock (Foundation's `NSLock` behind a closure API).
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
