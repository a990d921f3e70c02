import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

/// A server keeps writing (PUT, DELETE) while a recompute runs: every acknowledged write must be in the lists the
/// recompute swaps in, and a delete must not break the recompute.
@Suite struct RecomputeDuringWritesTests {
    let directory = TemporaryDirectory()

    func indexedSample(_ name: String, plain: Bool) throws -> (SilaStore, LiveIndex) {
        try IndexedSample.make(in: directory, name, plain: plain)
    }

    func options(plain: Bool) -> IndexOptions { IndexedSample.options(plain: plain) }

    /// Live writes of every kind: new articles (reprints, blends), edits, deletes of stored and of new articles.
    /// Returns the ids that must exist afterwards and the ids that must not.
    static func writeMix(_ live: LiveIndex, _ store: SilaStore, seed: UInt64, prefix: String) throws -> (present: Set<String>, deleted: Set<String>) {
        var random = SeededGenerator(seed: seed)
        var present = Set<String>()
        var deleted = Set<String>()
        for step in 0..<12 {
            let ids = try store.articleIDs().sorted()
            let source = try #require(try store.article(id: ids.randomElement(using: &random)!))
            let other = try #require(try store.article(id: ids.randomElement(using: &random)!))
            let id = "\(prefix)-\(step)"
            switch step % 4 {
            case 0:
                _ = try live.upsert(Article(id: id, title: source.title, body: source.body, category: source.category, publishedAt: "2025-03-0\(step % 9 + 1)T09:00:00Z"))
                present.insert(id)
            case 1:
                _ = try live.upsert(Article(id: id, title: other.title, body: source.body + "\n" + other.body, category: other.category, publishedAt: source.publishedAt))
                present.insert(id)
            case 2:
                _ = try live.upsert(Article(id: source.id, title: source.title, body: other.body, category: source.category, publishedAt: source.publishedAt))
                present.insert(source.id)
            default:
                #expect(try live.delete(id: source.id))
                present.remove(source.id)
                deleted.insert(source.id)
            }
        }
        return (present, deleted)
    }

    func allLists(_ store: SilaStore) throws -> [String: [RelatedEntry]] { try IndexedSample.allLists(store) }

    func sameLists(_ a: [String: [RelatedEntry]], _ b: [String: [RelatedEntry]]) -> Bool { IndexedSample.sameLists(a, b) }

    /// Writes while the all-pairs search runs (before any list is written: deleted articles would break the
    /// shadow table's foreign keys) and again just before the swap (after every list was written).
    @Test(arguments: [true, false])
    func writesMadeWhileARecomputeRunsAreAllInTheListsItSwapsIn(plain: Bool) throws {
        let (store, live) = try indexedSample("during-\(plain).sqlite", plain: plain)
        let firstWrites = WrittenOnce()
        let report = try Indexer(store: store).run(options(plain: plain)) { progress in
            guard progress.phase == "similarity" else { return }
            firstWrites.once { try Self.writeMix(live, store, seed: plain ? 21 : 22, prefix: "during") }
        } aroundSwap: { swap in
            _ = try Self.writeMix(live, store, seed: plain ? 23 : 24, prefix: "late")
            try swap()
        }
        let first = try #require(firstWrites.result)
        #expect(report.reconciled > 0)
        let lists = try allLists(store)
        let stored = Set(try store.articleIDs())
        for id in first.present where stored.contains(id) { #expect(lists[id] != nil, "\(id) was written during the recompute and has no list") }
        for id in first.deleted where !stored.contains(id) {
            #expect(lists.values.allSatisfy { !$0.contains { $0.id == id } }, "\(id) was deleted and is still listed")
        }
        #expect(lists.values.allSatisfy { $0.allSatisfy { stored.contains($0.id) } })
        // A full recompute of the same model now changes nothing.
        _ = try Indexer(store: store).run(options(plain: plain))
        #expect(sameLists(lists, try allLists(store)))
        #expect(try store.integrityCheck() == "ok")
    }

    /// A refused write changes neither the store nor the live index (which writes in place and puts back).
    @Test func aLiveIndexLoadedBeforeASwapRefusesWritesAndStoresNothing() throws {
        let (store, live) = try indexedSample("stale.sqlite", plain: true)
        let before = live.related(ofStored: "pol-001", k: 10, filter: RelatedFilter())
        let count = live.articleCount
        _ = try Indexer(store: store).run(options(plain: true))
        let other = try #require(try store.article(id: "spo-001"))
        #expect(throws: LiveIndexError.self) { try live.upsert(Article(id: "after-swap", body: "نص عن الاقتصاد والنفط")) }
        #expect(throws: LiveIndexError.self) { try live.upsert(Article(id: "pol-001", title: other.title, body: other.body)) }
        #expect(throws: LiveIndexError.self) { try live.delete(id: "pol-001") }
        #expect(try store.article(id: "after-swap") == nil)
        #expect(try store.article(id: "pol-001") != nil)
        #expect(live.articleCount == count)
        #expect(live.related(ofStored: "pol-001", k: 10, filter: RelatedFilter()) == before)
        #expect(live.related(ofStored: "after-swap", k: 10, filter: RelatedFilter()) == nil)
        let reloaded = try #require(try LiveIndex.load(store: store))
        #expect(try reloaded.upsert(Article(id: "after-swap", body: "نص عن الاقتصاد والنفط")).created)
    }
}

/// Runs the writes once, from whichever search thread reports progress first.
final class WrittenOnce: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var result: (present: Set<String>, deleted: Set<String>)?
    private var started = false

    func once(_ write: () throws -> (present: Set<String>, deleted: Set<String>)) {
        lock.withLock {
            guard !started else { return }
            started = true
            result = try? write()
        }
    }
}
