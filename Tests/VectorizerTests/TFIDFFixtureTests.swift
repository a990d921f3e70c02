import Foundation
import Testing

@testable import Vectorizer

/// Sila's weights against scikit-learn's, on the synthetic corpus of Fixtures/make_tfidf_fixture.py.
@Suite struct TFIDFFixtureTests {
    static let fixture = TFIDFFixture.load()

    @Test func fixtureIsComplete() {
        let fixture = Self.fixture
        #expect(fixture.corpora["base"].map(\.count) ?? 0 >= 200)
        #expect(fixture.cases.count >= 8)
        #expect(fixture.cases.contains { $0.parameters.maxFeatures != nil })
        #expect(fixture.cases.contains { !$0.parameters.sublinearTF })
        #expect(fixture.cases.contains { $0.parameters.titleWeight == 2 })
        #expect(fixture.cases.contains { $0.sklearnError != nil })
    }

    @Test(arguments: TFIDFFixtureTests.fixture.cases.map(\.name))
    func matchesScikitLearn(caseName: String) throws {
        let testCase = try #require(Self.fixture.cases.first { $0.name == caseName })
        let documents = try #require(Self.fixture.corpora[testCase.corpus])
        var counter = DocumentFrequencyCounter(parameters: testCase.parameters)
        for document in documents { counter.add(document) }
        let model = TFIDFModel.fitted(counter)

        // Vocabulary, df and idf, term by term (as bytes: the fixture holds canonically equivalent spellings).
        let expected = Dictionary(uniqueKeysWithValues: testCase.vocabulary.map { (Array($0.term.utf8), $0) })
        #expect(model.vocabularySize == expected.count)
        for (id, term) in model.terms.enumerated() {
            guard let entry = expected[Array(term.utf8)] else {
                Issue.record("\(caseName): '\(term)' is not in scikit-learn's vocabulary")
                continue
            }
            #expect(model.documentFrequencies[id] == entry.documentFrequency, "\(caseName): df of '\(term)'")
            #expect(abs(model.inverseDocumentFrequency(ofTermID: UInt32(id)) - entry.idf) < 1e-12, "\(caseName): idf of '\(term)'")
        }
        #expect(isInTermIDOrder(model), "\(caseName): term ids not ordered by df, then UTF-8 bytes")

        // Weights, document by document, to 1e-5.
        #expect(testCase.vectors.count == documents.count)
        for (index, document) in documents.enumerated() {
            let vector = model.vectorize(document)
            var actual = [[UInt8]: Double]()
            for (id, weight) in zip(vector.termIDs, vector.weights) { actual[Array(model.terms[Int(id)].utf8)] = Double(weight) }
            var wanted = [[UInt8]: Double]()
            for (position, weight) in zip(testCase.vectors[index].indices, testCase.vectors[index].weights) {
                wanted[Array(testCase.vocabulary[position].term.utf8)] = weight
            }
            #expect(Set(actual.keys) == Set(wanted.keys), "\(caseName): terms of document \(index)")
            let worst = wanted.map { abs((actual[$0.key] ?? 0) - $0.value) }.max() ?? 0
            #expect(worst < 1e-5, "\(caseName): document \(index) is off by \(worst)")
            #expect(vector.termIDs == vector.termIDs.sorted())
        }
    }

    @Test func documentsWhoseEveryTermIsPrunedGetTheZeroVector() throws {
        let testCase = try #require(Self.fixture.cases.first { $0.name == "default" })
        let documents = try #require(Self.fixture.corpora["base"])
        let model = TFIDFModel.fitted(documents, testCase.parameters)
        let zeroRows = testCase.vectors.indices.filter { testCase.vectors[$0].indices.isEmpty }
        #expect(zeroRows.count >= 3)
        for row in zeroRows { #expect(model.vectorize(documents[row]).isZero) }
    }

    @Test func canonicallyEquivalentSpellingsAreTwoTerms() throws {
        let composed = "\u{0643}\u{0623}\u{0633}"
        let decomposed = "\u{0643}\u{0627}\u{0654}\u{0633}"
        #expect(composed == decomposed)  // Swift's String equality; scikit-learn and Sila compare bytes
        let documents = try #require(Self.fixture.corpora["base"])
        let model = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 1))
        let ids = [model.termID(composed), model.termID(decomposed)]
        #expect(ids[0] != nil && ids[1] != nil && ids[0] != ids[1])
    }
}

/// Whether term ids follow the documented order: decreasing df, then increasing UTF-8 bytes.
func isInTermIDOrder(_ model: TFIDFModel) -> Bool {
    zip(model.terms.indices.dropLast(), model.terms.indices.dropFirst()).allSatisfy { i, j in
        let (a, b) = (model.documentFrequencies[i], model.documentFrequencies[j])
        return a > b || (a == b && Array(model.terms[i].utf8).lexicographicallyPrecedes(Array(model.terms[j].utf8)))
    }
}

/// Fixtures/tfidf-fixture.json, written by Fixtures/make_tfidf_fixture.py (layout in its docstring).
struct TFIDFFixture: Decodable {
    struct Parameters: Decodable {
        var titleWeight: Double
        var sublinearTF: Bool
        var minDF: Int
        var maxDF: Double
        var maxFeatures: Int?
    }

    struct VocabularyEntry: Decodable {
        var term: String
        var documentFrequency: Int32
        var idf: Double

        init(from decoder: any Decoder) throws {
            var row = try decoder.unkeyedContainer()
            term = try row.decode(String.self)
            documentFrequency = try row.decode(Int32.self)
            idf = try row.decode(Double.self)
        }
    }

    struct ExpectedVector: Decodable {
        var indices: [Int]
        var weights: [Double]

        init(from decoder: any Decoder) throws {
            var row = try decoder.unkeyedContainer()
            indices = try row.decode([Int].self)
            weights = try row.decode([Double].self)
        }
    }

    struct Case: Decodable {
        var name: String
        var corpus: String
        private var parameters_: Parameters
        var sklearnError: String?
        var vocabulary: [VocabularyEntry]
        var vectors: [ExpectedVector]

        var parameters: TFIDFParameters {
            TFIDFParameters(
                titleWeight: parameters_.titleWeight, sublinearTF: parameters_.sublinearTF, minDF: parameters_.minDF,
                maxDF: parameters_.maxDF, maxFeatures: parameters_.maxFeatures)
        }

        enum CodingKeys: String, CodingKey {
            case name, corpus, sklearnError, vocabulary, vectors
            case parameters_ = "parameters"
        }
    }

    var corpora: [String: [AnalyzedDocument]]
    var cases: [Case]

    enum CodingKeys: String, CodingKey { case corpora, cases }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode([String: [[[String]]]].self, forKey: .corpora)
        corpora = raw.mapValues { documents in
            documents.map { AnalyzedDocument(titleTerms: $0[0], bodyTerms: $0[1]) }
        }
        cases = try container.decode([Case].self, forKey: .cases)
    }

    static func load() -> TFIDFFixture {
        guard let url = Bundle.module.url(forResource: "tfidf-fixture", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { fatalError("Fixtures/tfidf-fixture.json is missing: run Fixtures/make_tfidf_fixture.py") }
        do {
            return try JSONDecoder().decode(TFIDFFixture.self, from: data)
        } catch {
            fatalError("Fixtures/tfidf-fixture.json is unreadable: \(error)")
        }
    }
}
