import Foundation
import Logging
import SilaCore
import Store

/// What the server shares between requests: the store, the live index of the current model, and the running
/// recompute job, if any. The live index is swapped as a whole when a recompute finishes — this server's own, or
/// one another process (a nightly `sila index`) ran on the same database, which `reloadIfChanged` notices.
final class ServerState: @unchecked Sendable {
    let store: SilaStore
    let indexOptions: IndexOptions
    private let lock = NSLock()
    private var live: LiveIndex?
    private var runningJob: Int64?
    /// The store's generation the live index was loaded at.
    private var loadedGeneration: StoreGeneration
    private var reloading = false
    let startedAt = Date()

    init(store: SilaStore, indexOptions: IndexOptions) throws {
        self.store = store
        self.indexOptions = indexOptions
        try store.failInterruptedJobs()
        loadedGeneration = try store.generation()
        live = try LiveIndex.load(store: store)
    }

    var liveIndex: LiveIndex? { lock.withLock { live } }

    /// Reloads the live index when another process replaced the model or swapped the lists since it was loaded.
    /// Reads go on from the stored lists meanwhile; writes are refused (503) until the new index is in, because
    /// the old one would vectorize with the old model. Returns whether a reload ran.
    @discardableResult
    func reloadIfChanged(logger: Logger? = nil) throws -> Bool {
        let current = try store.generation()
        let stale: Bool = lock.withLock {
            guard current != loadedGeneration, !reloading, runningJob == nil else { return false }
            reloading = true
            return true
        }
        guard stale else { return false }
        defer { lock.withLock { reloading = false } }
        logger?.notice("the database changed under the server (model \(current.modelID ?? "none")): reloading the index")
        let reloaded = try LiveIndex.load(store: store)
        lock.withLock {
            live = reloaded
            loadedGeneration = current
        }
        return true
    }

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
                let generation = try store.generation()
                let reloaded = try LiveIndex.load(store: store)
                lock.withLock {
                    live = reloaded
                    loadedGeneration = generation
                }
            } catch {
                failure = "\(error)"
            }
            try? store.finishJob(id: jobID, error: failure)
            lock.withLock { runningJob = nil }
        }
        return jobID
    }
}
