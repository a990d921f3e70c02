import Foundation

extension TFIDFModel {
    /// The L2-normalized TF-IDF vector of a document; terms outside the vocabulary are ignored, and a document
    /// with no vocabulary term gets the zero vector (it has no related articles and is nobody's neighbour).
    ///
    /// count(t, d) = body count + titleWeight × title count; tf = 1 + ln(count) (or count with raw tf);
    /// weight = tf × idf, computed in `Double` and normalized before rounding to `Float`.
    ///
    /// Allocates only the two result arrays: the document's known terms go as (term id, is-title) keys into one
    /// scratch buffer (on the stack for ordinary documents), sorted, and counted run by run.
    public func vectorize(_ document: AnalyzedDocument) -> SparseVector {
        let capacity = document.bodyTerms.count + document.titleTerms.count
        guard capacity > 0 else { return SparseVector() }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: capacity) { keys in
            var keyCount = 0
            lookUp(document.bodyTerms, flag: 0, into: keys, count: &keyCount)
            if parameters.titleWeight > 0 { lookUp(document.titleTerms, flag: 1, into: keys, count: &keyCount) }
            guard keyCount > 0 else { return SparseVector() }
            let used = UnsafeMutableBufferPointer(rebasing: keys[0..<keyCount])
            sortKeys(used)
            return weighted(sortedKeys: UnsafeBufferPointer(used))
        }
    }

    /// Appends (term id << 1 | flag) for each of `terms` in the vocabulary to `keys[count...]`, a batch of terms at a
    /// time (keys and prefetches, then lookups: the batch's cache misses overlap; see `TermTable`).
    @inline(__always)
    private func lookUp(_ terms: [String], flag: UInt64, into keys: UnsafeMutableBufferPointer<UInt64>, count: inout Int) {
        let batchSize = 32
        withUnsafeTemporaryAllocation(of: TermTable.Key.self, capacity: batchSize) { batchKeys in
            var start = 0
            while start < terms.count {
                let batch = min(batchSize, terms.count - start)
                for offset in 0..<batch {
                    let key = TermTable.key(terms[start + offset])
                    termTable.prefetch(key)
                    batchKeys[offset] = key
                }
                for offset in 0..<batch {
                    guard let id = termTable.id(of: batchKeys[offset], term: terms[start + offset]) else { continue }
                    keys[count] = UInt64(id) << 1 | flag
                    count += 1
                }
                start += batch
            }
        }
    }

    /// The normalized vector from sorted (term id << 1 | is-title) keys.
    func weighted(sortedKeys keys: UnsafeBufferPointer<UInt64>) -> SparseVector {
        var distinct = 1
        for index in 1..<keys.count where keys[index] >> 1 != keys[index - 1] >> 1 { distinct += 1 }
        let titleWeight = parameters.titleWeight
        let sublinear = parameters.sublinearTF
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: distinct) { raw in
            var ids = [UInt32](repeating: 0, count: distinct)
            var squares = 0.0
            var slot = 0
            var index = 0
            idf.withUnsafeBufferPointer { idf in
                while index < keys.count {
                    let id = keys[index] >> 1
                    var body = 0
                    var title = 0
                    while index < keys.count, keys[index] >> 1 == id {
                        if keys[index] & 1 == 0 { body += 1 } else { title += 1 }
                        index += 1
                    }
                    let count = Double(body) + titleWeight * Double(title)
                    let tf = sublinear ? 1 + log(count) : count
                    let weight = tf * idf[Int(id)]
                    ids[slot] = UInt32(id)
                    raw[slot] = weight
                    squares += weight * weight
                    slot += 1
                }
            }
            let norm = squares.squareRoot()
            guard norm > 0 else { return SparseVector() }
            let weights = [Float](unsafeUninitializedCapacity: distinct) { buffer, initialized in
                for slot in 0..<distinct { buffer[slot] = Float(raw[slot] / norm) }
                initialized = distinct
            }
            return SparseVector(termIDs: ids, weights: weights)
        }
    }

    /// Vectorizes `documents` on up to `threads` threads; element `i` is `vectorize(documents[i])`.
    public func vectorize(_ documents: [AnalyzedDocument], threads: Int) -> [SparseVector] {
        guard threads > 1, documents.count >= 512 else { return documents.map(vectorize) }
        let chunks = concurrentChunks(count: documents.count, chunks: threads * 4) { range in
            documents[range].map(vectorize)
        }
        return Array(chunks.joined())
    }
}
