import Foundation
import GRDB
import Vectorizer

/// Sila's SQLite database: articles, fitted models, vectors, related lists and jobs (DESIGN.md "Storage").
///
/// WAL mode, foreign keys on, schema through named migrations. Readers never see a half-written state: every
/// public write is one transaction, and a recompute swaps a complete shadow table in. SQLite's failures come out
/// as `StoreError`s that say what happened (busy, disk full, read-only, damaged), never as raw SQLite codes.
public final class SilaStore: Sendable {
    public let path: String
    /// Why the database was opened read-only, if it was.
    public let readOnlyReason: ReadOnlyReason?
    let pool: DatabasePool

    /// Why a store refuses writes.
    public enum ReadOnlyReason: Sendable {
        /// The file, its directory or its file system is not writable.
        case notWritable
        /// The file system is full: SQLite could not even create its shared-memory index, so the database was
        /// opened immutable for reading.
        case noSpace
    }

    /// Whether the database was opened read-only (writes throw `StoreError.readOnly` or `.diskFull`).
    public var isReadOnly: Bool { readOnlyReason != nil }

    private init(path: String, pool: DatabasePool, readOnlyReason: ReadOnlyReason?) {
        self.path = path
        self.pool = pool
        self.readOnlyReason = readOnlyReason
    }

    /// Opens the database at `path`, creating it (and its directory) when `createIfMissing` is set.
    ///
    /// A database that cannot be written (read-only file, directory or file system) is opened read-only: reads
    /// work, and writes throw `StoreError.readOnly`. Opening takes SQLite's write lock only when there is something
    /// to write (a migration, an abandoned shadow table), so a reader is not held up by another process's writer.
    /// - Throws: `StoreError.databaseMissing` when it does not exist and may not be created, `.newerSchema` when a
    ///   newer Sila wrote it, `.notASilaDatabase` for any other file (random bytes, a text file, another
    ///   application's SQLite database, even an empty one it has marked), `.corrupt` for a damaged one. A refused
    ///   file is never modified: it is inspected through a read-only connection before anything else touches it.
    public static func open(path: String, createIfMissing: Bool) throws -> SilaStore {
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard createIfMissing else { throw StoreError.databaseMissing(path: path) }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let hasContent = exists ? try checkIsSQLiteOrEmpty(path: path) : false
        let writable = DatabaseFileAccess.isWritable(path: path, exists: exists)
        if !exists, !writable { throw StoreError.readOnly(path: path) }
        if hasContent { try inspect(path: path) }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(SilaStoreLimits.busyTimeout)
        configuration.readonly = !writable
        if writable {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        let store: SilaStore
        do {
            store = SilaStore(path: path, pool: try openPool(path: path, configuration: configuration), readOnlyReason: writable ? nil : .notWritable)
        } catch let error as StoreError where error.isNoSpace && exists && writable && !DatabaseFileAccess.hasPendingWAL(path: path) {
            // A full file system: SQLite cannot create the `-shm` index. With nothing pending in a WAL, the file
            // alone is the whole database, and it can still be read (immutable) while the disk is full.
            configuration.readonly = true
            let pool = try openPool(path: DatabaseFileAccess.immutableURI(path), reportingAs: path, configuration: configuration)
            store = SilaStore(path: path, pool: pool, readOnlyReason: .noSpace)
        }
        try store.prepareSchema()
        return store
    }

    /// The pool; a read-only WAL database whose directory cannot hold the `-shm` index is opened immutable.
    private static func openPool(path: String, reportingAs name: String? = nil, configuration: Configuration) throws -> DatabasePool {
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where configuration.readonly && error.resultCode == .SQLITE_CANTOPEN && name == nil {
            do {
                return try DatabasePool(path: DatabaseFileAccess.immutableURI(path), configuration: configuration)
            } catch {
                throw StoreError.translating(error, path: path)
            }
        } catch {
            throw StoreError.translating(error, path: name ?? path)
        }
    }

    /// Brings the schema up to date and drops the shadow tables of recomputes whose process died before their
    /// swap, taking the write lock only when either is needed.
    private func prepareSchema() throws {
        let migrator = Schema.migrator
        let (complete, abandoned) = try read { db in
            (try migrator.hasCompletedMigrations(db),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'related_shadow%'")
                .filter(ShadowTable.isAbandoned))
        }
        if isReadOnly {
            guard complete else {
                throw StoreError.cannotOpen(path: path, reason: "its schema needs an upgrade, and it is read-only")
            }
            return
        }
        do {
            if !complete { try migrator.migrate(pool) }
            if !abandoned.isEmpty {
                try pool.write { db in
                    // Incomplete lists of a killed recompute; a live recompute's table is left alone.
                    for name in abandoned { try db.execute(sql: "DROP TABLE IF EXISTS \(name)") }
                }
            }
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// Refuses files that are not SQLite databases before SQLite gets a chance to write a WAL beside them.
    /// - Returns: whether the file has content (an empty file becomes a new database).
    private static func checkIsSQLiteOrEmpty(path: String) throws -> Bool {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StoreError.notASilaDatabase(path: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "not readable")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return false }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw StoreError.notASilaDatabase(path: path, reason: "not an SQLite file")
        }
        return true
    }

    /// Looks at an existing SQLite file through a read-only connection (which changes nothing: no WAL switch, no
    /// migration) and refuses what is not a Sila database.
    private static func inspect(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(SilaStoreLimits.busyTimeout)
        do {
            let queue: DatabaseQueue
            do {
                queue = try DatabaseQueue(path: path, configuration: configuration)
            } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL].contains(error.resultCode) {
                // No `-shm` index can be made (a read-only directory, a full disk): look at the file alone.
                queue = try DatabaseQueue(path: DatabaseFileAccess.immutableURI(path), configuration: configuration)
            }
            defer { try? queue.close() }
            try queue.read { db in try SchemaCheck.refuseForeign(db, path: path) }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw StoreError.notASilaDatabase(path: path, reason: "a damaged SQLite file: \(error.message ?? "corrupt")")
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// Runs `PRAGMA integrity_check`; returns "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Closes the connections; the store must not be used afterwards.
    public func close() throws { try pool.close() }

    /// A read on a snapshot, with SQLite's failures as `StoreError`s.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// One write transaction, with SQLite's failures as `StoreError`s (busy after the timeout, disk full,
    /// read-only); a failed transaction is rolled back whole.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        switch readOnlyReason {
        case .notWritable: throw StoreError.readOnly(path: path)
        case .noSpace: throw StoreError.diskFull(path: path)
        case nil: break
        }
        do {
            return try pool.write(body)
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }
}
