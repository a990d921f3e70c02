/// Counts document frequencies in one streaming pass: memory grows with the vocabulary, not with the corpus.
///
/// Feed every document once with `add(_:)`, then `makeModel` prunes the vocabulary and fixes the idf weights.
public struct DocumentFrequencyCounter: Sendable {
    /// Per term: documents containing it, and its total (title-weighted) count over the corpus.
    struct TermTotals: Sendable {
        var documentFrequency: Int32 = 0
        var totalCount: Double = 0
    }

    public let parameters: TFIDFParameters
    private(set) var totals: [String: TermTotals] = [:]
    public private(set) var documentCount = 0

    public init(parameters: TFIDFParameters) {
        self.parameters = parameters
    }

    public mutating func add(_ document: AnalyzedDocument) {
        documentCount += 1
        for (term, count) in document.termCounts(titleWeight: parameters.titleWeight) {
            totals[term, default: TermTotals()].documentFrequency += 1
            totals[term, default: TermTotals()].totalCount += count
        }
    }

    /// Merges the counts of another counter that saw other documents (for parallel counting).
    public mutating func merge(_ other: DocumentFrequencyCounter) {
        documentCount += other.documentCount
        for (term, theirs) in other.totals {
            totals[term, default: TermTotals()].documentFrequency += theirs.documentFrequency
            totals[term, default: TermTotals()].totalCount += theirs.totalCount
        }
    }

    /// Number of distinct terms seen before pruning.
    public var distinctTermCount: Int { totals.count }

    /// The vocabulary after pruning by minDF, maxDF and maxFeatures, ordered for term ids: highest document
    /// frequency first (the similarity engine keeps the densest columns at the front), then by term.
    func prunedVocabulary() -> [(term: String, documentFrequency: Int32)] {
        let maxDocumentCount = parameters.maxDF * Double(documentCount)
        var kept = totals.filter { _, value in
            Int(value.documentFrequency) >= parameters.minDF && Double(value.documentFrequency) <= maxDocumentCount
        }
        if let maxFeatures = parameters.maxFeatures, kept.count > maxFeatures {
            let ranked = kept.sorted { lhs, rhs in
                lhs.value.totalCount != rhs.value.totalCount ? lhs.value.totalCount > rhs.value.totalCount : lhs.key < rhs.key
            }
            kept = Dictionary(uniqueKeysWithValues: ranked.prefix(maxFeatures).map { ($0.key, $0.value) })
        }
        return kept.map { (term: $0.key, documentFrequency: $0.value.documentFrequency) }
            .sorted { lhs, rhs in
                lhs.documentFrequency != rhs.documentFrequency
                    ? lhs.documentFrequency > rhs.documentFrequency : lhs.term.utf8.lexicographicallyPrecedes(rhs.term.utf8)
            }
    }
}
