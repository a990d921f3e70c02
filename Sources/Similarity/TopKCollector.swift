/// Keeps the best `k` matches seen so far, best first: higher score, then the tie rule of `TieKey`.
///
/// For k ≤ ~100 a sorted buffer beats a heap: one comparison rejects most candidates (`threshold`), insertion is a
/// short shift, and the result comes out sorted.
public struct TopKCollector {
    public let k: Int
    public private(set) var matches: [ScoredMatch] = []
    /// The worst kept score once the buffer is full; candidates below it are rejected without a tie check.
    public private(set) var threshold: Float = -.infinity

    public init(k: Int) {
        self.k = max(0, k)
        matches.reserveCapacity(self.k + 1)
    }

    /// Empties the collector (keeping its storage).
    public mutating func reset() {
        matches.removeAll(keepingCapacity: true)
        threshold = -.infinity
    }

    /// Offers one candidate. `tieKeys` decides equal scores.
    @inline(__always)
    public mutating func offer(_ candidate: ScoredMatch, tieKeys: UnsafeBufferPointer<TieKey>) {
        guard k > 0, candidate.score >= threshold else { return }
        var position = matches.count
        while position > 0, Self.ranks(candidate, before: matches[position - 1], tieKeys: tieKeys) {
            position -= 1
        }
        guard position < k else { return }
        matches.insert(candidate, at: position)
        if matches.count > k { matches.removeLast() }
        if matches.count == k { threshold = matches[k - 1].score }
    }

    @inline(__always)
    static func ranks(_ a: ScoredMatch, before b: ScoredMatch, tieKeys: UnsafeBufferPointer<TieKey>) -> Bool {
        if a.score != b.score { return a.score > b.score }
        return tieKeys[Int(a.row)].ranksBefore(tieKeys[Int(b.row)])
    }
}
