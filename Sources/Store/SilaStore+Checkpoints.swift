import Foundation
import GRDB

extension SilaStore {
    /// For a long-running writer (the server): commits stop running WAL checkpoints themselves; a
    /// `WALCheckpointer` runs them beside the writer instead.
    ///
    /// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages: it copies and syncs every
    /// page written since the last one, tens of milliseconds that land on one PUT. Other processes opening the
    /// database keep the automatic checkpoint (the setting is per connection), and closing the last connection
    /// still checkpoints.
    public func deferCheckpoints() throws {
        guard readOnlyReason == nil else { return }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }
}

/// Copies committed pages from the WAL into the database file on a thread and a connection of its own, without
/// waiting for readers or the writer (passive checkpoints), after each `nudge()`. Once a checkpoint has caught up,
/// the writer's next transaction starts the WAL over, so the file stays short and commits never pay for it.
public final class WALCheckpointer: @unchecked Sendable {
    private let path: String
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var pending = false
    private var stopped = false
    private let onError: @Sendable (Error) -> Void

    /// - Parameter onError: told when a checkpoint fails (the WAL then grows until one succeeds).
    public init(store: SilaStore, onError: @escaping @Sendable (Error) -> Void) {
        path = store.path
        self.onError = onError
        let thread = Thread { [self] in run() }
        thread.name = "sila.checkpoints"
        thread.start()
    }

    /// A commit happened: checkpoint soon.
    public func nudge() {
        let wasPending = lock.withLock {
            defer { pending = true }
            return pending
        }
        if !wasPending { wake.signal() }
    }

    /// Ends the thread after the checkpoint in progress, if any.
    public func stop() {
        lock.withLock { stopped = true }
        wake.signal()
    }

    private func run() {
        var connection: DatabaseQueue?
        while true {
            wake.wait()
            let stop = lock.withLock {
                pending = false
                return stopped
            }
            if stop { return }
            do {
                if connection == nil {
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(SilaStoreLimits.busyTimeout)
                    connection = try DatabaseQueue(path: path, configuration: configuration)
                }
                // Until caught up (bounded: under a steady stream of commits it never is, and the next nudge comes).
                for _ in 0..<8 {
                    let (logged, copied) = try connection!.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                    if copied >= logged { break }
                }
            } catch {
                connection = nil
                onError(error)
            }
        }
    }
}
