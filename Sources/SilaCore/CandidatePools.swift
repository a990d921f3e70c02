import Similarity

/// Per index row, the exact best candidates of its last search, kept exact as articles are added and removed, so
/// that a live write re-ranks the lists it may change from them instead of searching for each list again (the
/// searches were most of a write's time: 100–250 µs per list on the dev corpus).
///
/// A kept pool is its row's true top `count` (by score, then the tie rule), `depth` of them (a few more than a list
/// needs, so that removals seldom leave too few), and all rows scoring above zero when `isExhaustive`. An added
/// article enters a pool when it ranks before the pool's last candidate (or anywhere, when the pool holds every
/// candidate), pushing the last one out of a full pool; a removed article leaves the pools it was in. A pool left
/// with fewer than `required` candidates, and not exhaustive, is dropped: the row's next search keeps a new one.
///
/// A list re-ranked from a pool must tie as a new search's would, so its scores must be the search's own bits. A
/// pool whose scores all came from `SimilarityIndex.scoresAndEpoch` under one scoring epoch says so
/// (`scoredUnder`), and is used as it is while the index's epoch is the same; any other pool (an all-pairs search's
/// scores, an older epoch, an insertion scored under another) is re-scored before use.
struct CandidatePools {
    struct Pool {
        var matches: [ScoredMatch]
        var isExhaustive: Bool
        /// The scoring epoch every score in `matches` was summed under; nil when unknown or mixed.
        var scoredUnder: Int? = nil
    }

    /// Candidates kept per pool.
    let depth: Int
    /// Fewest candidates a usable pool has (a list's candidate pool), unless it is exhaustive.
    let required: Int
    /// Most pools kept (~8 bytes per candidate each); beyond it, rows searched later keep none.
    let capacity: Int
    /// By row.
    private var pools: [Pool?] = []
    /// By row, what an added article's score must reach to enter the pool: its last candidate's score; -∞ when
    /// any score enters (an exhaustive pool with room); +∞ when the row keeps no pool. Scanned for every write.
    private var floors: [Float] = []
    private(set) var count = 0

    init(required: Int, slack: Int = 8, capacity: Int = 131_072) {
        self.required = required
        depth = required + slack
        self.capacity = capacity
    }

    /// The kept pool of a row (at least `required` candidates, or all of them).
    func pool(ofRow row: Int32) -> Pool? { Int(row) < pools.count ? pools[Int(row)] : nil }

    /// Keeps what a search for `depth` candidates (or a re-scoring of a kept pool) found, best first.
    mutating func keep(row: Int32, _ pool: Pool) {
        guard pool.isExhaustive || pool.matches.count >= required else { return drop(row: row) }
        var pool = pool
        // Room for the one an addition inserts before the last goes: a full array would grow to twice its size.
        pool.matches.reserveCapacity(depth + 1)
        let index = Int(row)
        if index >= pools.count {
            pools.append(contentsOf: repeatElement(nil, count: index + 1 - pools.count))
            floors.append(contentsOf: repeatElement(.infinity, count: index + 1 - floors.count))
        }
        if pools[index] == nil {
            guard count < capacity else { return }
            count += 1
        }
        pools[index] = pool
        floors[index] = floor(of: pool)
    }

    /// Takes the pools of `other` for the rows that have none here (up to the capacity); returns how many.
    mutating func adopt(_ other: CandidatePools) -> Int {
        var adopted = 0
        for (row, pool) in other.pools.enumerated() {
            guard let pool, self.pool(ofRow: Int32(row)) == nil, count < capacity else { continue }
            keep(row: Int32(row), pool)
            adopted += 1
        }
        return adopted
    }

    /// Forgets every pool (after a write the store refused: the index went back, the pools did not).
    mutating func removeAll() {
        pools.removeAll()
        floors.removeAll()
        count = 0
    }

    /// An article added at `row` enters the pools it ranks in.
    /// - Parameter scores: its scores against every live row (`SimilarityIndex.allScores`: summed in another order
    ///   than a search's, so they only choose the pools to look at, with a margin for rounding).
    /// - Parameter exactScores: the scores searches from the given rows give it, and their scoring epoch.
    /// - Parameter ranks: the search's order (`SimilarityIndex.ranks`).
    mutating func added(
        row: Int32, scores: [ScoredMatch], ranks: (ScoredMatch, ScoredMatch) -> Bool,
        exactScores: (_ poolRows: [Int32]) -> (scores: [Float], epoch: Int)
    ) {
        var candidates = [Int32]()
        for match in scores where Int(match.row) < floors.count {
            let floor = floors[Int(match.row)]
            if floor != .infinity, Self.reaches(match.score, floor) { candidates.append(match.row) }
        }
        guard !candidates.isEmpty else { return }
        let (exact, epoch) = exactScores(candidates)
        for (poolRow, score) in zip(candidates, exact) where score > 0 {
            let entering = ScoredMatch(row: row, score: score)
            let index = Int(poolRow)
            let takesAny = floors[index] == -.infinity
            let matches = pools[index]!.matches
            var position = matches.count
            while position > 0, ranks(entering, matches[position - 1]) { position -= 1 }
            // After the last candidate of a pool that does not hold every candidate: its rank is not known.
            guard position < matches.count || takesAny else { continue }
            pools[index]!.matches.insert(entering, at: position)
            if pools[index]!.scoredUnder != epoch { pools[index]!.scoredUnder = nil }
            if pools[index]!.matches.count > depth {
                pools[index]!.matches.removeLast()
                pools[index]!.isExhaustive = false
            }
            floors[index] = floor(of: pools[index]!)
        }
    }

    /// An article removed from `row` (deleted, or replaced by its edit) leaves every pool, and its own goes.
    /// - Parameter scores: its scores against every live row (`SimilarityIndex.allScores`): a pool can hold it only
    ///   where it scores above zero, and near or above the pool's last candidate.
    mutating func removed(row: Int32, scores: [ScoredMatch]) {
        drop(row: row)
        for match in scores where Int(match.row) < floors.count {
            let index = Int(match.row)
            let floor = floors[index]
            guard floor != .infinity, Self.reaches(match.score, floor),
                let position = pools[index]!.matches.firstIndex(where: { $0.row == row })
            else { continue }
            pools[index]!.matches.remove(at: position)
            if pools[index]!.matches.count < required && !pools[index]!.isExhaustive {
                drop(row: match.row)
            } else {
                floors[index] = self.floor(of: pools[index]!)
            }
        }
    }

    private mutating func drop(row: Int32) {
        let index = Int(row)
        guard index < pools.count, pools[index] != nil else { return }
        pools[index] = nil
        floors[index] = .infinity
        count -= 1
    }

    private func floor(of pool: Pool) -> Float {
        pool.isExhaustive && pool.matches.count < depth ? -.infinity : pool.matches.last?.score ?? -.infinity
    }

    /// Whether a score summed in another order may reach `threshold` (a relative margin for float rounding).
    private static func reaches(_ score: Float, _ threshold: Float) -> Bool {
        score >= threshold - abs(threshold) * 1e-5 - 1e-6
    }
}
