import Foundation
import GRDB
import TestSupport
import Testing
@testable import Store

/// Issue 9, "Faults: a database locked by another writer": while another process holds SQLite's write lock, a
/// writing command waits a bounded time (`SilaStoreLimits.busyTimeout`) and then fails with a clear error and a
/// non-zero status; reading commands are not held up at all (WAL readers never wait for the writer); and the store
/// throws `StoreError.busy`, which the server answers with 503.
@Suite(.serialized) struct LockedDatabaseTests {
    let directory = TemporaryDirectory()

    func indexedDatabase() throws -> String {
        let db = directory.path("locked.sqlite")
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 30).write(toFile: corpus, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", db, corpus]).status == 0)
        #expect(try Sila.run(["index", "--db", db, "--models-dir", directory.path("models"), "-k", "5", "--quiet"]).status == 0)
        return db
    }

    /// Runs `body` while this process holds the write lock of `path` (a `BEGIN IMMEDIATE` transaction), as a Sila
    /// process in the middle of a write would: with the database open (its WAL started) before it took the lock.
    func whileLocked<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let sila = try SilaStore.open(path: path, createIfMissing: false)
        defer { try? sila.close() }
        let other = try DatabaseQueue(path: path)
        defer { try? other.close() }
        return try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try body()
        }
    }

    @Test func writersWaitBoundedThenFailClearlyWhileReadersGoOn() throws {
        let db = try indexedDatabase()
        let more = directory.path("more.jsonl")
        try SmallCorpus.jsonl(count: 3, prefix: "b").write(toFile: more, atomically: true, encoding: .utf8)
        let (ingest, ingestSeconds, related, relatedSeconds) = try whileLocked(db) {
            let started = Date()
            let ingest = try Sila.run(["ingest", "--db", db, more])
            let ingestSeconds = Date().timeIntervalSince(started)
            let relatedStarted = Date()
            let related = try Sila.run(["related", "--db", db, "a-1"])
            return (ingest, ingestSeconds, related, Date().timeIntervalSince(relatedStarted))
        }
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("locked by another writer"), "\(ingest.stderr)")
        #expect(ingestSeconds >= SilaStoreLimits.busyTimeout - 0.5 && ingestSeconds < SilaStoreLimits.busyTimeout + 15, "\(ingestSeconds) s")
        // Opening used to take the write lock (to drop a shadow table that was not there): a read then waited for
        // the writer and failed.
        #expect(related.status == 0, "\(related.stderr)")
        #expect(relatedSeconds < SilaStoreLimits.busyTimeout - 1, "a read waited \(relatedSeconds) s for the writer")

        let index = try whileLocked(db) { try Sila.run(["index", "--db", db, "--models-dir", directory.path("models"), "--quiet"]) }
        #expect(index.status != 0)
        #expect(index.stderr.contains("locked by another writer"), "\(index.stderr)")

        // Once the lock is gone the same ingest finishes.
        #expect(try Sila.run(["ingest", "--db", db, more]).status == 0)
    }

    @Test func theStoreReportsALockedDatabaseAsBusyAndUnavailable() throws {
        let db = try indexedDatabase()
        let store = try SilaStore.open(path: db, createIfMissing: false)
        defer { try? store.close() }
        let error = try whileLocked(db) { () -> Error? in
            do {
                _ = try store.upsert([Article(id: "x", body: "نص")])
                return nil
            } catch {
                return error
            }
        }
        guard case StoreError.busy = try #require(error) else {
            Issue.record("expected StoreError.busy, got \(String(describing: error))")
            return
        }
        #expect((error as? StoreError)?.isStorageUnavailable == true)
        #expect(try store.relatedList(of: "a-1").count == 5)
    }
}
