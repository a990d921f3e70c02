import Vectorizer

/// The indexed vectors in compressed-row form, plus an inverted list per tail term.
///
/// Memory is O(non-zeros): every weight is stored once in its row and once in its term's postings (tail terms
/// only), plus `rowCount × headTerms` floats for the dense head.
struct SparseRows {
    /// Columns `0..<headTerms` are kept dense (`headMatrix`); they are the most frequent terms.
    let headTerms: Int
    private(set) var rowStarts: [Int] = [0]
    private(set) var termIDs: [UInt32] = []
    private(set) var weights: [Float] = []
    /// rowCount × headTerms, row-major.
    private(set) var headMatrix: [Float] = []
    /// For each tail term id t ≥ headTerms: the rows containing it (increasing) and their weights.
    private(set) var postingRows: [[Int32]]
    private(set) var postingWeights: [[Float]]

    init(vocabularySize: Int, headTerms: Int) {
        self.headTerms = min(headTerms, vocabularySize)
        postingRows = Array(repeating: [], count: vocabularySize)
        postingWeights = Array(repeating: [], count: vocabularySize)
    }

    var rowCount: Int { rowStarts.count - 1 }
    var vocabularySize: Int { postingRows.count }

    func row(_ index: Int) -> (termIDs: ArraySlice<UInt32>, weights: ArraySlice<Float>) {
        let range = rowStarts[index]..<rowStarts[index + 1]
        return (termIDs[range], weights[range])
    }

    /// Appends a row; its index is the previous `rowCount`. Terms outside the vocabulary are ignored.
    mutating func append(_ vector: SparseVector) {
        let row = Int32(rowCount)
        let headStart = headMatrix.count
        headMatrix.append(contentsOf: repeatElement(0, count: headTerms))
        for (term, weight) in zip(vector.termIDs, vector.weights) where Int(term) < vocabularySize {
            termIDs.append(term)
            weights.append(weight)
            if Int(term) < headTerms {
                headMatrix[headStart + Int(term)] = weight
            } else {
                postingRows[Int(term)].append(row)
                postingWeights[Int(term)].append(weight)
            }
        }
        rowStarts.append(termIDs.count)
    }

    /// Writes the head part of `vector` densely into `destination` (headTerms floats).
    func densifyHead(_ vector: SparseVector, into destination: UnsafeMutableBufferPointer<Float>) {
        for index in destination.indices { destination[index] = 0 }
        for (term, weight) in zip(vector.termIDs, vector.weights) {
            guard Int(term) < headTerms else { break }  // term ids are sorted: the head is a prefix
            destination[Int(term)] = weight
        }
    }

    /// Adds the tail part of `query · rowᵀ` for every row into `scores` (rowCount floats).
    func accumulateTail(termIDs queryTerms: some Collection<UInt32>, weights queryWeights: some Collection<Float>,
                        into scores: UnsafeMutablePointer<Float>) {
        for (term, weight) in zip(queryTerms, queryWeights) where Int(term) >= headTerms && Int(term) < vocabularySize {
            let rows = postingRows[Int(term)]
            let values = postingWeights[Int(term)]
            rows.withUnsafeBufferPointer { rowBuffer in
                values.withUnsafeBufferPointer { valueBuffer in
                    for index in 0..<rowBuffer.count {
                        scores[Int(rowBuffer[index])] += weight * valueBuffer[index]
                    }
                }
            }
        }
    }
}
