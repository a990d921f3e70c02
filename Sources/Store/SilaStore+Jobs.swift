import Foundation
import GRDB

/// A background job (a recompute started through the server) as recorded in the `jobs` table.
public struct JobRecord: Codable, Hashable, Sendable {
    public var id: Int64
    public var kind: String
    public var state: String
    public var progress: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public var error: String?

    /// The socket API's JSON spells keys in snake_case, like every other answer (`published_at`, `uptime_seconds`).
    enum CodingKeys: String, CodingKey {
        case id, kind, state, progress, error
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

extension SilaStore {
    /// Records a new running job and returns its id.
    public func startJob(kind: String) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO jobs (kind, state, progress, started_at) VALUES (?, 'running', 0, ?)",
                arguments: [kind, Date().timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func updateJob(id: Int64, progress: Double) throws {
        try write { db in
            try db.execute(sql: "UPDATE jobs SET progress = ? WHERE id = ?", arguments: [progress, id])
        }
    }

    public func finishJob(id: Int64, error: String?) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE jobs SET state = ?, progress = CASE WHEN ? IS NULL THEN 1 ELSE progress END, finished_at = ?, error = ? WHERE id = ?",
                arguments: [error == nil ? "done" : "failed", error, Date().timeIntervalSince1970, error, id])
        }
    }

    /// Jobs left `running` by a process that died are marked failed (called at server start).
    ///
    /// Takes the write lock only when such a job exists, and does nothing on a read-only database (a server may
    /// serve reads from one: nothing there can have been running).
    public func failInterruptedJobs() throws {
        guard !isReadOnly else { return }
        let running = try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE state = 'running'") ?? 0 }
        guard running > 0 else { return }
        try write { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'failed', error = 'interrupted: the server stopped before it finished', finished_at = ? WHERE state = 'running'",
                arguments: [Date().timeIntervalSince1970])
        }
    }

    public func job(id: Int64) throws -> JobRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map { row in
                JobRecord(
                    id: row["id"], kind: row["kind"], state: row["state"], progress: row["progress"],
                    startedAt: row["started_at"], finishedAt: row["finished_at"], error: row["error"])
            }
        }
    }
}

/// Sizes and counts for `sila stats`.
public struct StoreStatistics: Sendable, Codable {
    public var articles: Int
    public var vectors: Int
    public var articlesWithLists: Int
    public var relatedEntries: Int
    public var fileBytes: Int64
    public var lastComputedAt: Double?
}

extension SilaStore {
    public func statistics() throws -> StoreStatistics {
        let sizes = ["", "-wal"].compactMap { suffix in
            (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? NSNumber
        }
        return try read { db in
            StoreStatistics(
                articles: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles") ?? 0,
                vectors: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vectors") ?? 0,
                articlesWithLists: try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT article_id) FROM related") ?? 0,
                relatedEntries: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM related") ?? 0,
                fileBytes: sizes.reduce(0) { $0 + $1.int64Value },
                lastComputedAt: try Double.fetchOne(db, sql: "SELECT MAX(computed_at) FROM related"))
        }
    }
}

extension SilaStore {
    /// A stored setting (JSON text), if set.
    public func setting(_ key: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }
}
