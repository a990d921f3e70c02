/// A document as the vectorizer sees it: the analyzer's terms of its title and of its body, kept apart so the
/// title can be weighted.
public struct AnalyzedDocument: Sendable, Hashable {
    public var titleTerms: [String]
    public var bodyTerms: [String]

    public init(titleTerms: [String], bodyTerms: [String]) {
        self.titleTerms = titleTerms
        self.bodyTerms = bodyTerms
    }

    /// count(t, d) = count in body + titleWeight × count in title, for every term present.
    public func termCounts(titleWeight: Double) -> [String: Double] {
        var counts = [String: Double](minimumCapacity: bodyTerms.count)
        for term in bodyTerms { counts[term, default: 0] += 1 }
        if titleWeight > 0 {
            for term in titleTerms { counts[term, default: 0] += titleWeight }
        }
        return counts
    }
}
