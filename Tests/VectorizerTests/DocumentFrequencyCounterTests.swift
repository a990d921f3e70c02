import Testing
import TestSupport

@testable import Vectorizer

@Suite struct DocumentFrequencyCounterTests {
    let parameters = TFIDFParameters(titleWeight: 2, minDF: 1, maxDF: 1)

    @Test func countsEachTermOncePerDocument() {
        var counter = DocumentFrequencyCounter(parameters: parameters)
        counter.add(AnalyzedDocument(titleTerms: ["a", "b"], bodyTerms: ["a", "a", "c"]))
        counter.add(AnalyzedDocument(titleTerms: [], bodyTerms: ["a"]))
        let counts = counter.countsByTerm()
        #expect(counter.documentCount == 2)
        #expect(counter.distinctTermCount == 3)
        #expect(counts[Array("a".utf8)].map { [Int($0.documentFrequency), $0.bodyCount, $0.titleCount] } == [2, 3, 1])
        #expect(counts[Array("b".utf8)].map { [Int($0.documentFrequency), $0.bodyCount, $0.titleCount] } == [1, 0, 1])
    }

    @Test func titleWeightZeroIgnoresTheTitle() {
        var counter = DocumentFrequencyCounter(parameters: TFIDFParameters(titleWeight: 0, minDF: 1, maxDF: 1))
        counter.add(AnalyzedDocument(titleTerms: ["t"], bodyTerms: ["b"]))
        #expect(counter.distinctTermCount == 1)
    }

    @Test(arguments: [1, 2, 3, 7])
    func countingInChunksEqualsCountingAtOnce(chunkCount: Int) {
        let documents = syntheticDocuments(count: 700)
        var atOnce = DocumentFrequencyCounter(parameters: parameters)
        for document in documents { atOnce.add(document) }

        var merged = DocumentFrequencyCounter(parameters: parameters)
        for chunk in 0..<chunkCount {
            var part = DocumentFrequencyCounter(parameters: parameters)
            for document in documents[(chunk * documents.count / chunkCount)..<((chunk + 1) * documents.count / chunkCount)] {
                part.add(document)
            }
            merged.merge(part)
            // Documents added after a merge still count once each.
        }
        #expect(merged.documentCount == atOnce.documentCount)
        #expect(countsEqual(merged, atOnce))
        let (a, b) = (TFIDFModel.fitted(merged), TFIDFModel.fitted(atOnce))
        #expect(a.terms == b.terms && a.documentFrequencies == b.documentFrequencies && a.id == b.id)
    }

