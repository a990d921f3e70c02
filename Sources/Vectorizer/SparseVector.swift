/// A sparse TF-IDF vector: term ids in increasing order with their weights, L2-normalized (or empty).
public struct SparseVector: Hashable, Sendable {
    public var termIDs: [UInt32]
    public var weights: [Float]

    public init(termIDs: [UInt32] = [], weights: [Float] = []) {
        precondition(termIDs.count == weights.count, "a sparse vector needs one weight per term id")
        self.termIDs = termIDs
        self.weights = weights
    }

    public var nonZeroCount: Int { termIDs.count }
    public var isZero: Bool { termIDs.isEmpty }

    /// The dot product with another sparse vector (the cosine, since both are L2-normalized).
    public func dot(_ other: SparseVector) -> Float {
        var i = 0
        var j = 0
        var sum: Float = 0
        while i < termIDs.count, j < other.termIDs.count {
            let a = termIDs[i]
            let b = other.termIDs[j]
            if a == b {
                sum += weights[i] * other.weights[j]
                i += 1
                j += 1
            } else if a < b {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }
}
