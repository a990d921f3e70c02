import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

@Suite struct LiveIndexTests {
    let directory = TemporaryDirectory()

    func indexedSample(plain: Bool = true) throws -> (SilaStore, LiveIndex) {
        try IndexedSample.make(in: directory, "live.sqlite", plain: plain)
    }

    func options(plain: Bool) -> IndexOptions { IndexedSample.options(plain: plain) }

    @Test func aWriteAfterAnotherProcessMadeAnotherModelCurrentIsRefusedAndStoresNothing() throws {
        let (store, live) = try indexedSample()
        var refit = options(plain: true)
        refit.refit = true
        refit.parameters.minDF = 1  // another vocabulary, so another model id
        _ = try Indexer(store: store).run(refit)
        #expect(try store.currentModelID() != live.model.id)
        #expect(throws: LiveIndexError.self) { try live.upsert(Article(id: "late-1", body: "نص عن الاقتصاد والنفط")) }
        #expect(throws: LiveIndexError.self) { try live.delete(id: "pol-001") }
        #expect(try store.article(id: "late-1") == nil)
        #expect(try store.article(id: "pol-001") != nil)
        let reloaded = try #require(try LiveIndex.load(store: store))
        #expect(try reloaded.upsert(Article(id: "late-1", body: "نص عن الاقتصاد والنفط")).created)
    }

    @Test func withNewsRankingLiveUpdatesStillEqualARecomputeAndAReprintNeverFillsABoxTwice() throws {
        let (store, live) = try indexedSample(plain: false)
        let source = try #require(try store.article(id: "spo-002"))
        let reprint = Article(id: "spo-002-reprint", title: source.title, body: source.body, category: source.category, publishedAt: source.publishedAt)
        let followUp = try #require(try store.article(id: "spo-003"))
        let blend = Article(
            id: "spo-blend", title: followUp.title, body: followUp.body + "\n" + source.title, category: "sport",
            publishedAt: "2025-06-01T09:00:00Z")
        _ = try live.upsert(reprint)
        _ = try live.upsert(blend)
        #expect(try live.delete(id: "spo-001"))
        for (id, list) in try allLists(store) {
            let ids = Set(list.map(\.id))
            #expect(!(ids.contains("spo-002") && ids.contains("spo-002-reprint")), "\(id) shows both copies")
        }
        let liveLists = try allLists(store)
        _ = try Indexer(store: store).run(options(plain: false))
        #expect(try sameLists(liveLists, try allLists(store)))
    }

    /// The reverse update touches only lists an article can take part in (its re-ranked score reaches their last
    /// score): after a seeded mix of new articles, edits, reprints and deletes, every stored list still equals a
    /// full recompute, with news ranking on.
    @Test(arguments: [(true, 11), (false, 12), (false, 13), (false, 14), (false, 15)])
    func aSeededMixOfWritesLeavesTheListsOfAFullRecompute(plain: Bool, seed: UInt64) throws {
        try seededMixEqualsRecompute(options(plain: plain), seed: seed, steps: 24)
    }

    /// Short lists from small candidate pools on the sample corpus: every pool is full, so new articles push
    /// candidates out of pools (listed or not) and removals let others in — the cases the pool bounds decide.
    @Test(arguments: Array(UInt64(21)...UInt64(34)))
    func withFullCandidatePoolsASeededMixStillLeavesTheListsOfAFullRecompute(seed: UInt64) throws {
        var options = options(plain: false)
        options.k = 3
        options.relevance.candidatePool = 4
        options.relevance.recencyWeight = 0.9
        try seededMixEqualsRecompute(options, seed: seed, steps: 120, reloadEvery: seed.isMultiple(of: 2) ? 1 : nil)
    }

    /// Candidate pools warmed by an all-pairs search while writes go on (replayed on the warm pools before they
    /// go in place), then used by every later write: the lists still equal a recompute's.
    @Test(arguments: [UInt64(41), 42, 43])
    func withCandidatePoolsWarmedWhileWritesWentOnASeededMixStillLeavesTheListsOfAFullRecompute(seed: UInt64) throws {
        var options = options(plain: false)
        options.k = 3
        options.relevance.candidatePool = 4
        options.relevance.recencyWeight = 0.9
        var warmUp: LiveIndex.PoolWarmUp?
        try seededMixEqualsRecompute(options, seed: seed, steps: 80) { step, live in
            if step == 3 { warmUp = live.beginPoolWarmUp() }
            if step == 11, let started = warmUp {
                let installed = live.finishPoolWarmUp(started, results: started.index.searchAll(k: started.depth))
                #expect((installed ?? 0) > 20, "the warm pools went in place")
                #expect(live.candidatePoolCount >= live.articleCount - 8, "nearly every article has a pool")
            }
        }
        #expect(warmUp != nil)
    }

