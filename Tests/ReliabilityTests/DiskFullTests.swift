import Foundation
import GRDB
import TestSupport
import Testing
@testable import SilaCore
@testable import Store

/// Issue 9, "Faults: disk full": a write that runs out of space is one clear error; the database keeps its previous
/// state (every committed article whole, the previous related lists served) and works again once there is room.
@Suite(.serialized) struct DiskFullTests {
    let directory = TemporaryDirectory()

    /// On a real full file system (a 2 MiB tmpfs): `sila ingest` of 4 MB stops with "disk is full", every stored
    /// article is whole, the earlier articles and lists are unchanged and still served, `sila index` on the full disk
    /// fails the same way, and after space is freed the same commands finish.
    @Test(.enabled(if: TmpfsMount.isAvailable, "\(TmpfsMount.skipReason)"))
    func aFullDiskStopsIngestAndIndexWithAClearErrorAndKeepsTheOldState() throws {
        let disk = try TmpfsMount(kilobytes: 2048)
        let db = disk.path("sila.sqlite")
        let models = directory.path("models")
        let small = directory.path("small.jsonl")
        try SmallCorpus.jsonl(count: 40, prefix: "old").write(toFile: small, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", db, small]).status == 0)
        let indexed = try Sila.run(["index", "--db", db, "--models-dir", models, "-k", "5", "--quiet"])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        let before = try DatabaseSnapshot(path: db)
        #expect(before.lists.count == 40)

        // A ballast file leaves the database little room, then 3,000 articles of about 1.4 KB each.
        let ballast = disk.path("ballast")
        FileManager.default.createFile(atPath: ballast, contents: Data(count: 1_300_000))
        let big = directory.path("big.jsonl")
        let bigText = SmallCorpus.jsonl(count: 3000, prefix: "new", bodyWords: 120, seed: 2)
        try bigText.write(toFile: big, atomically: true, encoding: .utf8)
        let ingest = try Sila.run(["ingest", "--db", db, big])
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("the disk is full"), "\(ingest.stderr)")
        #expect(ingest.stderr.contains("rolled back"), "\(ingest.stderr)")
        #expect(!ingest.stderr.contains("SQLite error"), "\(ingest.stderr)")

        let afterIngest = try DatabaseSnapshot(path: db)
        #expect(afterIngest.lists == before.lists)
        for (id, article) in before.articles { #expect(afterIngest.articles[id] == article) }
        let source = try Dictionary(uniqueKeysWithValues: bigText.split(separator: "\n").map { line -> (String, String) in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (object["id"] as! String, object["body"] as! String)
        })
        for (id, article) in afterIngest.articles where id.hasPrefix("new-") { #expect(article.body == source[id], "\(id) not whole") }
        #expect(afterIngest.articles.count < 3040, "the disk never filled up")
        let related = try Sila.run(["related", "--db", db, "old-1"])
        #expect(related.status == 0 && !related.stdout.isEmpty, "\(related.stderr)")

        // Now every byte of the file system is taken: reads still work, `sila index` (new articles need vectors,
        // every list is rewritten) fails with the same clear error and the lists stay as they were.
        try FileManager.default.removeItem(atPath: big)
        let filler = disk.path("filler")
        Self.fillUp(filler)
        let readOnFullDisk = try Sila.run(["related", "--db", db, "old-2"])
        #expect(readOnFullDisk.status == 0 && !readOnFullDisk.stdout.isEmpty, "\(readOnFullDisk.stderr)")
        let index = try Sila.run(["index", "--db", db, "--models-dir", models, "-k", "5", "--quiet"])
        #expect(index.status != 0)
        #expect(index.stderr.contains("the disk is full"), "\(index.stderr)")
        #expect(try DatabaseSnapshot(path: db).lists == before.lists)
        let store = try SilaStore.open(path: db, createIfMissing: false)
        #expect(try store.integrityCheck() == "ok")
        try store.close()
        try FileManager.default.removeItem(atPath: filler)

        try FileManager.default.removeItem(atPath: ballast)
        let smaller = directory.path("smaller.jsonl")
        try SmallCorpus.jsonl(count: 300, prefix: "new", bodyWords: 120, seed: 2).write(toFile: smaller, atomically: true, encoding: .utf8)
        let retry = try Sila.run(["ingest", "--db", db, smaller])
        #expect(retry.status == 0, "\(retry.stderr)")
        let reindex = try Sila.run(["index", "--db", db, "--models-dir", models, "-k", "5", "--quiet"])
        #expect(reindex.status == 0, "\(reindex.stderr)")
    }

    /// Writes zeros to `path` until the file system refuses another byte.
    static func fillUp(_ path: String) {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.synchronize()
    }

    /// The same during the list swap, with SQLite's own size limit (`PRAGMA max_page_count`) on the writer: the
    /// recompute fails with `StoreError.diskFull`, the previous lists stay served, and a later recompute with room
    /// succeeds.
    @Test func aRecomputeThatRunsOutOfSpaceKeepsThePreviousLists() throws {
        let store = try SilaStore.open(path: directory.path("limit.sqlite"), createIfMissing: true)
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 300, prefix: "a").write(toFile: corpus, atomically: true, encoding: .utf8)
        _ = try Ingestor(store: store).ingest(paths: [corpus], format: nil)
        var options = IndexOptions()
        options.k = 5
        options.modelsDirectory = nil
        options.threads = 1
        _ = try Indexer(store: store).run(options)
        let before = try DatabaseSnapshot(store)
        #expect(before.lists.count == 300)

        try store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        options.k = 12
        #expect { try Indexer(store: store).run(options) } throws: { error in
            guard case StoreError.diskFull = error else { return false }
            return "\(error)".contains("previous state")
        }
        #expect(try DatabaseSnapshot(store) == before)
        #expect(try store.integrityCheck() == "ok")

        try store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        _ = try Indexer(store: store).run(options)
        #expect(try store.relatedList(of: "a-1").count > 5)
    }
}
