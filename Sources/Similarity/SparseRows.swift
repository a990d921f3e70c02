import CPrefetch
import Vectorizer

/// The indexed vectors in compressed-row form (CSR), append-only: one flat array of term ids and one of weights,
/// with per-row offsets, plus each row's squared L2 norm (for the pruning bounds).
///
/// Memory: 8 bytes per non-zero plus 12 bytes per row. The inverted lists (`TermPostings`, the transpose) are built
/// from these rows when a search needs them; the dense head block of the all-pairs kernel is built per search.
struct SparseRows {
    let vocabularySize: Int
    private(set) var rowStarts: [Int] = [0]
    /// Per row, increasing term ids (only terms inside the vocabulary, only non-zero weights).
    private(set) var termIDs: [UInt32] = []
    private(set) var weights: [Float] = []
    private(set) var squaredNorms: [Float] = []

    init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
    }

    var rowCount: Int { rowStarts.count - 1 }
    var nonZeroCount: Int { termIDs.count }

    func row(_ index: Int) -> (termIDs: ArraySlice<UInt32>, weights: ArraySlice<Float>) {
        let range = rowStarts[index]..<rowStarts[index + 1]
        return (termIDs[range], weights[range])
    }

    mutating func reserveCapacity(rows: Int, nonZeros: Int) {
        rowStarts.reserveCapacity(rows + 1)
        squaredNorms.reserveCapacity(rows)
        termIDs.reserveCapacity(nonZeros)
        weights.reserveCapacity(nonZeros)
    }

    /// Appends a row; its index is the previous `rowCount`. Terms outside the vocabulary and zero weights are
    /// dropped; terms are stored in increasing order (a repeated term id keeps the sum of its weights).
    mutating func append(_ vector: SparseVector) {
        var entries = [(UInt32, Float)]()
        var sorted = true
        var previous: UInt32? = nil
        for (term, weight) in zip(vector.termIDs, vector.weights) where Int(term) < vocabularySize && weight != 0 {
            if let previous, term <= previous { sorted = false }
            previous = term
            entries.append((term, weight))
        }
        if !sorted {
            entries.sort { $0.0 < $1.0 }
            var merged = [(UInt32, Float)]()
            for entry in entries {
                if let last = merged.last, last.0 == entry.0 {
                    merged[merged.count - 1].1 += entry.1
                } else {
                    merged.append(entry)
                }
            }
            entries = merged.filter { $0.1 != 0 }
        }
        var norm: Float = 0
        for (term, weight) in entries {
            termIDs.append(term)
            weights.append(weight)
            norm += weight * weight
        }
        squaredNorms.append(norm)
        rowStarts.append(termIDs.count)
    }

    /// Calls `body` with raw views of the storage (valid only inside `body`).
    func withRaw<R>(_ body: (RawRows) -> R) -> R {
        rowStarts.withUnsafeBufferPointer { starts in
            termIDs.withUnsafeBufferPointer { terms in
                weights.withUnsafeBufferPointer { values in
                    squaredNorms.withUnsafeBufferPointer { norms in
                        body(RawRows(starts: starts.baseAddress!, terms: terms.baseAddress, weights: values.baseAddress,
                                     squaredNorms: norms.baseAddress, rowCount: rowCount))
                    }
                }
            }
        }
    }
}

/// Unsafe views of `SparseRows` for the kernels' inner loops.
struct RawRows: @unchecked Sendable {
    let starts: UnsafePointer<Int>
    let terms: UnsafePointer<UInt32>?
    let weights: UnsafePointer<Float>?
    let squaredNorms: UnsafePointer<Float>?
    let rowCount: Int

    /// `Σ dense[term] · weight` over the entries of `row`: the exact dot product with a query held densely.
    @inline(__always)
    func dot(row: Int, dense: UnsafePointer<Float>) -> Float {
        let start = starts[row]
        let end = starts[row + 1]
        guard start < end, let terms, let weights else { return 0 }
        var sum: Float = 0
        for entry in start..<end { sum += dense[Int(terms[entry])] * weights[entry] }
        return sum
    }

    /// The exact dot product with a query held densely, summed as a single query sums a row the inverted lists
    /// cover: the terms at or above `limit` in its walk order (those of short lists, then those of long ones, each
    /// in increasing order), plus the terms below it in increasing order (`headDot`). Equal vectors then score
    /// equal whether the inverted lists cover them or not, and the tie rule orders them.
    @inline(__always)
    func splitDot(row: Int, dense: UnsafePointer<Float>, termsBelow limit: UInt32, isLongList: (Int) -> Bool) -> Float {
        guard let terms, let weights else { return 0 }
        let entries = starts[row]..<starts[row + 1]
        var tail: Float = 0
        for entry in entries where terms[entry] >= limit && !isLongList(Int(terms[entry])) {
            tail += dense[Int(terms[entry])] * weights[entry]
        }
        for entry in entries where terms[entry] >= limit && isLongList(Int(terms[entry])) {
            tail += dense[Int(terms[entry])] * weights[entry]
        }
        return tail + headDot(row: row, dense: dense, termsBelow: limit)
    }

    /// `splitDot` against a query held in two dense halves by list class (`shortDense`: the short lists' terms and
    /// the head's; `longDense`: the long lists'): the same products in the same order (the half that does not hold
    /// a term adds +0, which changes no bit), so the same bits — without looking up each entry's list length, for
    /// scoring a few rows against one query.
    @inline(__always)
    func splitDot(row: Int, shortDense: UnsafePointer<Float>, longDense: UnsafePointer<Float>, termsBelow limit: UInt32) -> Float {
        var first = starts[row]
        let end = starts[row + 1]
        guard first < end, let terms, let weights else { return 0 }
        while first < end, terms[first] < limit { first += 1 }
        var tail: Float = 0
        for entry in first..<end { tail += shortDense[Int(terms[entry])] * weights[entry] }
        for entry in first..<end { tail += longDense[Int(terms[entry])] * weights[entry] }
        return tail + headDot(row: row, dense: shortDense, termsBelow: limit)
    }

    /// Asks for the first cache lines of a row's entries (a hint: no effect on results).
    @inline(__always)
    func prefetchRow(_ row: Int) {
        guard let terms, let weights else { return }
        let start = starts[row]
        sila_prefetch(terms + start)
        sila_prefetch(weights + start)
    }

    /// `Σ dense[term] · weight` over the entries of `row` whose term is below `limit` (its first entries: terms
    /// increase within a row). A single query adds the frequent head terms' part this way to the exact partial score
    /// its posting walk gave the row on the other terms.
    @inline(__always)
    func headDot(row: Int, dense: UnsafePointer<Float>, termsBelow limit: UInt32) -> Float {
        var entry = starts[row]
        let end = starts[row + 1]
        guard entry < end, let terms, let weights else { return 0 }
        var sum: Float = 0
        while entry < end, terms[entry] < limit {
            sum += dense[Int(terms[entry])] * weights[entry]
            entry += 1
        }
        return sum
    }
}
