import ArabicText
import Foundation
import TestSupport

@testable import Vectorizer

extension TFIDFModel {
    /// A model fitted from a counter, with a fixed name, analyzer version and creation time.
    static func fitted(_ counter: DocumentFrequencyCounter, name: String = "test", analyzerVersion: String = "test-1") -> TFIDFModel {
        TFIDFModel(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: .standard, counter: counter,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// A model fitted from documents added one by one.
    static func fitted(_ documents: [AnalyzedDocument], _ parameters: TFIDFParameters, name: String = "test") -> TFIDFModel {
        var counter = DocumentFrequencyCounter(parameters: parameters)
        for document in documents { counter.add(document) }
        return fitted(counter, name: name)
    }
}

/// `count` synthetic documents over a skewed vocabulary of made-up Arabic-looking terms.
func syntheticDocuments(count: Int, seed: UInt64 = 42) -> [AnalyzedDocument] {
    var rng = SeededGenerator(seed: seed)
    let letters = Array("بتثجحخدذرزسشصضطظعغفقكلمنهوي").map(String.init)
    let vocabulary = (0..<600).map { rank in
        (0..<(2 + rank % 5)).map { letters[($0 * 7 + rank * 13 + rank / 11) % letters.count] }.joined() + "\(rank)"
    }
    func term() -> String {
        // Squaring a uniform draw skews the ranks towards the front: a cheap Zipf-like tail.
        let u = Double.random(in: 0..<1, using: &rng)
        return vocabulary[Int(u * u * u * Double(vocabulary.count))]
    }
    return (0..<count).map { _ in
        AnalyzedDocument(
            titleTerms: (0..<Int.random(in: 2...8, using: &rng)).map { _ in term() },
            bodyTerms: (0..<Int.random(in: 5...60, using: &rng)).map { _ in term() })
    }
}
