import Foundation
import GRDB

/// What a long-running reader (the server) compares to notice that another process — a nightly `sila index` —
/// replaced the model or swapped in new lists, so it can reload instead of serving and writing with stale state.
public struct StoreGeneration: Equatable, Sendable {
    /// The current model's id (nil before the first index).
    public var modelID: String?
    /// Changes at every swap of the related lists.
    public var listsStamp: String?
}

extension SilaStore {
    /// The settings key the indexer stamps, in the swap transaction, at every swap.
    public static let listsStampKey = "lists_swapped"

    /// Two small indexed reads: cheap enough to poll every second.
    public func generation() throws -> StoreGeneration {
        try read { db in try Self.generation(in: db) }
    }

    static func generation(in db: Database) throws -> StoreGeneration {
        StoreGeneration(
            modelID: try String.fetchOne(db, sql: "SELECT id FROM models WHERE is_current = 1 LIMIT 1"),
            listsStamp: try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [Self.listsStampKey]))
    }

    /// Refuses a live write computed against `expected` when the model or the lists changed since (another
    /// process's recompute swapped in): checked inside the write's transaction, so no write slips between.
    static func requireGeneration(_ expected: StoreGeneration?, in db: Database) throws {
        guard let expected else { return }
        let current = try generation(in: db)
        if current != expected { throw StoreError.generationChanged(expected: expected, current: current) }
    }

    /// The current model's id, without loading the model.
    public func currentModelID() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT id FROM models WHERE is_current = 1 LIMIT 1") }
    }

    /// The model the stored vector of an article belongs to (nil when it has none).
    public func vectorModelID(of articleID: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT model_id FROM vectors WHERE article_id = ?", arguments: [articleID]) }
    }
}
