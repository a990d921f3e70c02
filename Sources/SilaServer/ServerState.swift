import Foundation
import SilaCore
import Store

/// What the server shares between requests: the store, the live index of the current model, and the running
/// recompute job, if any. The live index is swapped as a whole when a recompute finishes.
final class ServerState: @unchecked Sendable {
    let store: SilaStore
    let indexOptions: IndexOptions
    private let lock = NSLock()
    private var live: LiveIndex?
    private var runningJob: Int64?
    let startedAt = Date()

    init(store: SilaStore, indexOptions: IndexOptions) throws {
        self.store = store
        self.indexOptions = indexOptions
        try store.failInterruptedJobs()
        live = try LiveIndex.load(store: store)
    }

    var liveIndex: LiveIndex? { lock.withLock { live } }

    /// Starts a background recompute; returns its job id, or nil when one is already running.
    func startRecompute() throws -> Int64? {
        let jobID: Int64 = try lock.withLock {
            if runningJob != nil { return -1 }
            let id = try store.startJob(kind: "recompute")
            runningJob = id
            return id
        }
        guard jobID >= 0 else { return nil }
        Thread.detachNewThread { [self] in
            var failure: String? = nil
            do {
                let store = self.store
                let throttle = Throttle(interval: 0.5)
                _ = try Indexer(store: store).run(indexOptions) { progress in
                    guard progress.phase == "similarity", throttle.ready() else { return }
                    try? store.updateJob(id: jobID, progress: Double(progress.done) / Double(max(progress.total, 1)))
                }
                let reloaded = try LiveIndex.load(store: store)
                lock.withLock { live = reloaded }
            } catch {
                failure = "\(error)"
            }
            try? store.finishJob(id: jobID, error: failure)
            lock.withLock { runningJob = nil }
        }
        return jobID
    }
}
