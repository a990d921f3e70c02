import GRDB

/// Tells a Sila database from every other SQLite file, on a read-only connection.
enum SchemaCheck {
    /// Throws `StoreError.notASilaDatabase` for another application's database — one with tables but no Sila
    /// migration, migrations none of which is Sila's, or a mark of its own (`application_id`, `user_version`) —
    /// and `.newerSchema` for a Sila database with migrations this build does not know.
    static func refuseForeign(_ db: Database, path: String) throws {
        let applicationID = try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        guard applicationID == 0 else {
            throw StoreError.notASilaDatabase(path: path, reason: "another application's database (application_id \(applicationID))")
        }
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if tables.isEmpty {
            let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard userVersion == 0 else {
                throw StoreError.notASilaDatabase(path: path, reason: "another application's empty database (user_version \(userVersion))")
            }
            return
        }
        guard tables.contains("grdb_migrations") else {
            throw StoreError.notASilaDatabase(
                path: path, reason: "it has tables (\(tables.prefix(5).joined(separator: ", "))) but no Sila migrations")
        }
        let migrator = Schema.migrator
        let known = Set(migrator.migrations)
        let applied = try migrator.appliedIdentifiers(db)
        if applied.isEmpty {
            // Only an interrupted first migration of Sila's own leaves the migrations table alone.
            guard tables == ["grdb_migrations"] else {
                throw StoreError.notASilaDatabase(path: path, reason: "it has tables but no Sila migrations")
            }
            return
        }
        guard !applied.isDisjoint(with: known) else {
            throw StoreError.notASilaDatabase(
                path: path, reason: "its migrations are another application's (\(applied.sorted().prefix(3).joined(separator: ", ")))")
        }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted()) }
    }
}
