import Foundation
import Testing

@testable import Vectorizer

/// `TFIDFModel.fitTransform` (one pass over the tokens) gives exactly the model and vectors of fitting, then
/// vectorizing every document.
@Suite struct FitTransformTests {
    static func twoPass(_ documents: [AnalyzedDocument], _ parameters: TFIDFParameters) -> (TFIDFModel, [SparseVector]) {
        let model = TFIDFModel.fitted(documents, parameters)
        return (model, documents.map(model.vectorize))
    }

    @Test(arguments: [1, 2, 3], [
        TFIDFParameters(), TFIDFParameters(titleWeight: 2, sublinearTF: false, minDF: 1, maxDF: 1),
        TFIDFParameters(titleWeight: 0, minDF: 3, maxDF: 0.3, maxFeatures: 50),
    ])
    func theOnePassFitEqualsFittingThenVectorizing(threads: Int, parameters: TFIDFParameters) {
        let documents = syntheticDocuments(count: 3_500, seed: 7)
        let (expectedModel, expectedVectors) = Self.twoPass(documents, parameters)
        let (model, vectors) = TFIDFModel.fitTransform(
            documents, name: "test", analyzerVersion: "test-1", parameters: parameters, threads: threads,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(model.id == expectedModel.id)
        #expect(model.terms == expectedModel.terms)
        #expect(vectors.count == documents.count)
        #expect(vectors == expectedVectors)
    }

    @Test func anEmptyCorpusAndPrunedDocumentsGiveZeroVectors() {
        let empty = TFIDFModel.fitTransform([], name: "t", analyzerVersion: "v", parameters: TFIDFParameters(), threads: 2)
        #expect(empty.vectors.isEmpty && empty.model.vocabularySize == 0)
        let documents = [
            AnalyzedDocument(titleTerms: [], bodyTerms: ["a", "b"]), AnalyzedDocument(titleTerms: [], bodyTerms: ["a", "c"]),
            AnalyzedDocument(titleTerms: [], bodyTerms: ["only-here"]),
        ]
        let result = TFIDFModel.fitTransform(
            documents, name: "t", analyzerVersion: "v", parameters: TFIDFParameters(minDF: 2, maxDF: 1), threads: 1)
        #expect(result.vectors[2].isZero)
        #expect(result.vectors[0].termIDs == [0])
    }

    /// Counts past the tf table (≥ 256 occurrences), terms in both title and body, and title weights where
    /// body + titleWeight × title is not a whole count: the same floats as fitting, then vectorizing.
    @Test(arguments: [
        TFIDFParameters(titleWeight: 1, minDF: 1, maxDF: 1), TFIDFParameters(titleWeight: 2, minDF: 1, maxDF: 1),
        TFIDFParameters(titleWeight: 0.5, minDF: 1, maxDF: 1), TFIDFParameters(titleWeight: 1, sublinearTF: false, minDF: 1, maxDF: 1),
    ])
    func largeCountsAndTitleWeightsGiveTheTwoPassFloats(parameters: TFIDFParameters) {
        var documents = syntheticDocuments(count: 1_200, seed: 11)
        documents[3].bodyTerms += Array(repeating: "تكرار", count: 300) + Array(repeating: "حد", count: 255)
        documents[3].titleTerms += ["تكرار", "حد"]
        documents[900].bodyTerms += Array(repeating: "تكرار", count: 70_000)
        let (expectedModel, expectedVectors) = Self.twoPass(documents, parameters)
        for threads in [1, 2] {
            let (model, vectors) = TFIDFModel.fitTransform(
                documents, name: "test", analyzerVersion: "test-1", parameters: parameters, threads: threads,
                createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            #expect(model.id == expectedModel.id)
            #expect(vectors == expectedVectors)
        }
    }
}
