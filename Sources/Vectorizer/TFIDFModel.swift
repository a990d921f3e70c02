import ArabicText
import Foundation

/// A fitted TF-IDF model: the analyzer version it was fitted with, its parameters, the vocabulary with
/// document frequencies, and the number of documents N. Its `id` is a hash of that content.
///
/// Term ids are dense: term `i` is `terms[i]`, ordered by decreasing document frequency, then by the term's UTF-8
/// bytes. Terms are byte strings: two canonically equivalent spellings are two terms, as in scikit-learn.
/// idf(t) = ln((1 + N) / (1 + df(t))) + 1, weight = tf × idf, then each vector is L2-normalized.
public struct TFIDFModel: Sendable {
    public let name: String
    public let analyzerVersion: String
    public let analyzerConfiguration: Analyzer.Configuration
    public let parameters: TFIDFParameters
    public let documentCount: Int
    public let terms: [String]
    public let documentFrequencies: [Int32]
    /// When the model was fitted, or for a decoded model when its file was written (the file itself holds no
    /// time, so that the same corpus and parameters always give the same bytes).
    public let createdAt: Date
    /// Hash of everything that determines the weights (not of the name or creation time).
    public let id: String

    /// Term → term id, by UTF-8 bytes.
    let termTable: TermTable
    let idf: [Double]

    public init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        parameters: TFIDFParameters, documentCount: Int, terms: [String], documentFrequencies: [Int32],
        createdAt: Date = Date()
    ) {
        let table = Self.termTable(terms)
        precondition(table != nil, "the terms of a model must be distinct")
        self.init(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration,
            parameters: parameters, documentCount: documentCount, terms: terms, termTable: table!,
            documentFrequencies: documentFrequencies, createdAt: createdAt)
    }

    /// - Precondition: `termTable` maps `terms[i]` to `i`.
    init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        parameters: TFIDFParameters, documentCount: Int, terms: [String], termTable: TermTable,
        documentFrequencies: [Int32], createdAt: Date
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
        self.termTable = termTable
        let n = Double(documentCount)
        idf = documentFrequencies.map { log((1 + n) / (1 + Double($0))) + 1 }
        id = Self.contentID(
            analyzerVersion: analyzerVersion, parameters: parameters, documentCount: documentCount, terms: terms,
            documentFrequencies: documentFrequencies)
    }

    /// The table giving term `i` the id `i`, or `nil` when two terms have the same bytes.
    static func termTable(_ terms: [String]) -> TermTable? {
        var table = TermTable(minimumCapacity: terms.count)
        for (index, term) in terms.enumerated() where table.insert(term) != UInt32(index) { return nil }
        return table
    }

    /// Fits a model from a finished document-frequency count.
    public init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        counter: DocumentFrequencyCounter, createdAt: Date = Date()
    ) {
        self.init(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration, counter: counter,
            keeping: counter.prunedTermIDs(), createdAt: createdAt)
    }

    /// The model of `counter` whose term `i` is the counter's term `kept[i]` (`kept`: `counter.prunedTermIDs()`).
    /// Its term table is built from the counter's bytes, without decoding and re-encoding the terms.
    init(
        name: String, analyzerVersion: String, analyzerConfiguration: Analyzer.Configuration,
        counter: DocumentFrequencyCounter, keeping kept: [Int], createdAt: Date
    ) {
        self.init(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration,
            parameters: counter.parameters, documentCount: counter.documentCount,
            terms: kept.map { counter.terms.term(UInt32($0)) }, termTable: TermTable(counter.terms, ids: kept),
            documentFrequencies: kept.map { counter.totals[$0].documentFrequency }, createdAt: createdAt)
    }

    public var vocabularySize: Int { terms.count }

    public func termID(_ term: String) -> UInt32? { termTable.id(of: term) }

    public func inverseDocumentFrequency(ofTermID id: UInt32) -> Double { idf[Int(id)] }

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