    /// - Parameter reloadEvery: reload the live index from the store every so many writes (a server restart): what
    ///   the writes learnt of the pools must have been stored with them.
    /// - Parameter beforeStep: called before each write with the step number and the live index.
    func seededMixEqualsRecompute(
        _ options: IndexOptions, seed: UInt64, steps: Int, reloadEvery: Int? = nil,
        beforeStep: (Int, LiveIndex) throws -> Void = { _, _ in }
    ) throws {
        var (store, live) = try IndexedSample.make(in: directory, "mix-\(seed).sqlite", options: options)
        var random = SeededGenerator(seed: seed)
        var created = [String]()
        for step in 0..<steps {
            if let reloadEvery, step > 0, step.isMultiple(of: reloadEvery) { live = try #require(try LiveIndex.load(store: store)) }
            try beforeStep(step, live)
            let ids = try store.articleIDs().sorted()
            let source = try #require(try store.article(id: ids.randomElement(using: &random)!))
            let other = try #require(try store.article(id: ids.randomElement(using: &random)!))
            let day = Int.random(in: 1...28, using: &random)
            let date = String(format: "2025-%02d-%02dT09:00:00Z", Int.random(in: 1...12, using: &random), day)
            switch step % 4 {
            case 0:  // a reprint of a stored article, on another day
                let id = "mix-\(step)"
                _ = try live.upsert(Article(id: id, title: source.title, body: source.body, category: source.category, publishedAt: date))
                created.append(id)
            case 1:  // a blend of two stories
                let id = "mix-\(step)"
                _ = try live.upsert(Article(id: id, title: other.title, body: source.body + "\n" + other.body, category: other.category, publishedAt: date))
                created.append(id)
            case 2:  // an edit of a stored article: other text, same id
                _ = try live.upsert(Article(id: source.id, title: source.title, body: other.body, category: source.category, publishedAt: source.publishedAt))
            default:  // a delete, of a new article or an old one
                let victim = created.isEmpty || Bool.random(using: &random) ? source.id : created.removeLast()
                _ = try live.delete(id: victim)
            }
        }
        let liveLists = try allLists(store)
        _ = try Indexer(store: store).run(options)
        #expect(try sameLists(liveLists, try allLists(store)))
    }

    @Test func aNewArticleGetsAListAndEntersTheListsOfArticlesItNowRanksIn() throws {
        let (store, live) = try indexedSample()
        let source = try #require(try store.article(id: "pol-001"))
        let copy = Article(id: "pol-001-copy", title: source.title, body: source.body, category: source.category, publishedAt: source.publishedAt)
        let (created, list) = try live.upsert(copy)
        #expect(created)
        #expect(list.first?.id == "pol-001")
        #expect(try store.relatedList(of: "pol-001").first?.id == "pol-001-copy")
        #expect(try store.relatedList(of: "pol-001-copy") == list)
        // The stored lists after the live update equal a full recompute.
        let liveLists = try allLists(store)
        _ = try Indexer(store: store).run(options(plain: true))
        #expect(try sameLists(liveLists, try allLists(store)))
    }

    @Test func aDeletedArticleDisappearsFromEveryListAndTheListsAreRefilled() throws {
        let (store, live) = try indexedSample()
        let listing = try store.articlesListing("pol-002")
        #expect(!listing.isEmpty)
        #expect(try live.delete(id: "pol-002"))
        #expect(try store.articlesListing("pol-002").isEmpty)
        for id in listing { #expect(try store.relatedList(of: id).count == 10) }
        #expect(try live.delete(id: "pol-002") == false)
        let afterDelete = try allLists(store)
        _ = try Indexer(store: store).run(options(plain: true))
        #expect(try sameLists(afterDelete, try allLists(store)))
    }

    @Test func coldStartFindsTheStoryOfAnUnstoredTextWithoutStoringIt() throws {
        let (store, live) = try indexedSample()
        let source = try #require(try store.article(id: "pol-002"))
        let query = Article(id: "draft", title: source.title, body: source.body)
        let list = live.related(to: query, k: 3)
        #expect(list.first?.id == "pol-002")
        #expect(try store.article(id: "draft") == nil)
    }

    func allLists(_ store: SilaStore) throws -> [String: [RelatedEntry]] { try IndexedSample.allLists(store) }

    func sameLists(_ a: [String: [RelatedEntry]], _ b: [String: [RelatedEntry]]) throws -> Bool { IndexedSample.sameLists(a, b) }
}
