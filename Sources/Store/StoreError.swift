import GRDB

/// Why the store could not do what was asked, with the context a person needs to fix it.
public enum StoreError: Error, CustomStringConvertible {
    case databaseMissing(path: String)
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case notASilaDatabase(path: String, reason: String)
    case busy(path: String)
    case corruptVector(articleID: String)
    case noCurrentModel
    /// The disk (or the file system's quota) is full: the write was rolled back, nothing of it was stored.
    case diskFull(path: String)
    /// The database file, its directory or its file system is read-only: reads work, writes cannot.
    case readOnly(path: String)
    /// SQLite found the file damaged (or not a database) while reading it.
    case corrupt(path: String, reason: String)
    /// The operating system failed a read or write (a failing disk, a vanished network mount).
    case ioError(path: String, reason: String)
    /// A live write was computed against lists or a model that another process has replaced since: nothing was
    /// written; reload and retry.
    case generationChanged(expected: StoreGeneration, current: StoreGeneration)

    /// Whether the failure is the storage's state rather than the request's fault: a server answers 503 (try
    /// again later) for these.
    public var isStorageUnavailable: Bool {
        switch self {
        case .busy, .diskFull, .readOnly, .corrupt, .ioError, .cannotOpen: return true
        default: return false
        }
    }

    /// Whether SQLite failed to write for lack of space (a full disk can also show as an I/O error on the
    /// shared-memory file).
    var isNoSpace: Bool {
        switch self {
        case .diskFull, .ioError: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .databaseMissing(let path):
            return "\(path): no database here. Create it with `sila ingest FILE…` (or `sila demo` for the sample), "
                + "or point --db / $SILA_DB at an existing one."
        case .cannotOpen(let path, let reason): return "\(path): cannot open the database: \(reason)"
        case .newerSchema(let path, let unknown):
            return "\(path): this database was written by a newer Sila (unknown migrations: "
                + "\(unknown.joined(separator: ", "))). Upgrade Sila; the database was left untouched."
        case .notASilaDatabase(let path, let reason):
            return "\(path): not a Sila database (\(reason)); refusing to touch it."
        case .busy(let path):
            return "\(path): the database is locked by another writer (waited \(Int(SilaStoreLimits.busyTimeout)) s); "
                + "try again when it has finished."
        case .corruptVector(let id): return "stored vector of article \(id) is corrupt; run `sila index --refit`"
        case .noCurrentModel: return "no model yet: run `sila index` first"
        case .diskFull(let path):
            return "\(path): the disk is full; this write was rolled back and the database keeps its previous state. "
                + "Free some space and run the command again."
        case .readOnly(let path):
            return "\(path): the database is read-only (file or directory permissions, or a read-only file system); "
                + "reading works, but this command writes."
        case .corrupt(let path, let reason):
            return "\(path): the database file is damaged (\(reason)). Restore it from a backup or rebuild it with "
                + "`sila ingest` into a new file; Sila does not repair it in place."
        case .ioError(let path, let reason): return "\(path): disk I/O error (\(reason)); nothing of this write was stored."
        case .generationChanged(let expected, let current):
            let what = expected.modelID != current.modelID ? "the current model" : "the related lists"
            return "\(what) changed under this write (another recompute swapped in); nothing was written — reload and retry"
        }
    }

    /// The store error for a failure of SQLite (anything else is returned unchanged).
    static func translating(_ error: Error, path: String) -> Error {
        guard let error = error as? DatabaseError else { return error }
        let reason = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.busy(path: path)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError.corrupt(path: path, reason: reason)
        case .SQLITE_IOERR: return StoreError.ioError(path: path, reason: reason)
        case .SQLITE_CANTOPEN: return StoreError.cannotOpen(path: path, reason: reason)
        default: return error
        }
    }
}

/// The store's waiting limits.
public enum SilaStoreLimits {
    /// How long a write waits for another process's write lock before giving up with `StoreError.busy`.
    public static let busyTimeout: Double = 5
}
