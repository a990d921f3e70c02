import Foundation
import GRDB
import Vectorizer

extension SilaStore {
    /// Stores one article with its vector and its list, and updates the lists of other articles it enters —
    /// all in one transaction, so a crash leaves either none of it or all of it. The write is journaled for a
    /// recompute running meanwhile.
    /// - Parameter expected: the generation the lists were computed against; when the store has moved on (another
    ///   process swapped lists in), nothing is written and `StoreError.generationChanged` is thrown.
    public func commitUpsert(
        _ article: Article, vector: VectorWrite?, modelID: String?, list: [RelatedEntry],
        updatedLists: [String: [RelatedEntry]], poolBounds: [String: PoolBound] = [:], expected: StoreGeneration? = nil
    ) throws -> UpsertCounts {
        try write { db in
            try Self.requireGeneration(expected, in: db)
            try Self.journalChange(of: article.id, in: db)
            let counts = try Self.upsert([article], in: db)
            if let vector, let modelID {
                try Self.saveVectors([vector], modelID: modelID, in: db)
                var lists = updatedLists
                lists[article.id] = list
                try Self.writeLists(lists, poolBounds: poolBounds, modelID: modelID, in: db)
            }
            return counts
        }
    }

    /// Deletes an article (its vector and its list go with it) and writes the refilled lists of the articles that
    /// listed it, in one transaction, journaled like `commitUpsert`. Returns false when the article did not exist.
    public func commitDelete(
        id: String, refilledLists: [String: [RelatedEntry]], poolBounds: [String: PoolBound] = [:], modelID: String?,
        expected: StoreGeneration? = nil
    ) throws -> Bool {
        try write { db in
            try Self.requireGeneration(expected, in: db)
            guard try Article.deleteOne(db, key: id) else { return false }
            try Self.journalChange(of: id, in: db)
            if let modelID {
                try Self.writeLists(refilledLists, poolBounds: poolBounds, modelID: modelID, in: db)
            }
            return true
        }
    }

    /// Ids of the articles whose stored list contains `id`.
    public func articlesListing(_ id: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT article_id FROM related WHERE related_id = ?", arguments: [id])
        }
    }
}
