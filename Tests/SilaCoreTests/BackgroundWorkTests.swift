import Dispatch
import Foundation
import TestSupport
import Testing
@testable import SilaCore

@Suite struct BackgroundWorkTests {
    let directory = TemporaryDirectory()

    /// The pool warm-up calls `DispatchQueue.concurrentPerform`; run from a `Thread.detachNewThread` thread that
    /// then exited, that corrupted the heap (a dispatch continuation freed twice; the server test process aborted
    /// in `tcache_thread_shutdown`). It must run, to its `done` callback, on a queue dispatch owns.
    @Test func aPoolWarmUpRunsOnADispatchQueueNotOnAThreadOfItsOwn() async throws {
        let (_, live) = try IndexedSample.make(in: directory, "warm.sqlite", plain: true)
        let (pools, label): (Int?, String?) = await withCheckedContinuation { continuation in
            live.warmCandidatePools { pools in continuation.resume(returning: (pools, BackgroundWork.currentLabel)) }
        }
        #expect(label == "sila.pool-warm-up")
        #expect(pools == live.articleCount)
    }

    @Test func workRunsInTheBackgroundUnderItsLabelAndOnlyThere() async {
        #expect(BackgroundWork.currentLabel == nil)
        let label: String? = await withCheckedContinuation { continuation in
            BackgroundWork.start("sila.test-job") { continuation.resume(returning: BackgroundWork.currentLabel) }
        }
        #expect(label == "sila.test-job")
    }
}
