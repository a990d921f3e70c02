/// The inverted lists of every term over rows `0..<rowCount`: the transpose of `SparseRows` in one flat CSR
/// (term → increasing rows, each with its weight beside it: a list is one memory stream), plus each row's norm on
/// the most frequent terms (the single query's bound). Immutable once built, so copies of an index share it.
///
/// Memory: 8 bytes per non-zero, 8 bytes per vocabulary term and 4 bytes per row (its head norm).
final class TermPostings: Sendable {
    /// Rows covered: `0..<rowCount`. Rows appended later are scored directly until the next build.
    let rowCount: Int
    let vocabularySize: Int
    /// Term t's postings are `entries[starts[t]..<starts[t + 1]]`, rows increasing.
    let starts: [Int]
    let entries: [Posting]
    /// The single query's bound split: terms `0..<boundHeadTerms` (the most frequent) are never walked; per row,
    /// `headNorms[row]` is the L2 norm of its part on them.
    let boundHeadTerms: Int
    let headNorms: [Float]

    /// Terms of the single query's head (see `SingleQuery`), chosen by measurement on the dev corpus.
    static let singleQueryHeadTerms = 64

    /// Identifies the order in which a search over these lists sums a row's score (`SimilarityIndex.scoringEpoch`):
    /// it is set by which lists count as long (`longTerms`), so a rebuild whose lists keep their classes keeps the
    /// epoch of the lists it replaces, and any other build takes a new one.
    let epoch: Int
    /// The single query walks lists of this many postings or more block by block, after the shorter ones.
    let longListLength: Int
    /// The terms past the bound's head whose lists hold `longListLength` postings or more, increasing.
    let longTerms: [Int32]
    private static let builds = BuildCounter()

    /// - Parameter previous: the lists these replace (their epoch and long terms), if any.
    init(
        _ source: SparseRows, longListLength: Int = SearchConfiguration.defaultSingleQueryLongListLength,
        previous: (epoch: Int, longTerms: [Int32])? = nil
    ) {
        let vocabulary = source.vocabularySize
        let rowCount = source.rowCount
        let nnz = source.nonZeroCount
        var starts = [Int](repeating: 0, count: vocabulary + 1)
        let boundHead = min(Self.singleQueryHeadTerms, vocabulary)
        var headNorms = [Float](repeating: 0, count: rowCount)
        var entries = [Posting](repeating: Posting(row: 0, weight: 0), count: nnz)
        source.withRaw { raw in
            starts.withUnsafeMutableBufferPointer { starts in
                for entry in 0..<nnz { starts[Int(raw.terms![entry]) + 1] += 1 }
                for term in 0..<vocabulary { starts[term + 1] += starts[term] }
            }
            var fill = starts
            entries.withUnsafeMutableBufferPointer { entryBuffer in
                fill.withUnsafeMutableBufferPointer { fill in
                    for row in 0..<rowCount {
                        var headMass: Float = 0
                        for entry in raw.starts[row]..<raw.starts[row + 1] {
                            let term = Int(raw.terms![entry])
                            let weight = raw.weights![entry]
                            if term < boundHead { headMass += weight * weight }
                            let position = fill[term]
                            fill[term] = position + 1
                            entryBuffer[position] = Posting(row: Int32(row), weight: weight)
                        }
                        headNorms[row] = headMass.squareRoot()
                    }
                }
            }
        }
        self.rowCount = rowCount
        self.vocabularySize = vocabulary
        self.starts = starts
        self.entries = entries
        boundHeadTerms = boundHead
        self.headNorms = headNorms
        let longTerms = (boundHead..<vocabulary).filter { starts[$0 + 1] - starts[$0] >= longListLength }.map { Int32($0) }
        self.longTerms = longTerms
        self.longListLength = longListLength
        epoch = previous.flatMap { $0.longTerms == longTerms ? $0.epoch : nil } ?? Self.builds.next()
    }

    /// Calls `body` with raw views (valid only inside `body`).
    func withRaw<R>(_ body: (RawPostings) -> R) -> R {
        starts.withUnsafeBufferPointer { starts in
            entries.withUnsafeBufferPointer { entries in
                body(RawPostings(starts: starts.baseAddress!, entries: entries.baseAddress))
            }
        }
    }
}

/// Numbers the builds of inverted lists in a process (from 1).
private final class BuildCounter: Sendable {
    private let lock = NSLockLike()
    nonisolated(unsafe) private var count = 0

    func next() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}

/// One entry of an inverted list: a row and its weight on the list's term.
struct Posting {
    var row: Int32
    var weight: Float
}

/// Unsafe views of `TermPostings` for the kernels' inner loops.
struct RawPostings: @unchecked Sendable {
    let starts: UnsafePointer<Int>
    let entries: UnsafePointer<Posting>?
}

/// Holds the postings of one index value, built on demand. Copies of an index share the holder until one of them
/// adds a row (then it takes a holder of its own), so a holder's postings always match its index's rows.
final class PostingsHolder: @unchecked Sendable {
    private let lock = NSLockLike()
    private var current: TermPostings?
    /// The single query's long-list length (`SearchConfiguration.singleQueryLongListLength`): for the epochs.
    private let longListLength: Int

    init(_ postings: TermPostings? = nil, longListLength: Int) {
        current = postings
        self.longListLength = longListLength
    }

    var snapshot: TermPostings? { lock.withLock { current } }

    /// Postings covering all but at most `maxUncovered` of `rows`' rows, built (all rows) when needed.
    func postings(for rows: SparseRows, maxUncovered: Int) -> TermPostings {
        lock.withLock {
            if let current, rows.rowCount - current.rowCount <= maxUncovered { return current }
            let previous = current.map { (epoch: $0.epoch, longTerms: $0.longTerms) }
            current = nil  // release the stale lists before building the new ones
            let built = TermPostings(rows, longListLength: longListLength, previous: previous)
            current = built
            return built
        }
    }
}
