import Dispatch
import Foundation
import Logging
import SilaCore
import Store

/// What the server shares between requests: the store, the live index of the current model, and the running
/// recompute job, if any. The live index is swapped as a whole when a recompute finishes — this server's own, or
/// one another process (a nightly `sila index`) ran on the same database, which `reloadIfChanged` notices.
///
/// Live writes run one at a time on a queue of their own (`performWrite`), off the threads that answer reads; the
/// swap of a recompute and the reload of the live index run on that queue too, so a write waits for them and then
/// goes through the new index instead of failing.
final class ServerState: @unchecked Sendable {
    let store: SilaStore
    let indexOptions: IndexOptions
    private let lock = NSLock()
    private var live: LiveIndex?
    private var runningJob: Int64?
    /// The store's generation the live index was loaded at.
    private var loadedGeneration: StoreGeneration
    private var reloading = false
    /// Bumped after every change to what a GET may answer (live write, swap, reload); `AnswerCache` checks it.
    private var generationOfAnswers: UInt64 = 0
    private let writeQueue = DispatchQueue(label: "sila.live-writes")
    let startedAt = Date()
    /// Runs the WAL checkpoints that commits would otherwise run inside a PUT.
    private let checkpointer: WALCheckpointer?

    init(store: SilaStore, indexOptions: IndexOptions) throws {
        self.store = store
        self.indexOptions = indexOptions
        try store.failInterruptedJobs()
        try store.deferCheckpoints()
        checkpointer = store.readOnlyReason == nil ? WALCheckpointer(store: store) { error in
            Logger(label: "sila").warning("could not checkpoint the WAL (it grows until a checkpoint succeeds): \(error)")
        } : nil
        loadedGeneration = try store.generation()
        live = try LiveIndex.load(store: store)
        Self.warmPools(of: live)
    }

    /// Fills the candidate pools of a loaded index in the background, so that live writes re-rank from them from
    /// the start (`LiveIndex.warmCandidatePools`).
    private static func warmPools(of live: LiveIndex?) {
        guard let live else { return }
        let started = Date()
        live.warmCandidatePools { pools in
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            // What was freed while the pools warmed: the load's buffers; after a reload, the old index once its last
            // reader let go.
            FreedMemory.returnToSystem()
            if let pools {
                Logger(label: "sila").info("candidate pools of \(pools) articles ready for live writes (\(seconds) s)")
            } else {
                Logger(label: "sila").notice("candidate pool warm-up discarded after a failed write; pools fill as writes search")
            }
        }
    }

    deinit { checkpointer?.stop() }

    var liveIndex: LiveIndex? { lock.withLock { live } }

    /// The current generation of answers: take it before reading the store, file the answer under it.
    var answersGeneration: UInt64 { lock.withLock { generationOfAnswers } }

    /// Cached answers read before this call are not served any more.
    func answersChanged() { lock.withLock { generationOfAnswers &+= 1 } }

    /// Runs a live write (PUT, DELETE) on the write queue with the live index current when its turn comes. When
    /// another process swapped new lists or a model in since the index was loaded, the index is reloaded at once
    /// and the write retried, rather than refused until the next poll notices; 503 `index_reloading` only when
    /// that fails too.
    func performWrite<T: Sendable>(_ body: @escaping @Sendable (LiveIndex) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writeQueue.async { [self] in
                let result = Result {
                    guard let live = liveIndex else { throw APIError.noModel }
                    do {
                        return try body(live)
                    } catch is LiveIndexError where lock.withLock({ runningJob == nil }) {
                        try reloadOnWriteQueue()
                        guard let reloaded = liveIndex else { throw APIError.noModel }
                        return try Routes.reloadingAware { try body(reloaded) }
                    } catch let error as LiveIndexError {
                        return try Routes.reloadingAware { throw error }
                    }
                }
                answersChanged()  // after the commit, before the writer hears back
                if case .success = result { checkpointer?.nudge() }
                continuation.resume(with: result)
            }
        }
    }

    /// Loads the live index from the store and puts it in place, on the write queue (writes wait for it).
    private func installReloadedIndex() throws {
        try writeQueue.sync { try reloadOnWriteQueue() }
    }

    private func reloadOnWriteQueue() throws {
        dispatchPrecondition(condition: .onQueue(writeQueue))
        let generation = try store.generation()
        let reloaded = try LiveIndex.load(store: store)
        lock.withLock {
            live = reloaded
            loadedGeneration = generation
            generationOfAnswers &+= 1
        }
        // The old index (indexes too large for a pool warm-up get no other chance); off the write queue, which writes
        // wait on.
        BackgroundWork.start("sila.trim") { FreedMemory.returnToSystem() }
        Self.warmPools(of: reloaded)
    }

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
        answersChanged()  // the other process's lists are already in the store
        defer { lock.withLock { reloading = false } }
        logger?.notice("the database changed under the server (model \(current.modelID ?? "none")): reloading the index")
        try installReloadedIndex()
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
        BackgroundWork.start("sila.recompute") { [self] in
            var failure: String? = nil
            do {
                let store = self.store
                let throttle = Throttle(interval: 0.5)
                // Writes go on while it computes (the swap folds them in); they wait only for the swap and reload.
                _ = try Indexer(store: store).run(indexOptions) { progress in
                    guard progress.phase == "similarity", throttle.ready() else { return }
                    try? store.updateJob(id: jobID, progress: Double(progress.done) / Double(max(progress.total, 1)))
                } aroundSwap: { swap in
                    try self.writeQueue.sync {
                        defer { self.answersChanged() }
                        try swap()
                        try self.reloadOnWriteQueue()
                    }
                }
            } catch {
                failure = "\(error)"
            }
            try? store.finishJob(id: jobID, error: failure)
            checkpointer?.nudge()
            lock.withLock { runningJob = nil }
            FreedMemory.returnToSystem()  // the recompute's vectors, results and lists
        }
        return jobID
    }
}
