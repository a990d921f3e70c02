/// The top-k lists of many query rows, stored flat: list `i` is `matches(ofQuery: i)`.
public struct TopKResults: Sendable {
    public let k: Int
    /// queryCount × k; slots after a list's `counts[i]` hold row -1.
    var rows: [Int32]
    var scores: [Float]
    var counts: [Int32]

    init(queryCount: Int, k: Int) {
        self.k = k
        rows = Array(repeating: -1, count: queryCount * k)
        scores = Array(repeating: 0, count: queryCount * k)
        counts = Array(repeating: 0, count: queryCount)
    }

    public var queryCount: Int { counts.count }

    /// The list of query `index`, best first.
    public func matches(ofQuery index: Int) -> [ScoredMatch] {
        let start = index * k
        return (0..<Int(counts[index])).map { ScoredMatch(row: rows[start + $0], score: scores[start + $0]) }
    }
}
