import Foundation

/// When and how far the database file and its WAL were last written: both move at every commit, by this process or
/// any other. The server's watcher compares them at each poll, so an answer cached before another process's write
/// (a `sila ingest` that changed a title) is retired within one poll interval.
struct DatabaseFileStamp: Equatable {
    private var values: [Int64] = []

    init(databasePath: String) {
        for path in [databasePath, databasePath + "-wal"] {
            var status = stat()
            guard stat(path, &status) == 0 else {
                values += [-1, -1]
                continue
            }
            values += [Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec), Int64(status.st_size)]
        }
    }
}
