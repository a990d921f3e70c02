import Foundation

/// What the process may do with a database file, decided before SQLite opens it.
enum DatabaseFileAccess {
    /// Whether the database can be written: the file (or, for a new one, its directory) and the directory that
    /// holds SQLite's `-wal` and `-shm` files, on a file system mounted read-write. `access(2)` answers for the
    /// real user and reports a read-only mount as EROFS, even to root.
    static func isWritable(path: String, exists: Bool) -> Bool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard access(directory, W_OK) == 0 else { return false }
        return !exists || access(path, W_OK) == 0
    }

    /// An SQLite URI that opens `path` as immutable: no locks and no `-shm` file, which a read-only WAL database
    /// in a read-only directory needs (nothing can change it there).
    static func immutableURI(_ path: String) -> String {
        URL(fileURLWithPath: path).absoluteString + "?immutable=1"
    }

    /// Whether a `-wal` file with content sits beside the database: committed transactions that the main file does
    /// not hold yet (an immutable open would not see them).
    static func hasPendingWAL(path: String) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        return size > 0
    }
}
