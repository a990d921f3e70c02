import Similarity
import Store
import Vectorizer

/// Per index row, the cosine an article needs to take part in that row's stored list (`RelatedListBuilder.entryFloor`).
///
/// Answers the question every reverse update asks — which lists can a new, edited or removed article enter or
/// leave — for the live writes of a server and for a recompute folding in the writes made while it ran.
struct EntryFloors {
    private var floors: [Float] = []

    init(rowCount: Int = 0) {
        floors = Array(repeating: -1, count: rowCount)
    }

    /// Records the floor of a row from its stored list.
    mutating func set(row: Int32, list: [RelatedEntry], builder: RelatedListBuilder) {
        while floors.count <= Int(row) { floors.append(-1) }
        floors[Int(row)] = builder.entryFloor(of: list)
    }

    /// Ids of the rows whose list `vector` can take part in (its cosine with them reaches their floor).
    func idsReached(by vector: SparseVector, excluding row: Int32?, in index: SimilarityIndex) -> [String] {
        index.allScores(of: vector, excluding: row).compactMap { match in
            let floor = Int(match.row) < floors.count ? floors[Int(match.row)] : -1
            return match.score >= floor ? index.tieKey(ofRow: match.row).id : nil
        }
    }
}
