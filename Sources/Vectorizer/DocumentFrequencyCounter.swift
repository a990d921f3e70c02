import CPrefetch

/// Counts document frequencies in one streaming pass: memory grows with the vocabulary, not with the corpus.
///
/// Feed every document once with `add(_:)` (or count chunks in parallel and `merge` them), then
/// `TFIDFModel(name:analyzerVersion:analyzerConfiguration:counter:)` prunes the vocabulary and fixes the idf weights.
/// Adding a document allocates nothing once its terms are known: each term is interned by its UTF-8 bytes and a
/// per-term stamp (the last document that counted it) makes a repeated term count once per document.
public struct DocumentFrequencyCounter: Sendable {
    /// Per term: documents containing it, and its occurrences in bodies and in titles over the corpus.
    ///
    /// 16 bytes, so that four share a cache line: 32-bit counts hold any corpus of a few million articles (a count
    /// past 2³² traps rather than wraps).
    struct TermTotals: Sendable, Equatable {
        var documentFrequency: Int32 = 0
        var bodyCount: UInt32 = 0
        var titleCount: UInt32 = 0
        /// The `documentCount` at the last document that counted this term (0: none since the last merge).
        var lastDocument: UInt32 = 0
    }

    public let parameters: TFIDFParameters
    public private(set) var documentCount = 0
    /// Term → dense counter-local id, in order of first sight (not the model's term ids).
    private(set) var terms = TermTable()
    /// Indexed by the counter-local term id.
    private(set) var totals: [TermTotals] = []

    public init(parameters: TFIDFParameters) {
        self.parameters = parameters
    }

    /// Counts `documents` on up to `threads` threads, each claiming batches of documents in order
    /// (`concurrentBatches`), and merges the threads' counts: the same counts as adding the documents one by one,
    /// hence the same fitted model.
    public init(parameters: TFIDFParameters, counting documents: [AnalyzedDocument], threads: Int) {
        let partial = concurrentBatches(
            count: documents.count, batchSize: 512, workers: documents.count >= 1000 ? threads : 1,
            initial: { DocumentFrequencyCounter(parameters: parameters) }
        ) { counter, range in
            for index in range { counter.add(documents[index]) }
        }
        self = partial[0]
        for other in partial.dropFirst() { merge(other) }
    }

    /// Counts one document: every distinct term once for its document frequency; body occurrences and title
    /// occurrences apart for `maxFeatures`. With `titleWeight` 0 the title is ignored.
    public mutating func add(_ document: AnalyzedDocument) {
        var unused = [UInt32]()
        count(document, recording: false, into: &unused)
    }

    /// `add(_:)` that also appends the document's terms to `keys` as (counter-local id << 1 | is-title), so that the
    /// document can be vectorized later without looking its terms up again (`TFIDFModel.fitTransform`).
    mutating func add(_ document: AnalyzedDocument, recordingInto keys: inout [UInt32]) {
        count(document, recording: true, into: &keys)
    }

    @inline(__always)
    private mutating func count(_ document: AnalyzedDocument, recording: Bool, into keys: inout [UInt32]) {
        precondition(documentCount < Int(UInt32.max), "a counter holds at most 2³² − 1 documents")
        documentCount += 1
        let stamp = UInt32(documentCount)
        count(document.bodyTerms, isTitle: false, stamp: stamp, recording: recording, into: &keys)
        guard parameters.titleWeight > 0 else { return }
        count(document.titleTerms, isTitle: true, stamp: stamp, recording: recording, into: &keys)
    }

    /// Terms looked up together: their hash-table misses overlap (`TermTable`).
    private static let batchSize = 32

