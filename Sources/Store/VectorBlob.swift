import Foundation
import Vectorizer

/// The BLOB encoding of a sparse vector: term ids as UInt32 and weights as Float32, little-endian.
enum VectorBlob {
    static func encode(_ vector: SparseVector) -> (terms: Data, weights: Data) {
        var terms = Data(capacity: vector.termIDs.count * 4)
        var weights = Data(capacity: vector.weights.count * 4)
        for id in vector.termIDs { withUnsafeBytes(of: id.littleEndian) { terms.append(contentsOf: $0) } }
        for weight in vector.weights {
            withUnsafeBytes(of: weight.bitPattern.littleEndian) { weights.append(contentsOf: $0) }
        }
        return (terms, weights)
    }

    static func decode(terms: Data, weights: Data) -> SparseVector? {
        guard terms.count % 4 == 0, terms.count == weights.count else { return nil }
        let count = terms.count / 4
        var ids = [UInt32](repeating: 0, count: count)
        var values = [Float](repeating: 0, count: count)
        terms.withUnsafeBytes { raw in
            for index in 0..<count { ids[index] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) }
        }
        weights.withUnsafeBytes { raw in
            for index in 0..<count {
                values[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
        }
        for index in 1..<max(count, 1) where ids[index] <= ids[index - 1] { return nil }
        return SparseVector(termIDs: ids, weights: values)
    }
}
