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

@Suite struct RerankerTests {
    func candidate(_ id: String, _ cosine: Double, days: Int64, vector: [UInt32], length: Int = 100) -> Candidate {
        let weights = [Float](repeating: 1 / Float(vector.count).squareRoot(), count: vector.count)
        return Candidate(id: id, cosine: cosine, publishedAt: days * 86_400, vector: SparseVector(termIDs: vector, weights: weights), length: length)
    }

    @Test func ofTwoNearIdenticalCandidatesOnlyTheNewerIsKeptAtTheBetterPosition() {
        let reranker = Reranker(options: RelevanceOptions(dedupeThreshold: 0.9, recencyHalfLifeDays: nil))
        let list = reranker.rerank(
            [candidate("old-copy", 0.8, days: 1, vector: [1, 2]), candidate("new-copy", 0.7, days: 2, vector: [1, 2]),
             candidate("other", 0.5, days: 1, vector: [3])],
            queryVector: SparseVector(termIDs: [1, 2, 3], weights: [0.5, 0.5, 0.7]), queryDate: 0, k: 10)
        #expect(list.map(\.candidate.id) == ["new-copy", "other"])
    }

    @Test func recencyIsMeasuredFromTheQueryArticlesDateNotTheClock() {
        let reranker = Reranker(options: RelevanceOptions(dedupeThreshold: nil, recencyHalfLifeDays: 10, recencyWeight: 1))
        let near = candidate("near", 0.5, days: 1_000, vector: [1])
        let far = candidate("far", 0.6, days: 0, vector: [2])
        let list = reranker.rerank([near, far], queryVector: SparseVector(termIDs: [1, 2], weights: [0.7, 0.7]), queryDate: 1_000 * 86_400, k: 2)
        #expect(list.map(\.candidate.id) == ["near", "far"])
        #expect(abs(list[0].score - 0.5) < 1e-12)
    }

    @Test func plainOptionsKeepTheCosineOrder() {
        let reranker = Reranker(options: .plain)
        let list = reranker.rerank(
            [candidate("a", 0.3, days: 0, vector: [1]), candidate("b", 0.9, days: 100, vector: [1])],
            queryVector: SparseVector(termIDs: [1], weights: [1]), queryDate: 0, k: 5)
        #expect(list.map(\.candidate.id) == ["b", "a"])
    }

    @Test func aMinimumScoreShortensTheListInsteadOfPaddingIt() {
        let reranker = Reranker(options: RelevanceOptions(dedupeThreshold: nil, recencyHalfLifeDays: nil, minimumScore: 0.4))
        let list = reranker.rerank(
            [candidate("a", 0.3, days: 0, vector: [1]), candidate("b", 0.9, days: 0, vector: [2])],
            queryVector: SparseVector(termIDs: [1, 2], weights: [0.7, 0.7]), queryDate: 0, k: 5)
        #expect(list.map(\.candidate.id) == ["b"])
    }
}
