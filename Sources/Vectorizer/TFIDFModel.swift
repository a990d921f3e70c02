import ArabicText
import Foundation

/// A fitted TF-IDF model: the analyzer version it was fitted with, its parameters, the vocabulary with
/// document frequencies, and the number of documents N. Its `id` is a hash of that content.
///
/// Term ids are dense: term `i` is `terms[i]`, ordered by decreasing document frequency.
/// idf(t) = ln((1 + N) / (1 + df(t))) + 1, weight = tf × idf, then each vector is L2-normalized.
public struct TFIDFModel: Sendable {
    public let name: String
    public let analyzerVersion: String
    public let analyzerConfiguration: Analyzer.Configuration
    public let parameters: TFIDFParameters
    public let documentCount: Int
    public let terms: [String]
    public let documentFrequencies: [Int32]
    public let createdAt: Date
    /// Hash of everything that determines the weights (not of the name or creation time).
    public let id: String

    let termIDs: [String: UInt32]
    let idf: [Double]

    public init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        parameters: TFIDFParameters, documentCount: Int, terms: [String], documentFrequencies: [Int32],
        createdAt: Date = Date()
    ) {
        precondition(terms.count == documentFrequencies.count, "one document frequency per term")
        self.name = name
        self.analyzerVersion = analyzerVersion
        self.analyzerConfiguration = analyzerConfiguration
        self.parameters = parameters
        self.documentCount = documentCount
        self.terms = terms
        self.documentFrequencies = documentFrequencies
        self.createdAt = createdAt
        var ids = [String: UInt32](minimumCapacity: terms.count)
        for (index, term) in terms.enumerated() { ids[term] = UInt32(index) }
        termIDs = ids
        let n = Double(documentCount)
        idf = documentFrequencies.map { log((1 + n) / (1 + Double($0))) + 1 }
        id = Self.contentID(
            analyzerVersion: analyzerVersion, parameters: parameters, documentCount: documentCount, terms: terms,
            documentFrequencies: documentFrequencies)
    }

    /// Fits a model from a finished document-frequency count.
    public init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        counter: DocumentFrequencyCounter, createdAt: Date = Date()
    ) {
        let vocabulary = counter.prunedVocabulary()
        self.init(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration,
            parameters: counter.parameters, documentCount: counter.documentCount, terms: vocabulary.map(\.term),
            documentFrequencies: vocabulary.map(\.documentFrequency), createdAt: createdAt)
    }

    public var vocabularySize: Int { terms.count }

    public func termID(_ term: String) -> UInt32? { termIDs[term] }

    public func inverseDocumentFrequency(ofTermID id: UInt32) -> Double { idf[Int(id)] }

    /// The L2-normalized TF-IDF vector of a document; terms outside the vocabulary are ignored, and a document
    /// with no vocabulary term gets the zero vector (it has no related articles and is nobody's neighbour).
    public func vectorize(_ document: AnalyzedDocument) -> SparseVector {
        var entries = [(UInt32, Double)]()
        for (term, count) in document.termCounts(titleWeight: parameters.titleWeight) {
            guard let id = termIDs[term], count > 0 else { continue }
            let tf = parameters.sublinearTF ? 1 + log(count) : count
            entries.append((id, tf * idf[Int(id)]))
        }
        guard !entries.isEmpty else { return SparseVector() }
        entries.sort { $0.0 < $1.0 }
        let norm = entries.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        guard norm > 0 else { return SparseVector() }
        return SparseVector(termIDs: entries.map(\.0), weights: entries.map { Float($0.1 / norm) })
    }

    static func contentID(
        analyzerVersion: String, parameters: TFIDFParameters, documentCount: Int, terms: [String],
        documentFrequencies: [Int32]
    ) -> String {
        var hash = ContentHash()
        hash.combine(analyzerVersion)
        hash.combine(
            "tw=\(parameters.titleWeight) sub=\(parameters.sublinearTF) min=\(parameters.minDF) "
                + "max=\(parameters.maxDF) feat=\(parameters.maxFeatures.map(String.init) ?? "-") n=\(documentCount)")
        for term in terms { hash.combine(term) }
        for df in documentFrequencies { withUnsafeBytes(of: df.littleEndian) { hash.combine(bytes: $0) } }
        return hash.hex
    }
}
