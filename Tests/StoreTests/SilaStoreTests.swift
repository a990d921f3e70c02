import Foundation
import GRDB
import TestSupport
import Testing
import Vectorizer
@testable import Store

@Suite struct SilaStoreTests {
    let directory = TemporaryDirectory()

    func article(_ id: String, _ body: String = "نص الخبر", date: String? = "2025-01-01T00:00:00Z") -> Article {
        Article(id: id, title: "عنوان \(id)", body: body, category: "politics", tags: ["a"], url: "https://x/\(id)", publishedAt: date)
    }

    @Test func openingAMissingDatabaseWithoutCreateSaysHowToCreateIt() {
        #expect {
            try SilaStore.open(path: directory.path("missing.sqlite"), createIfMissing: false)
        } throws: { error in
            "\(error)".contains("sila ingest")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("missing.sqlite")))
    }

    @Test func aForeignFileIsRefusedAndLeftUntouched() throws {
        let path = directory.path("notes.sqlite")
        try Data("hello, not a database".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try SilaStore.open(path: path, createIfMissing: true) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, not a database")
    }

    @Test func anSQLiteDatabaseOfAnotherApplicationIsRefused() throws {
        let path = directory.path("other.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE customers (id INTEGER PRIMARY KEY)") }
        try queue.close()
        #expect { try SilaStore.open(path: path, createIfMissing: true) } throws: { "\($0)".contains("not a Sila database") }
    }

    @Test func aDatabaseMigratedByANewerSilaIsRefused() throws {
        let path = directory.path("newer.sqlite")
        try SilaStore.open(path: path, createIfMissing: true).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        #expect { try SilaStore.open(path: path, createIfMissing: false) } throws: { "\($0)".contains("newer Sila") }
    }

    @Test func theSchemaUsesWALAndForeignKeys() throws {
        let store = try SilaStore.open(path: directory.path("wal.sqlite"), createIfMissing: true)
        let (mode, foreignKeys) = try store.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(foreignKeys == 1)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func upsertInsertsUpdatesAndSkipsUnchangedArticles() throws {
        let store = try SilaStore.open(path: directory.path("a.sqlite"), createIfMissing: true)
        let first = try store.upsert([article("1"), article("2")])
        #expect(first.inserted == 2)
        let second = try store.upsert([article("1"), article("2", "نص جديد"), article("3")])
        #expect(second.inserted == 1 && second.updated == 1 && second.unchanged == 1)
        #expect(try store.article(id: "2")?.body == "نص جديد")
        #expect(try store.articleCount() == 3)
    }

    @Test func anArticleRoundTripsWithEveryField() throws {
        let store = try SilaStore.open(path: directory.path("b.sqlite"), createIfMissing: true)
        let original = Article(id: "x", title: "t", body: "b", category: "c", tags: ["و", "b"], url: "u", publishedAt: "2025-02-03T04:05:06Z")
        _ = try store.upsert([original])
        #expect(try store.article(id: "x") == original)
    }

    @Test func changingAnArticleDropsItsStaleVector() throws {
        let store = try SilaStore.open(path: directory.path("c.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2")])
        let model = TFIDFModel(
            name: "m", analyzerVersion: "v", analyzerConfiguration: .standard, parameters: TFIDFParameters(),
            documentCount: 2, terms: ["x"], documentFrequencies: [1])
        try store.saveCurrentModel(model)
        let vector = SparseVector(termIDs: [0], weights: [1])
        try store.saveVectors(
            [VectorWrite(articleID: "1", textHash: "h", vector: vector), VectorWrite(articleID: "2", textHash: "h", vector: vector)],
            modelID: model.id)
        #expect(try store.articleIDsNeedingVectors(modelID: model.id).isEmpty)
        _ = try store.upsert([article("2", "نص مختلف")])
        #expect(try store.articleIDsNeedingVectors(modelID: model.id) == ["2"])
        #expect(try store.loadVectors(modelID: model.id).map(\.vector) == [vector])
    }

    @Test func vectorsRoundTripThroughTheirBlobs() throws {
        let vector = SparseVector(termIDs: [0, 7, 70_000], weights: [0.5, -0.25, 0.125])
        let blobs = VectorBlob.encode(vector)
        #expect(VectorBlob.decode(terms: blobs.terms, weights: blobs.weights) == vector)
        #expect(VectorBlob.decode(terms: blobs.terms.dropLast(), weights: blobs.weights) == nil)
    }

    @Test func replacingAllListsSwapsInACompleteNewSet() throws {
        let store = try SilaStore.open(path: directory.path("d.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2"), article("3")])
        try store.replaceAllRelated(modelID: "m1") { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.25)], .unknown)
            try write("2", [RelatedEntry(id: "1", score: 0.5)], .unknown)
        }
        #expect(try store.relatedList(of: "1").map(\.id) == ["2", "3"])
        try store.replaceAllRelated(modelID: "m2") { write in
            try write("3", [RelatedEntry(id: "1", score: 0.9)], .unknown)
        }
        #expect(try store.relatedList(of: "1").isEmpty)
        #expect(try store.relatedList(of: "3") == [RelatedEntry(id: "1", score: 0.9)])
    }

    @Test func aRecomputeThatFailsBeforeTheSwapLeavesTheOldListsServedAndNoShadowTable() throws {
        let store = try SilaStore.open(path: directory.path("e.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2")])
        try store.replaceAllRelated(modelID: "m1") { write in try write("1", [RelatedEntry(id: "2", score: 0.5)], .unknown) }
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try store.replaceAllRelated(modelID: "m2") { write in
                try write("1", [], .unknown)
                throw Interrupted()
            }
        }
        #expect(try store.relatedList(of: "1") == [RelatedEntry(id: "2", score: 0.5)])
        #expect(try shadowTables(store).isEmpty)
    }

    func shadowTables(_ store: SilaStore) throws -> [String] {
        try store.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'related_shadow%'") }
    }

    /// A recompute killed before its swap leaves its shadow table; the next open drops it — but not the table of
    /// a recompute still running in another process (a `sila stats` during a server's recompute used to break it).
    @Test func openingDropsTheShadowTableOfADeadProcessButNotOfALiveOne() throws {
        let path = directory.path("shadows.sqlite")
        let store = try SilaStore.open(path: path, createIfMissing: true)
        var deadPID: Int32 = 4_000_000
        while kill(deadPID, 0) == 0 || errno != ESRCH { deadPID -= 1 }
        try store.pool.write { db in
            try Schema.createRelatedTable(db, named: "related_shadow_\(deadPID)_1")
            try Schema.createRelatedTable(db, named: "related_shadow_\(getpid())_2")
            try Schema.createRelatedTable(db, named: "related_shadow")  // the fixed name of an older Sila
        }
        try store.close()
        let reopened = try SilaStore.open(path: path, createIfMissing: false)
        #expect(try shadowTables(reopened) == ["related_shadow_\(getpid())_2"])
    }

    /// A server deletes an article while a recompute writes its lists: entries naming it are left out instead of
    /// failing the recompute on the foreign key.
    @Test func listsNamingAnArticleDeletedDuringTheRecomputeAreWrittenWithoutIt() throws {
        let store = try SilaStore.open(path: directory.path("fk.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2"), article("3")])
        let mark = try store.changeMark()
        #expect(try store.commitDelete(id: "2", refilledLists: [:], modelID: nil))
        try store.replaceAllRelated(modelID: "m", since: mark) { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.25)], .unknown)
            try write("2", [RelatedEntry(id: "1", score: 0.5)], .unknown)
        }
        #expect(try store.relatedList(of: "1").map(\.id) == ["3"])
        #expect(try store.relatedList(of: "2").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    /// The journal hands the swap transaction every article written since the mark, in its current state.
    @Test func theSwapSeesTheArticlesWrittenSinceItsMark() throws {
        let store = try SilaStore.open(path: directory.path("journal.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2"), article("3")])
        _ = try store.commitUpsert(article("0"), vector: nil, modelID: nil, list: [], updatedLists: [:])
        let mark = try store.changeMark()
        _ = try store.commitUpsert(article("4"), vector: nil, modelID: nil, list: [], updatedLists: [:])
        #expect(try store.commitDelete(id: "2", refilledLists: [:], modelID: nil))
        var seen = [String: Bool]()
        try store.replaceAllRelated(modelID: "m", since: mark) { _ in } reconcile: { context in
            for change in try context.changedArticles() { seen[change.id] = change.vector != nil || change.category != nil }
            return ReconciledLists(lists: ["4": [RelatedEntry(id: "1", score: 0.3)]])
        }
        #expect(Set(seen.keys) == ["4", "2"])
        #expect(try store.relatedList(of: "4") == [RelatedEntry(id: "1", score: 0.3)])
    }

    /// What a write learns of other lists' candidate pools is stored with it, for a server that restarts.
    @Test func poolBoundsAreStoredWithTheListsAndUpdatedByLiveWrites() throws {
        let store = try SilaStore.open(path: directory.path("pools.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2"), article("3")])
        try store.replaceAllRelated(modelID: "m") { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5)], PoolBound(floor: 0.25, edgeListed: true))
            try write("2", [RelatedEntry(id: "1", score: 0.5)], PoolBound(floor: -1, edgeListed: false))
        }
        #expect(
            try store.commitDelete(
                id: "3", refilledLists: ["1": [RelatedEntry(id: "2", score: 0.45)]],
                poolBounds: ["1": PoolBound(floor: 0.2, edgeListed: false), "2": .unknown], modelID: "m"))
        var pools = [String: PoolBound]()
        try store.forEachRelatedListWithPool { id, _, pool in pools[id] = pool }
        #expect(pools == ["1": PoolBound(floor: 0.2, edgeListed: false), "2": .unknown])
        #expect(try store.relatedList(of: "1") == [RelatedEntry(id: "2", score: 0.45)])
        #expect(try store.relatedList(of: "2") == [RelatedEntry(id: "1", score: 0.5)])
    }

    /// The bound is kept on a list's first row: a list that lost that row without being rewritten has none known.
    @Test func aListWhoseFirstRowWasCascadedOutHasNoKnownPoolBound() throws {
        let store = try SilaStore.open(path: directory.path("first-row.sqlite"), createIfMissing: true)
        _ = try store.upsert(["1", "2", "3"].map { article($0) })
        try store.replaceAllRelated(modelID: "m") { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.4)], PoolBound(floor: 0.3, edgeListed: false))
            try write("3", [RelatedEntry(id: "1", score: 0.4)], PoolBound(floor: -1, edgeListed: false))
        }
        // Deleting "2" without refilling list "1" leaves "3" at rank 2.
        #expect(try store.commitDelete(id: "2", refilledLists: [:], modelID: "m"))
        var pools = [String: PoolBound]()
        var lists = [String: [RelatedEntry]]()
        try store.forEachRelatedListWithPool { id, entries, pool in
            pools[id] = pool
            lists[id] = entries
        }
        #expect(lists["1"] == [RelatedEntry(id: "3", score: 0.4)])
        #expect(pools == ["1": .unknown, "3": PoolBound(floor: -1, edgeListed: false)])
    }

    @Test func liveListWritesTouchOnlyTheRowsThatDiffer() throws {
        let store = try SilaStore.open(path: directory.path("diff.sqlite"), createIfMissing: true)
        _ = try store.upsert(["1", "2", "3", "4", "5"].map { article($0) })
        let pool = PoolBound(floor: 0.1, edgeListed: false)
        let stored: [String: [RelatedEntry]] = [
            "1": [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.4)],
            "2": [RelatedEntry(id: "1", score: 0.5)],
            "3": [RelatedEntry(id: "1", score: 0.4), RelatedEntry(id: "2", score: 0.3)],
            "4": [RelatedEntry(id: "5", score: 0.2), RelatedEntry(id: "1", score: 0.1)],
        ]
        try store.replaceAllRelated(modelID: "m") { write in
            for (id, entries) in stored.sorted(by: { $0.key < $1.key }) { try write(id, entries, pool) }
        }
        /// Rows the write changed (inserted, updated or deleted).
        func changes(_ lists: [String: [RelatedEntry]], _ pools: [String: PoolBound] = [:]) throws -> Int {
            try store.write { db in
                let before = db.totalChangesCount
                try SilaStore.writeLists(lists, poolBounds: pools, modelID: "m", in: db)
                return db.totalChangesCount - before
            }
        }
        #expect(try changes(stored, stored.mapValues { _ in pool }) == 0, "lists and pools as stored change no row")
        let rounded = stored.mapValues { $0.map { RelatedEntry(id: $0.id, score: $0.score + 3e-8) } }
        #expect(try changes(rounded) == 0, "scores that differ by float rounding are not rewritten")
        #expect(try changes(["1": [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.45)]]) == 1)
        #expect(try changes(["2": [RelatedEntry(id: "1", score: 0.5), RelatedEntry(id: "4", score: 0.2)]]) == 1)
        #expect(try changes(["3": [RelatedEntry(id: "1", score: 0.4)]]) == 1)
        #expect(try changes(["4": [RelatedEntry(id: "3", score: 0.2), RelatedEntry(id: "1", score: 0.1)]]) == 1)
        #expect(try changes([:], ["4": PoolBound(floor: 0.05, edgeListed: true)]) == 1, "a list's pool bound is one row's change")
        #expect(try store.relatedList(of: "1") == [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.45)])
        #expect(try store.relatedList(of: "2") == [RelatedEntry(id: "1", score: 0.5), RelatedEntry(id: "4", score: 0.2)])
        #expect(try store.relatedList(of: "3") == [RelatedEntry(id: "1", score: 0.4)])
        #expect(try store.relatedList(of: "4") == [RelatedEntry(id: "3", score: 0.2), RelatedEntry(id: "1", score: 0.1)])
        var pools = [String: PoolBound]()
        try store.forEachRelatedListWithPool { id, _, pool in pools[id] = pool }
        #expect(pools == ["1": pool, "2": pool, "3": pool, "4": PoolBound(floor: 0.05, edgeListed: true)])
        #expect(try store.articlesListing("4") == ["2"])
        #expect(try changes(["1": []]) == 2, "an emptied list loses its rows")
        #expect(try store.relatedList(of: "1").isEmpty)
    }

    @Test func withCheckpointsDeferredToTheCheckpointerTheWALStillStartsOver() throws {
        let path = directory.path("wal.sqlite")
        let store = try SilaStore.open(path: path, createIfMissing: true)
        try store.deferCheckpoints()
        let failures = Failures()
        let checkpointer = WALCheckpointer(store: store) { failures.record($0) }
        defer { checkpointer.stop() }
        /// Frames in the WAL since it last started over (a passive checkpoint of nothing reports them).
        func walFrames() throws -> Int {
            try store.pool.writeWithoutTransaction { db in try db.checkpoint(.passive).walFrameCount }
        }
        for round in 0..<40 {
            _ = try store.upsert((0..<50).map { article("r\(round)-\($0)", String(repeating: "نص طويل ", count: 200)) })
            checkpointer.nudge()
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Each commit adds ~50 frames; without checkpoints the WAL would hold all 40 commits' frames.
        let frames = try walFrames()
        #expect(frames < 400, "the WAL kept \(frames) frames")
        #expect(failures.all.isEmpty)
    }

    @Test func aLiveWriteComputedAgainstListsSwappedSinceIsRefusedWholly() throws {
        let store = try SilaStore.open(path: directory.path("gen.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2")])
        let before = try store.generation()
        try store.replaceAllRelated(modelID: "m", settings: [SilaStore.listsStampKey: "swap-1"]) { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5)], .unknown)
        }
        #expect(throws: StoreError.self) {
            try store.commitUpsert(article("3"), vector: nil, modelID: nil, list: [], updatedLists: [:], expected: before)
        }
        #expect(throws: StoreError.self) { try store.commitDelete(id: "2", refilledLists: [:], modelID: nil, expected: before) }
        #expect(try store.article(id: "3") == nil)
        #expect(try store.article(id: "2") != nil)
    }

    @Test func deletingAnArticleRemovesItFromEveryList() throws {
        let store = try SilaStore.open(path: directory.path("f.sqlite"), createIfMissing: true)
        _ = try store.upsert([article("1"), article("2"), article("3")])
        try store.replaceAllRelated(modelID: "m") { write in
            try write("1", [RelatedEntry(id: "2", score: 0.5), RelatedEntry(id: "3", score: 0.4)], .unknown)
            try write("3", [RelatedEntry(id: "2", score: 0.7)], .unknown)
        }
        #expect(Set(try store.articlesListing("2")) == ["1", "3"])
        #expect(try store.commitDelete(id: "2", refilledLists: ["1": [RelatedEntry(id: "3", score: 0.4)], "3": []], modelID: "m"))
        #expect(try store.relatedList(of: "1").map(\.id) == ["3"])
        #expect(try store.relatedList(of: "3").isEmpty)
        #expect(try store.commitDelete(id: "2", refilledLists: [:], modelID: "m") == false)
    }

    @Test func jobsRecordProgressAndOutcome() throws {
        let store = try SilaStore.open(path: directory.path("g.sqlite"), createIfMissing: true)
        let id = try store.startJob(kind: "recompute")
        try store.updateJob(id: id, progress: 0.5)
        #expect(try store.job(id: id)?.state == "running")
        try store.finishJob(id: id, error: nil)
        let done = try store.job(id: id)
        #expect(done?.state == "done" && done?.progress == 1)
        let interrupted = try store.startJob(kind: "recompute")
        try store.failInterruptedJobs()
        #expect(try store.job(id: interrupted)?.state == "failed")
    }

    @Test(arguments: [
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00.250Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01", "2024-05-01T00:00:00Z"),
    ])
    func acceptedDatesAreStoredInUTC(input: String, stored: String) {
        #expect(ISODate.normalized(input) == stored)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("2024-02-29T23:59:59Z", Int64(1_709_251_199)), ("2000-03-01", Int64(951_868_800)),
        ("1969-12-31T23:59:59Z", Int64(-1)), ("2018-06-03T10:00:00+03:00", Int64(1_528_009_200)),
    ])
    func epochSecondsAgreeWithTheCalendar(input: String, seconds: Int64) {
        #expect(ISODate.epochSeconds(input) == seconds)
        #expect(ISODate.normalized(ISODate.format(seconds)) == ISODate.format(seconds))
    }

    @Test func theStoredShapeRoundTripsThroughEpochSecondsOverFourCenturies() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -9_000_000_000...9_000_000_000, using: &rng)
            #expect(ISODate.epochSeconds(ISODate.format(seconds)) == seconds)
        }
    }

    @Test(arguments: ["yesterday", "2024-13-01", "99999-01-01T00:00:00Z", "", "2024-05-01 10:00", "2023-02-29", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z"])
    func unparsableDatesAreRejected(input: String) {
        #expect(ISODate.normalized(input) == nil)
    }
}

@Suite struct MigrationTests {
    let directory = TemporaryDirectory()

    @Test func aDatabaseOfTheFirstSchemaIsUpgradedWithItsDataIntact() throws {
        let path = directory.path("v1.sqlite")
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v1-articles-models-vectors-related-jobs")
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO articles (id, title, body, tags, content_hash, updated_at, published_at) VALUES ('a', 't', 'b', '[]', 'h', 0, '2024-01-01T00:00:00Z')")
        }
        try queue.close()
        let store = try SilaStore.open(path: path, createIfMissing: false)
        #expect(try store.article(id: "a")?.body == "b")
        let applied = try store.pool.read { try Schema.migrator.appliedIdentifiers($0) }
        #expect(applied == Set(Schema.migrator.migrations))
        try store.setSetting("k", "v")
        #expect(try store.setting("k") == "v")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func migrationsAreAppendOnlyAndNamed() {
        #expect(Schema.migrator.migrations == ["v1-articles-models-vectors-related-jobs", "v2-settings", "v3-articles-meta-index", "v4-list-changes", "v5-related-pool-bounds"])
    }
}

/// Errors reported from another thread.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func record(_ error: Error) { lock.withLock { errors.append(error) } }
    var all: [Error] { lock.withLock { errors } }
}