    /// Term-id order is decreasing df, then increasing UTF-8 bytes, also among terms sharing their first 8 bytes
    /// or differing in length only ("ab" before "ab\0").
    @Test func prunedTermsAreInDocumentFrequencyThenByteOrder() {
        var rng = SeededGenerator(seed: 5)
        let stems = ["ab", "ab\u{0}", "abcdefgh", "abcdefghi", "abcdefgh\u{0}", "a\u{FF}", "ب", "بب", "z", "abcdefgg"]
        let terms = stems + (0..<300).map { _ in
            String(decoding: (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0x20...0x7F, using: &rng) }, as: UTF8.self)
        }
        var counter = DocumentFrequencyCounter(parameters: TFIDFParameters(minDF: 1, maxDF: 1))
        for document in 0..<40 {
            counter.add(AnalyzedDocument(titleTerms: [], bodyTerms: terms.enumerated().filter { $0.offset % (1 + document % 4) == 0 }.map(\.element)))
        }
        let vocabulary = counter.prunedVocabulary()
        #expect(Set(vocabulary.map(\.term)) == Set(terms))
        for (left, right) in zip(vocabulary, vocabulary.dropFirst()) {
            #expect(left.documentFrequency > right.documentFrequency
                || (left.documentFrequency == right.documentFrequency && Array(left.term.utf8).lexicographicallyPrecedes(Array(right.term.utf8))))
        }
    }

    @Test func addingAfterAMergeCountsOncePerDocument() {
        var counter = DocumentFrequencyCounter(parameters: parameters)
        counter.add(AnalyzedDocument(titleTerms: [], bodyTerms: ["x"]))
        var other = DocumentFrequencyCounter(parameters: parameters)
        other.add(AnalyzedDocument(titleTerms: [], bodyTerms: ["x", "y"]))
        counter.merge(other)
        counter.add(AnalyzedDocument(titleTerms: ["y"], bodyTerms: ["x", "y", "x"]))
        let counts = counter.countsByTerm()
        #expect(counts[Array("x".utf8)]?.documentFrequency == 3)
        #expect(counts[Array("y".utf8)]?.documentFrequency == 2)
    }

    @Test(arguments: [1, 2, 4])
    func parallelCountingEqualsSequential(threads: Int) {
        let documents = syntheticDocuments(count: 3100, seed: 7)
        var sequential = DocumentFrequencyCounter(parameters: parameters)
        for document in documents { sequential.add(document) }
        let parallel = DocumentFrequencyCounter(parameters: parameters, counting: documents, threads: threads)
        #expect(parallel.documentCount == documents.count)
        #expect(countsEqual(parallel, sequential))
    }

    @Test func emptyCorpusFitsAnEmptyModel() {
        let model = TFIDFModel.fitted([], TFIDFParameters())
        #expect(model.documentCount == 0)
        #expect(model.vocabularySize == 0)
        #expect(model.vectorize(AnalyzedDocument(titleTerms: ["a"], bodyTerms: ["a"])).isZero)
        let parallel = DocumentFrequencyCounter(parameters: TFIDFParameters(), counting: [], threads: 2)
        #expect(parallel.documentCount == 0)
    }

    @Test func oneDocumentKeepsNothingWithTheDefaults() {
        let document = AnalyzedDocument(titleTerms: ["a"], bodyTerms: ["b", "c"])
        #expect(TFIDFModel.fitted([document], TFIDFParameters()).vocabularySize == 0)
        // minDF 1 and maxDF 1 keep every term; idf = ln(2/2) + 1 = 1 for all.
        let model = TFIDFModel.fitted([document], TFIDFParameters(titleWeight: 1, minDF: 1, maxDF: 1))
        #expect(model.vocabularySize == 3)
        #expect(model.terms == ["a", "b", "c"])
        #expect((0..<3).allSatisfy { model.inverseDocumentFrequency(ofTermID: UInt32($0)) == 1 })
        let vector = model.vectorize(document)
        #expect(vector.weights.allSatisfy { abs($0 - Float(1 / 3.0.squareRoot())) < 1e-6 })
    }

    @Test func minDFLargerThanTheCorpusKeepsNothing() {
        let documents = syntheticDocuments(count: 50)
        let model = TFIDFModel.fitted(documents, TFIDFParameters(minDF: 51, maxDF: 1))
        #expect(model.vocabularySize == 0)
        #expect(documents.allSatisfy { model.vectorize($0).isZero })
    }

    @Test func duplicateDocumentsCountOncePerCopy() {
        let a = AnalyzedDocument(titleTerms: ["t"], bodyTerms: ["x", "y"])
        let b = AnalyzedDocument(titleTerms: [], bodyTerms: ["z"])
        let model = TFIDFModel.fitted([a, a, a, b], TFIDFParameters(titleWeight: 1, minDF: 2, maxDF: 1))
        #expect(model.terms == ["t", "x", "y"])
        #expect(model.documentFrequencies == [3, 3, 3])
        // Duplicates get identical vectors: their cosine is 1.
        #expect(abs(model.vectorize(a).dot(model.vectorize(a)) - 1) < 1e-6)
        #expect(model.vectorize(b).isZero)
    }

    @Test func maxDFIsAFractionOfTheCorpus() {
        // "common" is in 3 of 4 documents: kept with maxDF 0.75, dropped with 0.5.
        let documents = [["common", "r"], ["common", "r"], ["common", "s"], ["s"]].map {
            AnalyzedDocument(titleTerms: [], bodyTerms: $0)
        }
        #expect(TFIDFModel.fitted(documents, TFIDFParameters(maxDF: 0.75)).terms == ["common", "r", "s"])
        #expect(TFIDFModel.fitted(documents, TFIDFParameters(maxDF: 0.5)).terms == ["r", "s"])
    }

    @Test func termIDsAreOrderedByDFThenUTF8Bytes() {
        let documents = syntheticDocuments(count: 400)
        let model = TFIDFModel.fitted(documents, TFIDFParameters(minDF: 1, maxDF: 1))
        #expect(model.vocabularySize > 100)
        #expect(isInTermIDOrder(model))
        // Bytes, not Swift's String ordering: "Z" (0x5A) before "a" (0x61) before "ب" (0xD8 0xA8).
        let mixed = [["a", "ب", "Z"], ["ب", "Z", "a"]].map { AnalyzedDocument(titleTerms: [], bodyTerms: $0) }
        #expect(TFIDFModel.fitted(mixed, TFIDFParameters(minDF: 1, maxDF: 1)).terms == ["Z", "a", "ب"])
    }

    @Test func maxFeaturesKeepsTheHighestTotalCountsAndBreaksTiesByTermOrder() {
        // Totals (title weight 2): x 2+2·1 = 4, y 4, w 3, v 3 (df 3), u 1. maxFeatures 3 keeps x, y and, of the
        // tied w and v, v: higher df first.
        let documents = [
            AnalyzedDocument(titleTerms: ["x"], bodyTerms: ["x", "y", "w", "w", "v"]),
            AnalyzedDocument(titleTerms: [], bodyTerms: ["x", "y", "y", "w", "v"]),
            AnalyzedDocument(titleTerms: [], bodyTerms: ["y", "v", "u"]),
        ]
        let model = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 2, minDF: 1, maxDF: 1, maxFeatures: 3))
        #expect(model.terms == ["v", "y", "x"])
        #expect(model.documentFrequencies == [3, 3, 2])
        // Without the title weight, x totals 3 and falls behind y (4), v (3, df 3) and w (3, df 2 but "w" < "x").
        let untitled = TFIDFModel.fitted(documents, TFIDFParameters(titleWeight: 1, minDF: 1, maxDF: 1, maxFeatures: 3))
        #expect(Set(untitled.terms) == ["v", "y", "w"])
    }
}

/// Whether two counters hold the same counts for the same terms (their local ids may differ).
func countsEqual(_ a: DocumentFrequencyCounter, _ b: DocumentFrequencyCounter) -> Bool {
    let (left, right) = (a.countsByTerm(), b.countsByTerm())
    return left.count == right.count
        && left.allSatisfy { key, value in
            right[key].map { $0 == value } ?? false
        }
}
