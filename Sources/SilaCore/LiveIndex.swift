import ArabicText
import Foundation
import Similarity
import Store
import Vectorizer

/// The in-memory similarity index of the current model, kept in step with the store by live writes.
///
/// Serves what stored lists cannot: lists for text that is not stored (cold start), and the reverse update of a
/// PUT or DELETE (which other articles' lists a new article enters, or must be refilled without it). Writes are
/// serialized by a lock; reads of stored lists never come here.
public final class LiveIndex: @unchecked Sendable {
    public let store: SilaStore
    public let model: TFIDFModel
    public let analyzer: Analyzer
    /// Length of the stored lists.
    public let k: Int
    private var index: SimilarityIndex
    /// Per row: the score of the last entry of its stored list, or -1 when the list has room (< k entries).
    private var thresholds: [Float]
    private let lock = NSLock()

    /// Loads the current model and its vectors. Returns nil when the database has no model yet.
    public static func load(store: SilaStore, search: SearchConfiguration = .standard) throws -> LiveIndex? {
        guard let stored = try store.currentModel() else { return nil }
        let model = try TFIDFModel.decode(stored.bytes, path: "\(store.path) (current model)")
        return try LiveIndex(store: store, model: model, search: search)
    }

    init(store: SilaStore, model: TFIDFModel, search: SearchConfiguration) throws {
        self.store = store
        self.model = model
        analyzer = try model.makeAnalyzer()
        index = SimilarityIndex(vocabularySize: model.vocabularySize, configuration: search)
        for stored in try store.loadVectors(modelID: model.id) {
            index.add(stored.vector, key: TieKey(publishedAt: stored.publishedAt.flatMap(ISODate.epochSeconds), id: stored.articleID))
        }
        var longest = 0
        var lastScores = [String: (count: Int, last: Float)]()
        try store.forEachRelatedList { id, entries in
            longest = max(longest, entries.count)
            lastScores[id] = (entries.count, Float(entries.last?.score ?? 0))
        }
        k = max(longest, 10)
        thresholds = Array(repeating: -1, count: index.rowCount)
        for (id, info) in lastScores where info.count >= k {
            if let row = index.row(ofID: id) { thresholds[Int(row)] = info.last }
        }
    }

    public var articleCount: Int { lock.withLock { index.liveCount } }

    /// The vector of an article under this model.
    public func vectorize(_ article: Article) -> SparseVector {
        model.vectorize(analyzer.document(for: article))
    }

    /// The exact top-k of a text that is not stored (cold start). Nothing is written.
    public func related(to article: Article, k: Int) -> [RelatedEntry] {
        let vector = vectorize(article)
        return lock.withLock {
            let own = index.row(ofID: article.id)
            return entries(index.search(vector, k: k, excluding: own))
        }
    }

    /// The exact top-k of a stored article computed now (not from the stored list).
    public func liveRelated(ofID id: String, k: Int) -> [RelatedEntry]? {
        lock.withLock {
            guard let row = index.row(ofID: id) else { return nil }
            return entries(index.search(index.vector(ofRow: row), k: k, excluding: row))
        }
    }

    private func entries(_ matches: [ScoredMatch]) -> [RelatedEntry] {
        matches.map { RelatedEntry(id: index.tieKey(ofRow: $0.row).id, score: Double($0.score)) }
    }

    /// Stores or replaces an article, computes its list and updates every list it enters or leaves, all in one
    /// transaction. Returns whether it was new, and its list.
    public func upsert(_ article: Article) throws -> (created: Bool, list: [RelatedEntry]) {
        try lock.withLock {
            let vector = vectorize(article)
            let previousRow = index.row(ofID: article.id)
            let listedBy = previousRow == nil ? [] : try store.articlesListing(article.id)
            var trial = index
            let row = trial.add(vector, key: TieKey(publishedAt: article.publishedEpochSeconds, id: article.id))
            let list = trial.search(vector, k: k, excluding: row).map {
                RelatedEntry(id: trial.tieKey(ofRow: $0.row).id, score: Double($0.score))
            }
            // Lists it now enters: rows whose last stored score it beats (or whose list has room).
            var affected = Set(listedBy)
            for match in trial.allScores(of: vector, excluding: row) {
                let threshold = Int(match.row) < thresholds.count ? thresholds[Int(match.row)] : -1
                if match.score >= threshold { affected.insert(trial.tieKey(ofRow: match.row).id) }
            }
            affected.remove(article.id)
            var updated = [String: [RelatedEntry]]()
            for id in affected {
                guard let other = trial.row(ofID: id) else { continue }
                updated[id] = trial.search(trial.vector(ofRow: other), k: k, excluding: other).map {
                    RelatedEntry(id: trial.tieKey(ofRow: $0.row).id, score: Double($0.score))
                }
            }
            let counts = try store.commitUpsert(
                article, vector: VectorWrite(articleID: article.id, textHash: article.textHash, vector: vector),
                modelID: model.id, list: list, updatedLists: updated)
            index = trial
            thresholds.append(-1)
            setThreshold(row: row, list: list)
            for (id, entries) in updated { if let other = index.row(ofID: id) { setThreshold(row: other, list: entries) } }
            return (counts.inserted == 1, list)
        }
    }

    /// Deletes an article and refills every list that showed it. Returns false when it did not exist.
    public func delete(id: String) throws -> Bool {
        try lock.withLock {
            var trial = index
            trial.remove(id: id)
            var refilled = [String: [RelatedEntry]]()
            for other in try store.articlesListing(id) where other != id {
                guard let row = trial.row(ofID: other) else { continue }
                refilled[other] = trial.search(trial.vector(ofRow: row), k: k, excluding: row).map {
                    RelatedEntry(id: trial.tieKey(ofRow: $0.row).id, score: Double($0.score))
                }
            }
            guard try store.commitDelete(id: id, refilledLists: refilled, modelID: model.id) else { return false }
            index = trial
            for (other, entries) in refilled { if let row = index.row(ofID: other) { setThreshold(row: row, list: entries) } }
            return true
        }
    }

    private func setThreshold(row: Int32, list: [RelatedEntry]) {
        while thresholds.count <= Int(row) { thresholds.append(-1) }
        thresholds[Int(row)] = list.count >= k ? Float(list.last?.score ?? 0) : -1
    }
}
