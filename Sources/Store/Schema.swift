import GRDB

/// The database schema, as named, append-only migrations (never edit a shipped one: add the next).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-articles-models-vectors-related-jobs") { db in
            try db.create(table: "articles") { t in
                t.primaryKey("id", .text)
                t.column("title", .text).notNull().defaults(to: "")
                t.column("body", .text).notNull()
                t.column("category", .text)
                t.column("tags", .text).notNull().defaults(to: "[]")  // JSON array of strings
                t.column("url", .text)
                t.column("published_at", .text)  // ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ"
                t.column("content_hash", .text).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(table: "models") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("analyzer_version", .text).notNull()
                t.column("params", .text).notNull()  // JSON
                t.column("created_at", .double).notNull()
                t.column("is_current", .boolean).notNull().defaults(to: false)
                t.column("data", .blob).notNull()  // the .silamodel bytes
            }
            try db.create(table: "vectors") { t in
                t.primaryKey("article_id", .text).references("articles", onDelete: .cascade)
                t.column("model_id", .text).notNull().references("models")
                t.column("content_hash", .text).notNull()  // of the article text the vector was computed from
                t.column("terms", .blob).notNull()  // UInt32 little-endian term ids, increasing
                t.column("weights", .blob).notNull()  // Float32 little-endian
            }
            try db.create(index: "vectors_model", on: "vectors", columns: ["model_id"])
            try createRelatedTableV1(db, named: "related")
            try db.create(table: "jobs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("state", .text).notNull()  // queued, running, done, failed
                t.column("progress", .double).notNull().defaults(to: 0)
                t.column("started_at", .double)
                t.column("finished_at", .double)
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v2-settings") { db in
            // Settings a recompute used (list length, relevance options), so live updates compute lists the same way.
            try db.create(table: "settings") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v3-articles-meta-index") { db in
            // Dates and categories of every article are read at each index load; bodies sit before them in the
            // row, so without a covering index SQLite walks every body's overflow pages to reach them.
            try db.create(index: "articles_meta", on: "articles", columns: ["id", "published_at", "category"])
        }
        migrator.registerMigration("v4-list-changes") { db in
            // The journal of live writes: a recompute reads the articles written since its snapshot and folds them
            // into its lists in the swap transaction, so a write acknowledged during a recompute is never lost.
            try db.create(table: "list_changes") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("article_id", .text).notNull()
                t.column("changed_at", .double).notNull()
            }
        }
        migrator.registerMigration("v5-related-pool-bounds") { db in
            // What the reverse update knows of the candidate pool each list was chosen from (`PoolBound`), so a
            // live write recomputes only the lists it can change. NULL: not known (lists written before v5).
            try db.alter(table: "related") { t in
                t.add(column: "pool_floor", .double)
                t.add(column: "pool_edge_listed", .boolean)
            }
        }
        return migrator
    }

    /// The related-lists table of the current schema: the shadow tables recomputes fill before their swap.
    static func createRelatedTable(_ db: Database, named name: String) throws {
        try createRelatedTableV1(db, named: name)
        try db.alter(table: name) { t in
            t.add(column: "pool_floor", .double)
            t.add(column: "pool_edge_listed", .boolean)
        }
    }

    /// The related-lists table as migration v1 created it (frozen: later columns come by migrations).
    static func createRelatedTableV1(_ db: Database, named name: String) throws {
        try db.create(table: name) { t in
            t.column("article_id", .text).notNull().references("articles", onDelete: .cascade)
            t.column("rank", .integer).notNull()
            t.column("related_id", .text).notNull().references("articles", onDelete: .cascade)
            t.column("score", .double).notNull()
            t.column("model_id", .text).notNull()
            t.column("computed_at", .double).notNull()
            t.primaryKey(["article_id", "rank"])
        }
        try db.create(index: "\(name)_related_id", on: name, columns: ["related_id"])
    }
}
