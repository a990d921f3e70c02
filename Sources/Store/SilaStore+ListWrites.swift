import Foundation
import GRDB

extension SilaStore {
    /// Writes changed lists and pool bounds over the stored ones, touching only the rows that differ.
    ///
    /// A live write recomputes every list a new article may enter, and most come out as they were; rewriting them
    /// whole dirtied a page of the table and of both indexes for every row (hundreds of pages, and a WAL checkpoint,
    /// per PUT). A list in `lists` replaces the stored one; a bound in `poolBounds` replaces the stored bound of that
    /// list (bounds live on the list's rows: a list without rows keeps none).
    static func writeLists(
        _ lists: [String: [RelatedEntry]], poolBounds: [String: PoolBound], modelID: String, in db: Database
    ) throws {
        guard !lists.isEmpty || !poolBounds.isEmpty else { return }
        let statements = try ListRowStatements(db)
        let now = Date().timeIntervalSince1970
        for articleID in Set(lists.keys).union(poolBounds.keys) {
            var stored = try StoredListRow.fetchAll(statements.select, articleID: articleID)
            let entries = lists[articleID] ?? stored.map { RelatedEntry(id: $0.relatedID, score: $0.score) }
            let pool = poolBounds[articleID] ?? stored.first?.pool ?? .unknown
            if stored.enumerated().contains(where: { $0.element.rank != $0.offset + 1 }) {
                // Ranks with gaps (a deleted article cascaded out of the list, or an older Sila): rewritten whole.
                try statements.deleteList.execute(arguments: [articleID])
                stored = []
            }
            for rank in 0..<max(stored.count, entries.count) {
                let sqlRank = rank + 1
                guard rank < entries.count else {
                    try statements.delete.execute(arguments: [articleID, sqlRank])
                    continue
                }
                let entry = entries[rank]
                guard rank < stored.count else {
                    try statements.insert.execute(
                        arguments: [articleID, sqlRank, entry.id, entry.score, modelID, now, pool.floor, pool.edgeListed])
                    continue
                }
                let old = stored[rank]
                if old.relatedID != entry.id || old.modelID != modelID {
                    try statements.replaceEntry.execute(
                        arguments: [entry.id, entry.score, modelID, now, pool.floor, pool.edgeListed, articleID, sqlRank])
                } else if old.score != entry.score || old.pool != pool {
                    // Only columns no index covers: the table's page alone changes.
                    try statements.updateScore.execute(
                        arguments: [entry.score, now, pool.floor, pool.edgeListed, articleID, sqlRank])
                }
            }
        }
    }
}

/// One stored row of a related list, as `writeLists` compares it.
private struct StoredListRow {
    var rank: Int
    var relatedID: String
    var score: Double
    var modelID: String
    var pool: PoolBound

    static func fetchAll(_ select: Statement, articleID: String) throws -> [StoredListRow] {
        try Row.fetchAll(select, arguments: [articleID]).map {
            StoredListRow(rank: $0["rank"], relatedID: $0["related_id"], score: $0["score"], modelID: $0["model_id"], pool: PoolBound(row: $0))
        }
    }
}

/// The prepared statements of `writeLists`, made once per write.
private struct ListRowStatements {
    let select: Statement
    let delete: Statement
    let deleteList: Statement
    let insert: Statement
    let replaceEntry: Statement
    let updateScore: Statement

    init(_ db: Database) throws {
        select = try db.makeStatement(
            sql: "SELECT rank, related_id, score, model_id, pool_floor, pool_edge_listed FROM related WHERE article_id = ? ORDER BY rank")
        delete = try db.makeStatement(sql: "DELETE FROM related WHERE article_id = ? AND rank = ?")
        deleteList = try db.makeStatement(sql: "DELETE FROM related WHERE article_id = ?")
        insert = try db.makeStatement(
            sql: """
                INSERT INTO related (article_id, rank, related_id, score, model_id, computed_at, pool_floor, pool_edge_listed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        replaceEntry = try db.makeStatement(
            sql: """
                UPDATE related SET related_id = ?, score = ?, model_id = ?, computed_at = ?, pool_floor = ?, pool_edge_listed = ?
                WHERE article_id = ? AND rank = ?
                """)
        updateScore = try db.makeStatement(
            sql: "UPDATE related SET score = ?, computed_at = ?, pool_floor = ?, pool_edge_listed = ? WHERE article_id = ? AND rank = ?")
    }
}
