import Foundation
import GRDB

/// One entry of a stored «شاهد أيضاً» list.
public struct RelatedEntry: Hashable, Sendable, Codable {
    public var id: String
    public var score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}

/// Lists recomputed in a swap transaction, and what is known of the pools of the lists they leave as they are.
public struct ReconciledLists {
    public var lists: [String: [RelatedEntry]] = [:]
    /// Pool bounds of the recomputed lists and of lists whose pool alone changed.
    public var poolBounds: [String: PoolBound] = [:]

    public init(lists: [String: [RelatedEntry]] = [:], poolBounds: [String: PoolBound] = [:]) {
        self.lists = lists
        self.poolBounds = poolBounds
    }
}

/// A point in the journal of live writes (`list_changes`): what a recompute's snapshot already contains.
public typealias ChangeMark = Int64

/// An article written live (PUT or DELETE) after a recompute's snapshot, as it stands in the swap transaction.
public struct ChangedArticle: Sendable {
    public var id: String
    /// Its current vector under the recompute's model; nil when it was deleted (or has no vector of that model).
    public var vector: StoredVector?
    public var category: String?
}

/// What a recompute sees inside its swap transaction, to fold in the live writes made while it computed.
public struct ListSwapContext {
    let db: Database
    let modelID: String
    let mark: ChangeMark

