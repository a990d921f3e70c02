import Foundation
import Testing

@testable import Vectorizer

@Suite struct TFIDFModelTests {
    /// Two documents: "a" in both (df 2), "b" and "c" in one each; minDF 1, maxDF 1 keeps all.
    let documents = [
        AnalyzedDocument(titleTerms: ["b"], bodyTerms: ["a", "b", "b"]),
        AnalyzedDocument(titleTerms: [], bodyTerms: ["a", "c"]),
    ]

    @Test func weightsFollowTheDefinition() {
        let model = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 2, minDF: 1, maxDF: 1))
        #expect(model.terms == ["a", "b", "c"])
        let idfA = log(3.0 / 3.0) + 1
        let idfB = log(3.0 / 2.0) + 1
        // count(b) = 2 in the body + 2 × 1 in the title = 4; tf = 1 + ln 4.
        let raw = [1 * idfA, (1 + log(4.0)) * idfB]
        let norm = (raw[0] * raw[0] + raw[1] * raw[1]).squareRoot()
        let vector = model.vectorize(documents[0])
        #expect(vector.termIDs == [0, 1])
        #expect(abs(Double(vector.weights[0]) - raw[0] / norm) < 1e-7)
        #expect(abs(Double(vector.weights[1]) - raw[1] / norm) < 1e-7)
    }

    @Test func rawTFUsesTheCount() {
        let model = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 2, sublinearTF: false, minDF: 1, maxDF: 1))
        let raw = [1 * (log(3.0 / 3.0) + 1), 4 * (log(3.0 / 2.0) + 1)]
        let norm = (raw[0] * raw[0] + raw[1] * raw[1]).squareRoot()
        #expect(abs(Double(model.vectorize(documents[0]).weights[1]) - raw[1] / norm) < 1e-7)
    }

    @Test func unknownTermsAreIgnoredAndEmptyDocumentsAreZero() {
        let model = TFIDFModel.fitted(documents, TFIDFParameters(minDF: 1, maxDF: 1))
        #expect(model.vectorize(AnalyzedDocument(titleTerms: [], bodyTerms: [])).isZero)
        #expect(model.vectorize(AnalyzedDocument(titleTerms: ["zz"], bodyTerms: ["yy"])).isZero)
        let vector = model.vectorize(AnalyzedDocument(titleTerms: ["zz"], bodyTerms: ["c", "yy"]))
        #expect(vector.termIDs == [2] && vector.weights == [1])
    }

    @Test func vectorsAreUnitLengthAndSorted() {
        let corpus = syntheticDocuments(count: 300)
        let model = TFIDFModel.fitted(corpus, TFIDFParameters())
        for document in corpus {
            let vector = model.vectorize(document)
            guard !vector.isZero else { continue }
            #expect(zip(vector.termIDs, vector.termIDs.dropFirst()).allSatisfy { $0 < $1 })
            #expect(abs(vector.dot(vector) - 1) < 1e-5)
        }
    }

    @Test func largeDocumentsVectorizeToo() {
        // More terms than fit a stack scratch buffer.
        let corpus = syntheticDocuments(count: 100)
        let model = TFIDFModel.fitted(corpus, TFIDFParameters(minDF: 1, maxDF: 1))
        let big = AnalyzedDocument(titleTerms: [], bodyTerms: Array(corpus.flatMap(\.bodyTerms).prefix(50_000)))
        let vector = model.vectorize(big)
        #expect(!vector.isZero && abs(vector.dot(vector) - 1) < 1e-5)
    }

    @Test(arguments: [1, 2, 3])
    func parallelVectorizingEqualsOneByOne(threads: Int) {
        let corpus = syntheticDocuments(count: 1500, seed: 3)
        let model = TFIDFModel.fitted(corpus, TFIDFParameters())
        #expect(model.vectorize(corpus, threads: threads) == corpus.map(model.vectorize))
    }

    @Test func idChangesWithTheContentNotTheName() {
        let parameters = TFIDFParameters(minDF: 1, maxDF: 1)
        let model = TFIDFModel.fitted(documents, parameters)
        #expect(TFIDFModel.fitted(documents, parameters, name: "other").id == model.id)
        #expect(TFIDFModel.fitted(documents, parameters).id == model.id)
        // Vocabulary.
        let more = documents + [AnalyzedDocument(titleTerms: [], bodyTerms: ["d"])]
        #expect(TFIDFModel.fitted(more, parameters).id != model.id)
        // Parameters, even where the vocabulary stays the same.
        let otherWeight = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 1, minDF: 1, maxDF: 1))
        #expect(otherWeight.terms == model.terms && otherWeight.id != model.id)
        let rawTF = TFIDFModel.fitted(documents, TFIDFParameters(sublinearTF: false, minDF: 1, maxDF: 1))
        #expect(rawTF.id != model.id)
        // Analyzer version.
        var counter = DocumentFrequencyCounter(parameters: parameters)
        for document in documents { counter.add(document) }
        #expect(TFIDFModel.fitted(counter, analyzerVersion: "test-2").id != model.id)
        #expect(model.id.count == 16)
    }
}
