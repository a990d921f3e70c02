/// Why the store could not do what was asked, with the context a person needs to fix it.
public enum StoreError: Error, CustomStringConvertible {
    case databaseMissing(path: String)
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case notASilaDatabase(path: String, reason: String)
    case busy(path: String)
    case corruptVector(articleID: String)
    case noCurrentModel

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
            return "\(path): the database is locked by another writer; try again when it has finished."
        case .corruptVector(let id): return "stored vector of article \(id) is corrupt; run `sila index --refit`"
        case .noCurrentModel: return "no model yet: run `sila index` first"
        }
    }
}
