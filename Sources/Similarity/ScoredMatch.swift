/// One neighbour: a row of the index and its cosine score with the query (higher is more similar).
public struct ScoredMatch: Hashable, Sendable {
    public var row: Int32
    public var score: Float

    public init(row: Int32, score: Float) {
        self.row = row
        self.score = score
    }
}

/// What breaks a tie between two equal scores (DESIGN.md): the newer `publishedAt` first, then the smaller id.
public struct TieKey: Hashable, Sendable {
    /// Seconds since 1970; `nil` (no date) counts as older than any date.
    public var publishedAt: Int64?
    public var id: String

    public init(publishedAt: Int64?, id: String) {
        self.publishedAt = publishedAt
        self.id = id
    }

    /// Whether `self` ranks before `other` at equal score.
    @inline(__always)
    public func ranksBefore(_ other: TieKey) -> Bool {
        let mine = publishedAt ?? Int64.min
        let theirs = other.publishedAt ?? Int64.min
        if mine != theirs { return mine > theirs }
        return id.utf8.lexicographicallyPrecedes(other.id.utf8)
    }
}
