import Foundation
import GRDB
import Vectorizer

/// A model as stored in the database: its metadata and the `.silamodel` bytes.
public struct StoredModel: Sendable {
    public var id: String
    public var name: String
    public var analyzerVersion: String
    public var createdAt: Date
    public var bytes: [UInt8]
}

extension SilaStore {
    /// The model new vectors are computed with, if any.
    public func currentModel() throws -> StoredModel? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM models WHERE is_current = 1 LIMIT 1") else {
                return nil
            }
            let data: Data = row["data"]
            return StoredModel(
                id: row["id"], name: row["name"], analyzerVersion: row["analyzer_version"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]), bytes: Array(data))
        }
    }

    /// Stores a model (if not stored yet) and makes it the current one, in one transaction.
    public func saveCurrentModel(_ model: TFIDFModel) throws {
        let bytes = try model.encoded()
        let parameters = String(decoding: try JSONEncoder().encode(model.parameters), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO models (id, name, analyzer_version, params, created_at, is_current, data)
                    VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT(id) DO NOTHING
                    """,
                arguments: [model.id, model.name, model.analyzerVersion, parameters, model.createdAt.timeIntervalSince1970, Data(bytes)])
            try db.execute(sql: "UPDATE models SET is_current = (id = ?)", arguments: [model.id])
        }
    }
}

extension StoredModel {
    /// The fitted model, with its creation time from the database (the file format does not carry one).
    public func decoded(storePath: String) throws -> TFIDFModel {
        try TFIDFModel.decode(bytes, path: "\(storePath) (current model)", createdAt: createdAt)
    }
}
