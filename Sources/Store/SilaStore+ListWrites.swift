import Foundation
import GRDB

extension SilaStore {
    /// Writes changed lists and pool bounds over the stored ones, touching only the rows that differ.
    ///
    /// A live write recomputes every list a new article may enter, and most come out as they were; rewriting them
    /// whole dirtied a page of the table and of both indexes for every row (hundreds of pages, and a WAL checkpoint,
    /// per PUT). A list in `lists` replaces the stored one; a bound in `poolBounds` replaces the stored bound of that
    /// list. A bound lives on the list's first row (rank 1) only: a write learns new bounds of tens of lists whose
    /// entries stay as they are, and each is then one row's change, not one per entry (nor a read of the list). A
    /// list without rows keeps none.
    ///
    /// A score that differs from the stored one by float rounding only (`scoreNoise`: a list searched live sums
    /// in another order than the batch that stored it) is not rewritten.
    static func writeLists(
        _ lists: [String: [RelatedEntry]], poolBounds: [String: PoolBound], modelID: String, in db: Database
    ) throws {
        guard !lists.isEmpty || !poolBounds.isEmpty else { return }
        let statements = try ListRowStatements(db)
        let now = Date().timeIntervalSince1970
        for (articleID, pool) in poolBounds where lists[articleID] == nil {
            try statements.updateBound.execute(arguments: [pool.floor, pool.edgeListed, articleID])
        }
        for (articleID, entries) in lists {
            var stored = try StoredListRow.fetchAll(statements.select, articleID: articleID)
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
                // Rows after the first keep no bound (NULL, or what an older Sila wrote there: never read).
                let rowPool = sqlRank == 1 ? pool : nil
                guard rank < stored.count else {
                    try statements.insert.execute(
                        arguments: [articleID, sqlRank, entry.id, entry.score, modelID, now, rowPool?.floor, rowPool?.edgeListed])
                    continue
                }
                let old = stored[rank]
                if old.relatedID != entry.id || old.modelID != modelID {
                    try statements.replaceEntry.execute(
                        arguments: [entry.id, entry.score, modelID, now, rowPool?.floor, rowPool?.edgeListed, articleID, sqlRank])
                } else if abs(old.score - entry.score) > Self.scoreNoise || (rowPool != nil && old.pool != rowPool) {
                    // Only columns no index covers: the table's page alone changes.
                    try statements.updateScore.execute(
                        arguments: [entry.score, now, rowPool?.floor, rowPool?.edgeListed, articleID, sqlRank])
                }
            }
        }
    }
}

extension SilaStore {
    /// The largest score change `writeLists` treats as rounding, not as a change: Float cosines summed in another
    /// order (a list searched live, the batch that stored it) differ by a few units in their 24th bit, summed over
    /// tens of terms; scores within 1e-6 count as tied (DESIGN.md).
    public static let scoreNoise = 1e-6
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
    /// Sets a list's bound on its first row, changing nothing when it is already stored.
    let updateBound: Statement

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
        updateBound = try db.makeStatement(
            sql: """
                UPDATE related SET pool_floor = ?1, pool_edge_listed = ?2
                WHERE article_id = ?3 AND rank = 1 AND (pool_floor IS NOT ?1 OR pool_edge_listed IS NOT ?2)
                """)
    }
}
