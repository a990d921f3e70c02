import Foundation
import Similarity
import Store
import TestSupport
import Testing
import Vectorizer
@testable import SilaCore

@Suite struct IndexerTests {
    let directory = TemporaryDirectory()

    func sampleStore() throws -> SilaStore {
        let store = try SilaStore.open(path: directory.path("sample.sqlite"), createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        return store
    }

    func options() -> IndexOptions {
        var options = IndexOptions()
        options.modelsDirectory = directory.url.appendingPathComponent("Models")
        return options
    }

    @Test func aSecondRunReusesTheModelAndVectorizesOnlyWhatChanged() throws {
        let store = try sampleStore()
        let first = try Indexer(store: store).run(options())
        #expect(first.refitted && first.vectorized == first.articles)
        #expect(FileManager.default.fileExists(atPath: directory.path("Models/default.silamodel")))
        let second = try Indexer(store: store).run(options())
        #expect(!second.refitted && second.vectorized == 0 && second.modelID == first.modelID)
        var edited = try #require(try store.article(id: "pol-001"))
        edited.body += " تحديث"
        _ = try store.upsert([edited])
        #expect(try Indexer(store: store).run(options()).vectorized == 1)
        var refit = options()
        refit.refit = true
        #expect(try Indexer(store: store).run(refit).refitted)
    }

    @Test func changingAFittingOptionRefitsTheModel() throws {
        let store = try sampleStore()
        let first = try Indexer(store: store).run(options())
        var other = options()
        other.parameters.titleWeight = 1
        let second = try Indexer(store: store).run(other)
        #expect(second.refitted && second.modelID != first.modelID)
        #expect(Set(try store.vectorCounts().keys) == [second.modelID])
    }

    @Test func storedListsAreTheExactCosineTopKOfTheStoredVectors() throws {
        let store = try sampleStore()
        var plain = options()
        plain.plain = true
        let report = try Indexer(store: store).run(plain)
        let vectors = try store.loadVectors(modelID: report.modelID)
        let keys = vectors.map { TieKey(publishedAt: $0.publishedAt.flatMap(ISODate.epochSeconds), id: $0.articleID) }
        let expected = BruteForceSearch.topK(vectors: vectors.map(\.vector), tieKeys: keys, k: 10)
        for (row, stored) in vectors.enumerated() {
            let list = try store.relatedList(of: stored.articleID)
            #expect(list.map(\.id) == expected[row].map { keys[Int($0.row)].id }, "\(stored.articleID)")
            for (entry, match) in zip(list, expected[row]) { #expect(abs(entry.score - Double(match.score)) < 1e-5) }
        }
    }

    @Test func aPinnedModelFileIsUsedAsIs() throws {
        let store = try sampleStore()
        var named = options()
        named.modelName = "pinned"
        let first = try Indexer(store: store).run(named)
        #expect(first.refitted)
        let bytes = try Data(contentsOf: directory.url.appendingPathComponent("Models/pinned.silamodel"))
        _ = try store.upsert([Article(id: "new-1", title: "خبر جديد", body: "نص خبر جديد عن قمة طرفاية")])
        let second = try Indexer(store: store).run(named)
        #expect(!second.refitted && second.modelID == first.modelID)
        #expect(try Data(contentsOf: directory.url.appendingPathComponent("Models/pinned.silamodel")) == bytes)
    }

    @Test func invalidOptionsAreRejectedBeforeAnyWork() throws {
        let store = try sampleStore()
        var bad = options()
        bad.parameters.maxDF = 1.5
        #expect { try Indexer(store: store).run(bad) } throws: { "\($0)".contains("max-df") }
        #expect(try store.currentModel() == nil)
    }
}
