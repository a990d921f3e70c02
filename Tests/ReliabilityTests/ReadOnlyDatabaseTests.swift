import Foundation
import TestSupport
import Testing
@testable import Store

/// Issue 9, "Faults: a read-only database": on a file system mounted read-only, `sila ingest` and `sila index` fail
/// with a clear error (not SQLite's words, not a crash) and the reading commands go on working, the file untouched.
@Suite(.serialized) struct ReadOnlyDatabaseTests {
    let directory = TemporaryDirectory()

    @Test(.enabled(if: TmpfsMount.isAvailable, "\(TmpfsMount.skipReason)"))
    func aReadOnlyDatabaseRefusesWritesClearlyAndServesReads() throws {
        let disk = try TmpfsMount(kilobytes: 8192)
        let db = disk.path("sila.sqlite")
        let models = directory.path("models")
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 60).write(toFile: corpus, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", db, corpus]).status == 0)
        #expect(try Sila.run(["index", "--db", db, "--models-dir", models, "-k", "5", "--quiet"]).status == 0)
        let before = try DatabaseSnapshot(path: db)
        try disk.remountReadOnly()
        let bytes = fileBytes(db)

        let more = directory.path("more.jsonl")
        try SmallCorpus.jsonl(count: 5, prefix: "b").write(toFile: more, atomically: true, encoding: .utf8)
        let ingest = try Sila.run(["ingest", "--db", db, more])
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("read-only"), "\(ingest.stderr)")
        let index = try Sila.run(["index", "--db", db, "--models-dir", models, "--quiet"])
        #expect(index.status != 0)
        #expect(index.stderr.contains("read-only"), "\(index.stderr)")
        for stderr in [ingest.stderr, index.stderr] { #expect(!stderr.contains("SQLite error"), "\(stderr)") }

        let related = try Sila.run(["related", "--db", db, "a-1", "--json"])
        #expect(related.status == 0, "\(related.stderr)")
        #expect(related.stdout.contains("a-"))
        let stats = try Sila.run(["stats", "--db", db])
        #expect(stats.status == 0, "\(stats.stderr)")
        let export = try Sila.run(["export", "related", "--db", db])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.split(separator: "\n").count == 60)

        let store = try SilaStore.open(path: db, createIfMissing: false)
        #expect(store.isReadOnly)
        #expect(try DatabaseSnapshot(store) == before)
        #expect { _ = try store.upsert([Article(id: "x", body: "نص")]) } throws: { error in
            guard case StoreError.readOnly = error else { return false }
            return (error as? StoreError)?.isStorageUnavailable == true
        }
        try store.close()
        #expect(fileBytes(db) == bytes)
    }

    /// A database whose directory may not be written cannot be created there: a clear error, not SQLite's.
    @Test(.enabled(if: TmpfsMount.isAvailable, "\(TmpfsMount.skipReason)"))
    func creatingADatabaseOnAReadOnlyFileSystemIsAClearError() throws {
        let disk = try TmpfsMount(kilobytes: 256)
        try disk.remountReadOnly()
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 2).write(toFile: corpus, atomically: true, encoding: .utf8)
        let ingest = try Sila.run(["ingest", "--db", disk.path("new.sqlite"), corpus])
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("read-only"), "\(ingest.stderr)")
    }
}