    /// Counts the terms of one field of the current document (`stamp`), a batch at a time: keys and prefetches for
    /// the whole batch, then the lookups, then the counts.
    @inline(__always)
    private mutating func count(
        _ fieldTerms: [String], isTitle: Bool, stamp: UInt32, recording: Bool, into keys: inout [UInt32]
    ) {
        guard !fieldTerms.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: TermTable.Key.self, capacity: Self.batchSize) { batchKeys in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.batchSize) { ids in
                var start = 0
                while start < fieldTerms.count {
                    let batch = min(Self.batchSize, fieldTerms.count - start)
                    for offset in 0..<batch {
                        let key = TermTable.key(fieldTerms[start + offset])
                        terms.prefetch(key)
                        batchKeys[offset] = key
                    }
                    for offset in 0..<batch {
                        let id = terms.insert(batchKeys[offset], term: fieldTerms[start + offset])
                        if Int(id) == totals.count { totals.append(TermTotals()) }
                        ids[offset] = id
                    }
                    totals.withUnsafeMutableBufferPointer { totals in
                        // The counts of rarer terms are spread over the array: start their misses together too.
                        for offset in 0..<batch { sila_prefetch(totals.baseAddress! + Int(ids[offset])) }
                        for offset in 0..<batch {
                            let id = Int(ids[offset])
                            if totals[id].lastDocument != stamp {
                                totals[id].lastDocument = stamp
                                totals[id].documentFrequency += 1
                            }
                            if isTitle { totals[id].titleCount += 1 } else { totals[id].bodyCount += 1 }
                        }
                    }
                    if recording {
                        let flag: UInt32 = isTitle ? 1 : 0
                        for offset in 0..<batch { keys.append(ids[offset] << 1 | flag) }
                    }
                    start += batch
                }
            }
        }
    }

    /// Merges the counts of another counter that saw other documents (for parallel counting).
    public mutating func merge(_ other: DocumentFrequencyCounter) {
        _ = merge(other, mappingIDs: false)
    }

    /// Merges `other` and, when asked, returns the id in this counter of each of `other`'s local ids.
    mutating func merge(_ other: DocumentFrequencyCounter, mappingIDs: Bool) -> [UInt32] {
        precondition(parameters == other.parameters, "cannot merge counts fitted with other parameters")
        documentCount += other.documentCount
        totals.reserveCapacity(terms.count + other.terms.count)
        let mapping = terms.insert(contentsOf: other.terms)
        for (otherID, id) in mapping.enumerated() {
            let id = Int(id)
            if id == totals.count { totals.append(TermTotals()) }
            let theirs = other.totals[otherID]
            totals[id].documentFrequency += theirs.documentFrequency
            totals[id].bodyCount += theirs.bodyCount
            totals[id].titleCount += theirs.titleCount
        }
        return mappingIDs ? mapping : []
    }

    /// The UTF-8 bytes of a counter-local term id.
    func withTermBytes<R>(of id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        terms.withBytes(of: id, body)
    }

    /// Number of distinct terms seen before pruning.
    public var distinctTermCount: Int { terms.count }

    /// Every term seen with its counts, for tests: (document frequency, body count, title count).
    func countsByTerm() -> [[UInt8]: (documentFrequency: Int32, bodyCount: Int, titleCount: Int)] {
        var counts = [[UInt8]: (documentFrequency: Int32, bodyCount: Int, titleCount: Int)]()
        for id in 0..<terms.count {
            let entry = totals[id]
            counts[terms.withBytes(of: UInt32(id)) { Array($0) }] =
                (entry.documentFrequency, Int(entry.bodyCount), Int(entry.titleCount))
        }
        return counts
    }

    /// The vocabulary after pruning, in term-id order.
    func prunedVocabulary() -> [(term: String, documentFrequency: Int32)] {
        prunedTermIDs().map { (term: terms.term(UInt32($0)), documentFrequency: totals[$0].documentFrequency) }
    }

    /// The counter-local ids of the vocabulary after pruning, in term-id order.
    ///
    /// Kept: terms with minDF ≤ df ≤ maxDF × N. When more than `maxFeatures` remain, the `maxFeatures` terms of
    /// highest total count (body + titleWeight × title over the corpus: scikit-learn's rule, which ranks by total
    /// term frequency, not by df) stay; ties in total count are broken by the term-id order below, so the cut is
    /// deterministic where scikit-learn's (an unstable argsort) is not.
    ///
    /// Term-id order: decreasing document frequency (the similarity engine keeps the densest columns at the front),
    /// then increasing UTF-8 bytes of the term.
    func prunedTermIDs() -> [Int] {
        let maxDocumentCount = parameters.maxDF * Double(documentCount)
        var kept = [OrderKey]()
        kept.reserveCapacity(terms.count)
        for id in 0..<terms.count {
            let df = totals[id].documentFrequency
            if Int(df) >= parameters.minDF && Double(df) <= maxDocumentCount { kept.append(orderKey(id)) }
        }
        if let maxFeatures = parameters.maxFeatures, kept.count > maxFeatures {
            let titleWeight = parameters.titleWeight
            func total(_ id: Int) -> Double { Double(totals[id].bodyCount) + titleWeight * Double(totals[id].titleCount) }
            kept.sort { lhs, rhs in
                let (left, right) = (total(Int(lhs.id)), total(Int(rhs.id)))
                return left != right ? left > right : precedesInTermOrder(lhs, rhs)
            }
            kept.removeLast(kept.count - maxFeatures)
        }
        kept.sort(by: precedesInTermOrder)
        return kept.map { Int($0.id) }
    }

    /// What term-id order compares first: document frequency, and the term's first 8 bytes as a big-endian number
    /// (zero-padded), which orders like the bytes themselves.
    struct OrderKey {
        var documentFrequency: Int32
        var id: UInt32
        var prefix: UInt64
    }

    private func orderKey(_ id: Int) -> OrderKey {
        let prefix = terms.withBytes(of: UInt32(id)) { bytes in
            var prefix: UInt64 = 0
            for index in 0..<8 { prefix = prefix << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
            return prefix
        }
        return OrderKey(documentFrequency: totals[id].documentFrequency, id: UInt32(id), prefix: prefix)
    }

    /// Term-id order: decreasing document frequency, then increasing UTF-8 bytes (equal zero-padded prefixes
    /// compare the whole terms: "ab" precedes "ab\0").
    private func precedesInTermOrder(_ lhs: OrderKey, _ rhs: OrderKey) -> Bool {
        if lhs.documentFrequency != rhs.documentFrequency { return lhs.documentFrequency > rhs.documentFrequency }
        if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
        return terms.withBytes(of: lhs.id) { a in
            terms.withBytes(of: rhs.id) { b in a.lexicographicallyPrecedes(b) }
        }
    }
}
