import Similarity
import Store
import Vectorizer

/// Per index row, what an article must score to take part in the row's stored list: the question every reverse
/// update asks (which lists can a new, edited or removed article enter or leave), for the live writes of a server
/// and for a recompute folding in the writes made while it ran.
///
/// An added article can change a full list in two ways only. It enters when its re-ranked score against the row
/// (cosine × recency from the row's date × section preference) reaches the list's last score: only then does the
/// re-ranking look at it (to keep it, or to let it replace a twin). Or it pushes the pool's lowest-cosine
/// candidate out of the candidate pool, which matters only when that candidate is listed — and then its cosine
/// is the lowest cosine of the listed articles, which the added one must reach. A removed article can let an
/// unknown candidate in, whose re-ranked score is at most its cosine × (1 + section preference): the removal
/// matters only when its own cosine reaches the last score divided by that. A list with room takes anything.
struct ListThresholds {
    let builder: RelatedListBuilder
    /// Last stored score per row (-infinity: the list has room).
    private var lastScore: [Float] = []
    /// Lowest cosine between the row and its listed articles.
    private var lowestListedCosine: [Float] = []

    init(builder: RelatedListBuilder, rowCount: Int = 0) {
        self.builder = builder
        lastScore = Array(repeating: -.infinity, count: rowCount)
        lowestListedCosine = Array(repeating: -.infinity, count: rowCount)
    }

    /// Records a row's stored list (`index` holds the row and the listed articles).
    mutating func set(row: Int32, list: [RelatedEntry], in index: SimilarityIndex) {
        while lastScore.count <= Int(row) {
            lastScore.append(-.infinity)
            lowestListedCosine.append(-.infinity)
        }
        guard list.count >= builder.k, let last = list.last else {
            lastScore[Int(row)] = -.infinity
            lowestListedCosine[Int(row)] = -.infinity
            return
        }
        lastScore[Int(row)] = Float(last.score)
        let vector = index.vector(ofRow: row)
        var lowest = Float.infinity
        for entry in list {
            guard let listed = index.row(ofID: entry.id) else {
                lowest = -.infinity  // not in the index: assume the worst
                break
            }
            lowest = min(lowest, vector.dot(index.vector(ofRow: listed)))
        }
        lowestListedCosine[Int(row)] = lowest
    }

    /// Slack for float rounding between the stored (Double) scores and the Float cosines.
    private static func reaches(_ score: Float, _ threshold: Float) -> Bool {
        score >= threshold - abs(threshold) * 1e-5 - 1e-7
    }

    private func thresholds(ofRow row: Int32) -> (last: Float, lowestCosine: Float) {
        Int(row) < lastScore.count ? (lastScore[Int(row)], lowestListedCosine[Int(row)]) : (-.infinity, -.infinity)
    }

    /// The rows whose list an added vector (published at `publishedAt`, in `category`) can change.
    func rowsEntered(
        by vector: SparseVector, publishedAt: Int64?, category: String?, excluding own: Int32?, in index: SimilarityIndex,
        categories: [String?]
    ) -> [Int32] {
        let relevance = builder.relevance
        return index.allScores(of: vector, excluding: own).compactMap { match in
            let (last, lowestCosine) = thresholds(ofRow: match.row)
            if relevance.mmrLambda != nil { return Self.reaches(match.score, last * 0.5) ? match.row : nil }
            if relevance.isPlain { return Self.reaches(match.score, last) ? match.row : nil }
            if Self.reaches(match.score, lowestCosine) { return match.row }
            let rowCategory = Int(match.row) < categories.count ? categories[Int(match.row)] : nil
            let sameSection = relevance.categoryBoost > 0 && rowCategory != nil && rowCategory == category
            let rescored = builder.reranker.score(cosine: Double(match.score), publishedAt: publishedAt, queryDate: index.publishedAt(ofRow: match.row))
                * (sameSection ? 1 + relevance.categoryBoost : 1)
            return Self.reaches(Float(rescored), last) ? match.row : nil
        }
    }

    /// The rows whose list a removed vector (an article's old text, or a deleted article) can change.
    func rowsLeft(by vector: SparseVector, excluding own: Int32?, in index: SimilarityIndex) -> [Int32] {
        let relevance = builder.relevance
        let divisor: Float = relevance.mmrLambda != nil ? 2 : relevance.isPlain ? 1 : Float(1 + max(0, relevance.categoryBoost))
        return index.allScores(of: vector, excluding: own).compactMap { match in
            Self.reaches(match.score, thresholds(ofRow: match.row).last / divisor) ? match.row : nil
        }
    }
}
