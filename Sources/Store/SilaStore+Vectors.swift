import Foundation
import GRDB
import Vectorizer

/// One article's vector, ready to be indexed.
public struct StoredVector: Sendable {
    public var articleID: String
    public var publishedAt: String?
    public var vector: SparseVector
}

/// A vector computed for an article, to be written.
public struct VectorWrite: Sendable {
    public var articleID: String
    public var textHash: String
    public var vector: SparseVector

    public init(articleID: String, textHash: String, vector: SparseVector) {
        self.articleID = articleID
        self.textHash = textHash
        self.vector = vector
    }
}

extension SilaStore {
    /// Ids of the articles without an up-to-date vector of `modelID` (new, edited, or vectorized by another model).
    public func articleIDsNeedingVectors(modelID: String) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT a.id FROM articles a LEFT JOIN vectors v ON v.article_id = a.id
                    WHERE v.article_id IS NULL OR v.model_id != ? ORDER BY a.id
                    """, arguments: [modelID])
        }
    }

    /// Ids whose stored vector was computed from another title/body than the article's current one.
    public func articleIDsWithStaleText(_ textHashes: [String: String]) throws -> [String] {
        try read { db in
            var stale = [String]()
            let statement = try db.makeStatement(sql: "SELECT content_hash FROM vectors WHERE article_id = ?")
            for (id, hash) in textHashes where try String.fetchOne(statement, arguments: [id]) != hash {
                stale.append(id)
            }
            return stale
        }
    }

    /// Writes vectors of `modelID`, replacing older ones, in one transaction.
    public func saveVectors(_ writes: [VectorWrite], modelID: String) throws {
        try write { db in try Self.saveVectors(writes, modelID: modelID, in: db) }
    }

    static func saveVectors(_ writes: [VectorWrite], modelID: String, in db: Database) throws {
        let statement = try db.makeStatement(
            sql: """
                INSERT INTO vectors (article_id, model_id, content_hash, terms, weights) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(article_id) DO UPDATE SET model_id = excluded.model_id,
                  content_hash = excluded.content_hash, terms = excluded.terms, weights = excluded.weights
                """)
        for write in writes {
            let blobs = VectorBlob.encode(write.vector)
            try statement.execute(arguments: [write.articleID, modelID, write.textHash, blobs.terms, blobs.weights])
        }
    }

    /// Every vector of `modelID`, in article id order, with the article's date for tie-breaking.
    public func loadVectors(modelID: String) throws -> [StoredVector] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT v.article_id, a.published_at, v.terms, v.weights FROM vectors v
                    JOIN articles a INDEXED BY articles_meta ON a.id = v.article_id WHERE v.model_id = ? ORDER BY v.article_id
                    """, arguments: [modelID])
            var result = [StoredVector]()
            while let row = try rows.next() {
                let id: String = row["article_id"]
                guard let vector = VectorBlob.decode(terms: row["terms"], weights: row["weights"]) else {
                    throw StoreError.corruptVector(articleID: id)
                }
                result.append(StoredVector(articleID: id, publishedAt: row["published_at"], vector: vector))
            }
            return result
        }
    }

    /// Number of stored vectors per model id.
    public func vectorCounts() throws -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT model_id, COUNT(*) AS n FROM vectors GROUP BY model_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["model_id"], $0["n"]) })
        }
    }
}
