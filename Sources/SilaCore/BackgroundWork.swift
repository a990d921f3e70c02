import Dispatch

/// Starts long CPU-bound work (a pool warm-up, a recompute, a reload) in the background, on a thread that
/// libdispatch owns.
///
/// Why not `Thread.detachNewThread`: this work calls `DispatchQueue.concurrentPerform`, and on Linux a
/// `dispatch_apply` made from a thread libdispatch did not create, which then exits while dispatch's workers are
/// busy, frees a dispatch continuation twice (AddressSanitizer: "attempting double-free", allocated in
/// `dispatch_apply_f` on the exiting thread, freed again in a dispatch worker; with glibc's allocator the heap is
/// silently corrupted, and `tcache_thread_shutdown(): unaligned tcache chunk detected` aborts the process later).
/// A serial queue of its own runs the work at once on a dispatch worker (it targets the overcommit pool, so it
/// never waits behind other queues), and dispatch's own threads do not have the problem.
public enum BackgroundWork {
    /// Runs `work` on a new serial queue named `label` (the name shows in debuggers and crash reports).
    public static func start(_ label: String, _ work: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: label)
        queue.setSpecific(key: labelKey, value: label)
        queue.async(execute: work)
    }

    /// The label of the background work running the caller, nil outside one (for logs and tests).
    public static var currentLabel: String? { DispatchQueue.getSpecific(key: labelKey) }

    private static let labelKey = DispatchSpecificKey<String>()
}
