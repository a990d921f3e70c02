import Foundation
import GRDB
import TestSupport
import Testing
@testable import Store

/// Issue 9, "the server keeps answering reads" and "a clear 503": `sila serve` as a user runs it, on a database
/// that is read-only or locked by another writer. Reads answer 200; writes answer 503 with a stable code
/// (`storage_unavailable`, `database_busy`) instead of a 500 with SQLite's words.
@Suite(.serialized) struct ServerStorageFaultTests {
    let directory = TemporaryDirectory()

    /// Serves `db` on a socket of the test's directory while `body` runs.
    func serving<T>(_ db: String, _ body: (String) throws -> T) throws -> T {
        let socket = directory.path("s-\(UUID().uuidString.prefix(8)).sock")
        let (server, exit) = try CommandRunner.start(["serve", "--db", db, "--socket", socket])
        defer {
            server.terminate()
            exit.wait()
        }
        let deadline = Date().addingTimeInterval(30)
        while (try? UnixHTTPClient.request(socket: socket, method: "GET", target: "/v1/health")) == nil {
            guard Date() < deadline, server.isRunning else { throw TmpfsMount.CommandFailed(description: "sila serve did not start") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try body(socket)
    }

    func indexed(_ db: String) throws {
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 40).write(toFile: corpus, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", db, corpus]).status == 0)
        #expect(try Sila.run(["index", "--db", db, "--models-dir", directory.path("models"), "-k", "5", "--quiet"]).status == 0)
    }

    static let article = Data(#"{"id": "new-1", "title": "الحكومة", "body": "الحكومة البرلمان الانتخابات الرئيس"}"#.utf8)

    @Test(.enabled(if: TmpfsMount.isAvailable, "\(TmpfsMount.skipReason)"))
    func onAReadOnlyDatabaseTheServerAnswersReadsAndRefusesWritesWith503() throws {
        let disk = try TmpfsMount(kilobytes: 8192)
        let db = disk.path("sila.sqlite")
        try indexed(db)
        try disk.remountReadOnly()
        try serving(db) { socket in
            let read = try UnixHTTPClient.request(socket: socket, method: "GET", target: "/v1/articles/a-1/related?k=3")
            #expect(read.status == 200, "\(read.text)")
            let write = try UnixHTTPClient.request(socket: socket, method: "PUT", target: "/v1/articles/new-1", body: Self.article)
            #expect(write.status == 503, "\(write.text)")
            #expect(write.text.contains("storage_unavailable"), "\(write.text)")
        }
    }

    @Test func whileAnotherProcessHoldsTheWriteLockWritesAnswer503DatabaseBusyAndReadsGoOn() throws {
        let db = directory.path("busy.sqlite")
        try indexed(db)
        try serving(db) { socket in
            let other = try DatabaseQueue(path: db)
            defer { try? other.close() }
            try other.writeWithoutTransaction { connection in
                try connection.execute(sql: "BEGIN IMMEDIATE")
                defer { try? connection.execute(sql: "ROLLBACK") }
                let read = try UnixHTTPClient.request(socket: socket, method: "GET", target: "/v1/articles/a-1/related?k=3")
                #expect(read.status == 200, "\(read.text)")
                let started = Date()
                let write = try UnixHTTPClient.request(socket: socket, method: "PUT", target: "/v1/articles/new-1", body: Self.article)
                #expect(write.status == 503, "\(write.text)")
                #expect(write.text.contains("database_busy"), "\(write.text)")
                #expect(Date().timeIntervalSince(started) < SilaStoreLimits.busyTimeout + 10)
            }
            let retried = try UnixHTTPClient.request(socket: socket, method: "PUT", target: "/v1/articles/new-1", body: Self.article)
            #expect(retried.status == 201, "\(retried.text)")
        }
    }
}