    /// The articles written since the snapshot, once each, in their current state.
    public func changedArticles() throws -> [ChangedArticle] {
        let ids = try String.fetchAll(
            db, sql: "SELECT article_id FROM list_changes WHERE seq > ? GROUP BY article_id ORDER BY MIN(seq)", arguments: [mark])
        return try ids.map { id in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT a.published_at, a.category, v.terms, v.weights FROM articles a
                    LEFT JOIN vectors v ON v.article_id = a.id AND v.model_id = ? WHERE a.id = ?
                    """, arguments: [modelID, id])
            guard let row else { return ChangedArticle(id: id, vector: nil, category: nil) }
            var vector: StoredVector? = nil
            if let terms: Data = row["terms"] {
                guard let decoded = VectorBlob.decode(terms: terms, weights: row["weights"]) else { throw StoreError.corruptVector(articleID: id) }
                vector = StoredVector(articleID: id, publishedAt: row["published_at"], vector: decoded)
            }
            return ChangedArticle(id: id, vector: vector, category: row["category"])
        }
    }

    /// Ids of the articles whose (newly swapped-in) list contains one of `ids`.
    public func articlesListing(_ ids: [String]) throws -> Set<String> {
        var listing = Set<String>()
        let statement = try db.makeStatement(sql: "SELECT DISTINCT article_id FROM related WHERE related_id = ?")
        for id in ids { listing.formUnion(try String.fetchAll(statement, arguments: [id])) }
        return listing
    }
}

extension SilaStore {
    /// The journal's current end: a recompute takes it before reading its vectors.
    public func changeMark() throws -> ChangeMark {
        try read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM list_changes") ?? 0 }
    }

    /// How long journal entries are kept: far longer than any recompute runs.
    static let changeJournalRetention: TimeInterval = 7 * 24 * 3600

    /// Records a live write to an article in the journal (inside the write's transaction).
    static func journalChange(of articleID: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO list_changes (article_id, changed_at) VALUES (?, ?)", arguments: [articleID, Date().timeIntervalSince1970])
    }

    /// Replaces every related list at once. The lists are written into a shadow table of this run first (in
    /// batches, invisible to readers), then swapped in by one transaction: readers see the old complete set until
    /// the swap, the new complete set after it. A failure or crash before the swap leaves the old lists untouched.
    ///
    /// Live writes may go on meanwhile (a server's PUTs and DELETEs). Entries naming an article deleted since
    /// `mark` are left out of the shadow table, and `reconcile` runs inside the swap transaction to recompute the
    /// lists the writes since `mark` touched: what it returns is written over the swapped-in lists.
    /// - Parameter mark: the journal position the lists were computed at (default: now, for callers with no
    ///   concurrent writers).
    /// - Parameter lists: called with a `write` function; call it once per article with its list and pool bound.
    /// - Parameter settings: key/value settings written in the same transaction as the swap.
    /// - Parameter aroundSwap: runs the swap transaction (a server holds its writes back around it).
    public func replaceAllRelated(
        modelID: String, since mark: ChangeMark? = nil, computedAt: Date = Date(), settings: [String: String] = [:],
        lists: (_ write: (_ articleID: String, _ entries: [RelatedEntry], _ pool: PoolBound) throws -> Void) throws -> Void,
        reconcile: (ListSwapContext) throws -> ReconciledLists = { _ in ReconciledLists() },
        aroundSwap: (_ swap: () throws -> Void) throws -> Void = { try $0() }
    ) throws {
        let mark = try mark ?? changeMark()
        let shadow = ShadowTable.newName()
        try write { db in try Schema.createRelatedTable(db, named: shadow) }
        var swapped = false
        defer {
            if !swapped { _ = try? write { db in try db.execute(sql: "DROP TABLE IF EXISTS \(shadow)") } }
        }
        var pending = [(String, [RelatedEntry], PoolBound)]()
        let timestamp = computedAt.timeIntervalSince1970
        func flush() throws {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            try write { db in
                let deleted = Set(
                    try String.fetchAll(
                        db, sql: "SELECT DISTINCT article_id FROM list_changes WHERE seq > ? AND article_id NOT IN (SELECT id FROM articles)",
                        arguments: [mark]))
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO \(shadow) (article_id, rank, related_id, score, model_id, computed_at, pool_floor, pool_edge_listed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for (articleID, entries, pool) in batch where !deleted.contains(articleID) {
                    // A list that loses a deleted entry is recomputed at the swap; until then its pool is not known.
                    let pool = entries.contains { deleted.contains($0.id) } ? PoolBound.unknown : pool
                    for (rank, entry) in entries.filter({ !deleted.contains($0.id) }).enumerated() {
                        // The bound lives on the first row (see `writeLists`).
                        let rowPool = rank == 0 ? pool : nil
                        try insert.execute(
                            arguments: [articleID, rank + 1, entry.id, entry.score, modelID, timestamp, rowPool?.floor, rowPool?.edgeListed])
                    }
                }
            }
        }
        try lists { articleID, entries, pool in
            pending.append((articleID, entries, pool))
            if pending.count >= 2000 { try flush() }
        }
        try flush()
        try withoutActuallyEscaping(reconcile) { reconcile in
            try aroundSwap {
                try write { db in
                    try db.execute(sql: "DROP TABLE related")
                    try db.execute(sql: "ALTER TABLE \(shadow) RENAME TO related")
                    let context = ListSwapContext(db: db, modelID: modelID, mark: mark)
                    let reconciled = try reconcile(context)
                    try Self.writeLists(reconciled.lists, poolBounds: reconciled.poolBounds, modelID: modelID, in: db)
                    try db.execute(
                        sql: "DELETE FROM list_changes WHERE changed_at < ?",
                        arguments: [Date().timeIntervalSince1970 - Self.changeJournalRetention])
                    for (key, value) in settings {
                        try db.execute(
                            sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                            arguments: [key, value])
                    }
                }
                swapped = true
            }
        }
    }

    /// The stored list of `articleID`, best first (empty when it has none).
    public func relatedList(of articleID: String) throws -> [RelatedEntry] {
        try read { db in try Self.relatedList(of: articleID, in: db) }
    }

    static func relatedList(of articleID: String, in db: Database) throws -> [RelatedEntry] {
        try Row.fetchAll(
            db, sql: "SELECT related_id, score FROM related WHERE article_id = ? ORDER BY rank", arguments: [articleID]
        ).map { RelatedEntry(id: $0["related_id"], score: $0["score"]) }
    }

    /// Streams every stored list in article id order (articles without a list are skipped).
    public func forEachRelatedList(_ body: (String, [RelatedEntry]) throws -> Void) throws {
        try forEachRelatedListWithPool { id, entries, _ in try body(id, entries) }
    }

    /// Streams every stored list with what is known of its pool, in article id order. The bound is read from the
    /// list's first row; a list whose first row is gone (its article deleted by a writer that left the list as it
    /// was) has no known bound.
    public func forEachRelatedListWithPool(_ body: (String, [RelatedEntry], PoolBound) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT article_id, rank, related_id, score, pool_floor, pool_edge_listed FROM related ORDER BY article_id, rank")
            var currentID: String? = nil
            var pool = PoolBound.unknown
            var entries = [RelatedEntry]()
            while let row = try rows.next() {
                let id: String = row["article_id"]
                if id != currentID {
                    if let currentID { try body(currentID, entries, pool) }
                    currentID = id
                    pool = (row["rank"] as Int) == 1 ? PoolBound(row: row) : .unknown
                    entries.removeAll(keepingCapacity: true)
                }
                entries.append(RelatedEntry(id: row["related_id"], score: row["score"]))
            }
            if let currentID { try body(currentID, entries, pool) }
        }
    }

    /// When the related lists were last computed, if ever.
    public func lastComputedAt() throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT MAX(computed_at) FROM related").map(Date.init(timeIntervalSince1970:))
        }
    }
}
