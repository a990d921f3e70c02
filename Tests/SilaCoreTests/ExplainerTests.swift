import Foundation
import Store
import TestSupport
import Testing
import Vectorizer
@testable import SilaCore

@Suite struct ExplainerTests {
    let directory = TemporaryDirectory()

    @Test func explanationsListTheTopSharedTermsAsWrittenLargestFirstAndSumToAtMostTheCosine() throws {
        let store = try SilaStore.open(path: directory.path("e.sqlite"), createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        var options = IndexOptions()
        options.modelsDirectory = nil
        options.plain = true
        let report = try Indexer(store: store).run(options)
        let model = try TFIDFModel.decode(try #require(try store.currentModel()).bytes, path: "model")
        let explainer = try Explainer(model: model)
        let query = try #require(try store.article(id: "pol-001"))
        let top = try #require(try store.relatedList(of: "pol-001").first)
        let candidate = try #require(try store.article(id: top.id))
        let terms = explainer.explain(query, candidate)
        #expect(terms.count == 5)
        #expect(zip(terms, terms.dropFirst()).allSatisfy { $0.contribution >= $1.contribution })
        #expect(terms.reduce(0) { $0 + $1.contribution } <= top.score + 1e-6)
        // Words are shown as the articles write them (with teh marbuta), not as normalized index terms.
        #expect(terms.contains { $0.word == "طرفاية" })
        #expect(terms.allSatisfy { !$0.word.isEmpty && (query.title + query.body + candidate.title + candidate.body).contains($0.word) })
        _ = report
    }

    @Test func articlesSharingNoTermHaveAnEmptyExplanation() throws {
        let model = TFIDFModel(
            name: "m", analyzerVersion: SilaCore.currentAnalyzerVersion(), analyzerConfiguration: .standard,
            parameters: TFIDFParameters(minDF: 1), documentCount: 2, terms: ["كتاب", "مباراه"], documentFrequencies: [1, 1])
        let explainer = try Explainer(model: model)
        let terms = explainer.explain(Article(id: "a", body: "كتاب"), Article(id: "b", body: "مباراة"))
        #expect(terms.isEmpty)
    }
}
