import GRDB

/// What the reverse update knows of the candidate pool a stored list was chosen from (the `poolSize` best cosines).
///
/// A new article can change a list without entering it only by pushing the pool's last candidate out of the pool,
/// and that matters only when that candidate is listed. Knowing it lets a live write skip most lists.
public struct PoolBound: Sendable, Equatable {
    /// Cosine of the pool's last candidate; -1 when the pool was not full (a new article joins it, pushing nothing
    /// out; cosines are positive); nil when not known any more. When `edgeListed` is nil, a lower bound of that
    /// cosine (articles joined the pool since it was known, which only raises it).
    public var floor: Double?
    /// Whether the pool's last candidate is listed; nil when not known.
    public var edgeListed: Bool?

    public init(floor: Double?, edgeListed: Bool?) {
        self.floor = floor
        self.edgeListed = edgeListed
    }

    /// Nothing known: every check treats the list as one a write can change.
    public static let unknown = PoolBound(floor: nil, edgeListed: nil)

    init(row: Row) {
        floor = row["pool_floor"]
        edgeListed = row["pool_edge_listed"]
    }
}
