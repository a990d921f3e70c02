import Foundation
import Similarity
import Store
import Vectorizer

extension RelatedListBuilder {
    /// The list of `row` once the article at `added` has joined its candidate pool, worked out from the stored
    /// list without searching again — or nil when that cannot be known exactly (the row is then searched).
    ///
    /// A new article enters a few dozen lists; searching each again costs a few hundred microseconds, most of a
    /// PUT. Re-ranking is a sort of the pool by re-ranked score, then collapsing near-copies greedily into the
    /// first k kept. When the pool's last candidate is known not to matter (`edgeListed == false`: neither listed
    /// nor a listed article's near-copy), the added article clearly joins the pool, and it cannot be a near-copy
    /// of any listed article nor of anything collapsed into one (its cosine to every listed article is below
    /// `2t² − 1`, the least cosine to a listed article that a twin of one of its twins can have, t being the
    /// collapsing threshold), the new list is the stored one with the added article put in its sorted place. The
    /// pool's new last candidate is not known: the bound keeps the old floor as a lower bound.
    func listAfterJoining(
        row: Int32, added: Int32, stored: [RelatedEntry], pool: PoolBound, index: SimilarityIndex, categories: [String?]
    ) -> (entries: [RelatedEntry], pool: PoolBound)? {
        guard !relevance.isPlain, relevance.mmrLambda == nil, stored.count == k, pool.edgeListed == false,
            let floor = pool.floor, floor >= 0
        else { return nil }
        let addedVector = index.vector(ofRow: added)
        // The same float sums as the search's exact score (common terms in increasing id order).
        let cosine = index.vector(ofRow: row).dot(addedVector)
        guard cosine > Float(floor) * (1 + 1e-5) + 1e-6 else { return nil }
        if let threshold = relevance.dedupeThreshold {
            if relevance.hidesReprintsOfQuery, Double(cosine) >= threshold - 1e-6 { return nil }
            let twinOfTwin = 2 * threshold * threshold - 1 - 1e-4
            for entry in stored {
                guard let listed = index.row(ofID: entry.id) else { return nil }
                if Double(addedVector.dot(index.vector(ofRow: listed))) >= twinOfTwin { return nil }
            }
        }
        let addedKey = index.tieKey(ofRow: added)
        let rowCategory = Int(row) < categories.count ? categories[Int(row)] : nil
        let addedCategory = Int(added) < categories.count ? categories[Int(added)] : nil
        var score = reranker.score(cosine: Double(cosine), publishedAt: addedKey.publishedAt, queryDate: index.publishedAt(ofRow: row))
        if relevance.categoryBoost > 0, let rowCategory, addedCategory == rowCategory { score *= 1 + relevance.categoryBoost }
        guard score > relevance.minimumScore else { return nil }
        // Its place: before the first entry it outscores. An exact tie would need the entries' tie keys: searched.
        guard !stored.contains(where: { $0.score == score || $0.id == addedKey.id }) else { return nil }
        var entries = stored
        if let position = stored.firstIndex(where: { score > $0.score }) {
            entries.insert(RelatedEntry(id: addedKey.id, score: score), at: position)
            entries.removeLast()
        }
        return (entries, PoolBound(floor: floor, edgeListed: nil))
    }
}
