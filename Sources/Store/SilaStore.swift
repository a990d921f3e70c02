import Foundation
import GRDB
import Vectorizer

/// Sila's SQLite database: articles, fitted models, vectors, related lists and jobs (DESIGN.md "Storage").
///
/// WAL mode, foreign keys on, schema through named migrations. Readers never see a half-written state: every
/// public write is one transaction, and a recompute swaps a complete shadow table in.
public final class SilaStore: Sendable {
    public let path: String
    let pool: DatabasePool

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens the database at `path`, creating it (and its directory) when `createIfMissing` is set.
    /// - Throws: `StoreError.databaseMissing` when it does not exist and may not be created, `.newerSchema` when a
    ///   newer Sila wrote it, `.notASilaDatabase` for any other file. A refused file is never modified.
    public static func open(path: String, createIfMissing: Bool) throws -> SilaStore {
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard createIfMissing else { throw StoreError.databaseMissing(path: path) }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if exists { try checkIsSQLiteOrEmpty(path: path) }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        let migrator = Schema.migrator
        try pool.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            if !tables.isEmpty, !tables.contains("grdb_migrations") {
                throw StoreError.notASilaDatabase(path: path, reason: "it has tables but no Sila migrations")
            }
            if try migrator.hasBeenSuperseded(db) {
                let known = Set(migrator.migrations)
                let unknown = try migrator.appliedIdentifiers(db).filter { !known.contains($0) }
                throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted())
            }
        }
        do {
            try migrator.migrate(pool)
            try pool.write { db in
                // A recompute killed before its swap leaves its shadow table behind: it is incomplete, drop it.
                try db.execute(sql: "DROP TABLE IF EXISTS related_shadow")
            }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        return SilaStore(path: path, pool: pool)
    }

    /// Refuses files that are not SQLite databases before SQLite gets a chance to write a WAL beside them.
    private static func checkIsSQLiteOrEmpty(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "not readable")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw StoreError.notASilaDatabase(path: path, reason: "not an SQLite file")
        }
    }

    /// Runs `PRAGMA integrity_check`; returns "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Closes the connections; the store must not be used afterwards.
    public func close() throws { try pool.close() }
}
