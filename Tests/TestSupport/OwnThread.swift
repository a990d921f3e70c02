import Foundation

/// Runs blocking work (socket reads, sleeps) on a thread of its own and awaits its result. Async tests must never
/// block the cooperative thread pool — `Task.detached` runs there too: with 2 cores, two blocked tasks starve the
/// in-process server the test is talking to, and the suites hang.
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// `onOwnThread` for work that cannot fail (waiting for a child process).
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
