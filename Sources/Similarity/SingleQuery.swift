import CPrefetch
import Vectorizer

/// Exact search for one query vector over the inverted lists, with a Cauchy–Schwarz bound on the frequent terms.
///
/// The query's terms split at `TermPostings.boundHeadTerms`: the rarer terms (ids at or above it) are walked in
/// full, giving each row its exact partial score on them; the frequent head terms, whose postings hold most of the
/// work (Σ df² is concentrated there) but little of the weight, are bounded per row by
/// `‖q_head‖ · ‖row_head‖` (row head norms are stored with the postings). A row's score is at most
/// `partial + ‖q_head‖ · ‖row_head‖`; the k rows with the largest such bound get their exact score first (the
/// partial score plus the dot product of the row's head entries, which lead its sorted terms), which sets a k-th
/// score θ, and then every row whose bound reaches θ gets its exact score too. Bounds carry a relative margin of
/// 1e-5 (+1e-6) for float rounding, so the answer is the exhaustive one. Rows added after the postings were built
/// are scored exactly one by one.
///
/// Walk order: a row's partial score sums its walked terms in one fixed order — those of short lists, then those
/// of lists of `blockedListLength` postings or more, each in increasing term order — and a row the lists do not
/// cover yet is summed the same way (`RawRows.splitDot`), so that equal vectors (a reprint stored live and its
/// original) get bit-equal scores and the tie rule, not rounding, orders them.
///
/// Chosen by measurement on the dev corpus (150 queries, exact 10th score as θ): with the split at 64 terms the walk
/// costs 3.0·N postings instead of 5.3·N and ~31 rows (p99 93) need their exact score; at 128 terms the walk is
/// 2.3·N but 175 rows (p99 1,900) do; splitting the head into segments with norms each barely helps (27 rows).
struct SingleQuery {
    let rows: SparseRows
    let postings: TermPostings
    let tieKeys: [TieKey]
    let isRemoved: [Bool]
    /// Rows per block of the blocked posting walk (their partial scores: 32 KiB).
    var scatterBlockRows = 8_192
    /// The list length from which a list is walked block by block (shorter ones in one go, before the long ones):
    /// the postings' own, since it sets their scoring epoch (`TermPostings.epoch`).
    var blockedListLength: Int { postings.longListLength }
    /// Postings asked for ahead of the walk (`sila_prefetch`): the first ones of every list before the walk
    /// starts, and this far ahead within a list. The lists lie scattered over the postings array, mostly outside
    /// the caches; the hardware prefetcher misses the start of each one.
    static let prefetchedListStart = 24
    static let prefetchDistance = 64
    /// Two or more: a query whose walk reaches `parallelMinimumWork` postings is split across two threads by row
    /// range (`QueryHelper`); the answer is the same. See `SearchConfiguration.singleQueryParallelMinimumWork`.
    var threads = 1
    var parallelMinimumWork = SearchConfiguration.defaultSingleQueryParallelMinimumWork

    /// Calls `body` with the query densely over the vocabulary, its distinct terms (term, weight) and a scratch with
    /// room for `rows` partial scores.
    private func withDenseQuery<R>(
        _ vector: SparseVector, rows rowCapacity: Int,
        _ body: (UnsafePointer<Float>, [(term: Int, weight: Float)], QueryScratch) -> R
    ) -> R {
        let vocabulary = rows.vocabularySize
        let scratch = QueryScratchPool.shared.take()
        scratch.reserve(vocabulary: vocabulary, rows: rowCapacity)
        let dense = scratch.dense
        var ids = [Int]()
        ids.reserveCapacity(vector.termIDs.count)
        for (term, weight) in zip(vector.termIDs, vector.weights) where Int(term) < vocabulary && weight != 0 {
            if dense[Int(term)] == 0 { ids.append(Int(term)) }
            dense[Int(term)] += weight
        }
        // Increasing term order: the walk order within each list class (see the type's comment).
        if zip(ids, ids.dropFirst()).contains(where: { $0 > $1 }) { ids.sort() }
        let terms = ids.compactMap { dense[$0] == 0 ? nil : (term: $0, weight: dense[$0]) }
        let result = body(UnsafePointer(dense), terms, scratch)
        for term in ids { dense[term] = 0 }
        QueryScratchPool.shared.give(scratch)
        return result
    }

    func search(_ vector: SparseVector, k: Int, excluding excludedRow: Int32?) -> [ScoredMatch] {
        let n = rows.rowCount
        guard k > 0, n > 0 else { return [] }
        let excluded = Int(excludedRow ?? -1)
        return withDenseQuery(vector, rows: postings.rowCount) { dense, terms, scratch in
            tieKeys.withUnsafeBufferPointer { keys in
                isRemoved.withUnsafeBufferPointer { removedBuffer in
                    rows.withRaw { raw in
                        postings.withRaw { inverted in
                            let removed = removedBuffer.baseAddress!
                            var collector = TopKCollector(k: k)
                            guard !terms.isEmpty else { return [] }
                            // Rows the postings do not cover yet: exact, one by one, summed as the covered rows are.
                            let headLimit = UInt32(postings.boundHeadTerms)
                            let longLength = blockedListLength
                            for row in postings.rowCount..<n where row != excluded && !removed[row] {
                                let score = raw.splitDot(row: row, dense: dense, termsBelow: headLimit) {
                                    inverted.starts[$0 + 1] - inverted.starts[$0] >= longLength
                                }
                                if score > 0 { collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: keys) }
                            }
                            let covered = postings.rowCount
                            if covered > 0 {
                                let context = PrunedContext(
                                    dense: dense, covered: covered, excluded: excluded, removed: removed, raw: raw,
                                    inverted: inverted, keys: keys, partial: scratch.partial, k: k)
                                pruned(terms: terms, context: context, collector: &collector)
                            }
                            return collector.matches
                        }
                    }
                }
            }
        }
    }

    /// What both halves of a split query read (the partial scores: each half its own rows).
    private struct PrunedContext: @unchecked Sendable {
        let dense: UnsafePointer<Float>
        let covered: Int
        let excluded: Int
        let removed: UnsafePointer<Bool>
        let raw: RawRows
        let inverted: RawPostings
        let keys: UnsafeBufferPointer<TieKey>
        let partial: UnsafeMutablePointer<Float>
        let k: Int
    }

    private func pruned(terms: [(term: Int, weight: Float)], context: PrunedContext, collector: inout TopKCollector) {
        let boundHead = postings.boundHeadTerms
        var headMass: Float = 0
        var tail = [(term: Int, weight: Float)]()
        var longTail = [(term: Int, weight: Float)]()
        tail.reserveCapacity(terms.count)
        var work = context.covered / 4  // the bound passes
        for (term, weight) in terms {
            if term < boundHead {
                headMass += weight * weight
            } else {
                let length = context.inverted.starts[term + 1] - context.inverted.starts[term]
                if length >= blockedListLength { longTail.append((term, weight)) } else { tail.append((term, weight)) }
                work += length
            }
        }
        tail += longTail  // the walk order (see the type's comment)
        let queryHeadNorm = headMass.squareRoot()
        postings.headNorms.withUnsafeBufferPointer { headNormBuffer in
            let headNorms = headNormBuffer.baseAddress!
            if threads >= 2, work >= parallelMinimumWork, context.covered >= 2 {
                // Two row ranges, one per thread; each range's exact top k, then merged (the same answer).
                let middle = context.covered / 2
                var second = TopKCollector(k: context.k)
                QueryHelper.shared.run(
                    {
                        scoreRows(0..<middle, tail: tail, queryHeadNorm: queryHeadNorm, headNorms: headNorms,
                                  context: context, collector: &collector)
                    },
                    {
                        scoreRows(middle..<context.covered, tail: tail, queryHeadNorm: queryHeadNorm,
                                  headNorms: headNorms, context: context, collector: &second)
                    })
                for match in second.matches { collector.offer(match, tieKeys: context.keys) }
            } else {
                scoreRows(0..<context.covered, tail: tail, queryHeadNorm: queryHeadNorm, headNorms: headNorms,
                          context: context, collector: &collector)
            }
        }
    }

    /// Adds the postings of `tail`'s lists for the rows in `range` into `partial` (zeroed first), each row summing
    /// its terms in `tail` order (the walk order, see the type's comment).
    private func walk(
        _ tail: [(term: Int, weight: Float)], rows range: Range<Int>, into partial: UnsafeMutablePointer<Float>,
        inverted: RawPostings
    ) {
        let entries = inverted.entries!
        let lower = range.lowerBound
        let upper = range.upperBound
        (partial + lower).update(repeating: 0, count: range.count)
        if lower == 0 {
            // Forward from each list's start until the range ends (rows increase within a list). Long lists go in
            // blocks of `scatterBlockRows` rows so that the partial scores being updated stay in the L1 cache, after
            // the short ones (walked in one go): each row still sums its terms in `tail` order.
            withUnsafeTemporaryAllocation(of: (cursor: Int, end: Int, weight: Float).self, capacity: max(tail.count, 1)) { long in
                var longCount = 0
                let upperRow = Int32(truncatingIfNeeded: upper)
                for (term, _) in tail {
                    let start = inverted.starts[term]
                    let end = min(inverted.starts[term + 1], start + Self.prefetchedListStart)
                    Self.prefetch(entries, from: start, to: end)
                }
                for (term, weight) in tail {
                    let start = inverted.starts[term]
                    let end = inverted.starts[term + 1]
                    if end - start >= blockedListLength, upper > scatterBlockRows {
                        long[longCount] = (start, end, weight)
                        longCount += 1
                    } else {
                        _ = Self.scatter(entries, from: start, to: end, below: upperRow, weight: weight, into: partial)
                    }
                }
                var blockStart = 0
                while longCount > 0, blockStart < upper {
                    let blockEnd = Int32(truncatingIfNeeded: min(upper, blockStart + scatterBlockRows))
                    for index in 0..<longCount {
                        let (start, end, weight) = long[index]
                        let position = Self.scatter(
                            entries, from: start, to: end, below: blockEnd, weight: weight, into: partial)
                        // The list's part in the next block is about as long as this one: ask for it now, so it
                        // is in the cache when the walk comes back to this list.
                        Self.prefetch(entries, from: position, to: min(end, position + (position - start) + 8))
                        long[index].cursor = position
                    }
                    blockStart = Int(blockEnd)
                }
            }
        } else {
            // Backward from each list's end until the range starts.
            for (term, weight) in tail {
                let start = inverted.starts[term]
                var position = inverted.starts[term + 1] - 1
                while position >= start {
                    let posting = entries[position]
                    if Int(posting.row) < lower { break }
                    partial[Int(posting.row)] += weight * posting.weight
                    position -= 1
                }
            }
        }
    }

    /// The exact top k of the covered rows in `range` offered to `collector`: the walk of the rarer terms'
    /// postings for those rows, then the bounded exact scoring (see the type's comment).
    private func scoreRows(
        _ range: Range<Int>, tail: [(term: Int, weight: Float)], queryHeadNorm: Float, headNorms: UnsafePointer<Float>,
        context: PrunedContext, collector: inout TopKCollector
    ) {
        let k = context.k
        let margin: Float = 1 + 1e-5
        let partial = context.partial
        let lower = range.lowerBound
        let upper = range.upperBound
        walk(tail, rows: range, into: partial, inverted: context.inverted)

        /// Passes over the rows whose bound reaches `limit()` (evaluated as it rises), 4 at a time.
        func forEachRow(boundAtLeast limit: () -> Float, _ body: (Int, Float) -> Void) {
            var row = lower
            while row + 4 <= upper {
                let bound = UnsafeRawPointer(partial + row).loadUnaligned(as: SIMD4<Float>.self)
                    + queryHeadNorm * UnsafeRawPointer(headNorms + row).loadUnaligned(as: SIMD4<Float>.self)
                if any(bound * margin + 1e-6 .>= SIMD4(repeating: limit())) {
                    for lane in 0..<4 where bound[lane] * margin + 1e-6 >= limit() { body(row + lane, bound[lane]) }
                }
                row += 4
            }
            while row < upper {
                let bound = partial[row] + queryHeadNorm * headNorms[row]
                if bound * margin + 1e-6 >= limit() { body(row, bound) }
                row += 1
            }
        }

        let excluded = context.excluded
        let removed = context.removed
        let raw = context.raw
        let dense = context.dense
        let keys = context.keys
        // A row's exact score: its partial score (the walked terms, exact) plus its head terms' part.
        let headLimit = UInt32(postings.boundHeadTerms)
        // The k rows with the largest bounds first: their exact scores set a good k-th score early.
        var best = LargestBounds(capacity: k)
        let smallest = Float.leastNonzeroMagnitude
        forEachRow(boundAtLeast: { best.floor }) { row, bound in
            guard row != excluded, !removed[row], bound > 0 else { return }
            best.offer(bound, row: Int32(row))
        }
        for entry in best.entries { raw.prefetchRow(Int(entry.row)) }
        for entry in best.entries {
            let score = partial[Int(entry.row)] + raw.headDot(row: Int(entry.row), dense: dense, termsBelow: headLimit)
            if score > 0 { collector.offer(ScoredMatch(row: entry.row, score: score), tieKeys: keys) }
            partial[Int(entry.row)] = -.infinity  // done
        }
        // Then every other row that can still reach the k-th score (the rest, if the list is not full), eight at a
        // time: each row's entries are asked for when it qualifies and read when the eighth does (a row's entries
        // are mostly outside the caches; overlapping their misses halves the time per row on the dev corpus).
        withUnsafeTemporaryAllocation(of: (row: Int, bound: Float).self, capacity: 8) { pending in
            var count = 0
            func scorePending() {
                for index in 0..<count {
                    let (row, bound) = pending[index]
                    let limit = collector.matches.count == k ? collector.threshold : smallest
                    guard bound * margin + 1e-6 >= limit else { continue }
                    let score = partial[row] + raw.headDot(row: row, dense: dense, termsBelow: headLimit)
                    if score > 0 { collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: keys) }
                }
                count = 0
            }
            forEachRow(boundAtLeast: { collector.matches.count == k ? collector.threshold : smallest }) { row, bound in
                guard row != excluded, !removed[row], bound > 0 else { return }
                raw.prefetchRow(row)
                pending[count] = (row, bound)
                count += 1
                if count == 8 { scorePending() }
            }
            scorePending()
        }
    }

    /// Adds `weight ×` the postings `from..<to` whose row is below `limit` into `partial`; returns the position
    /// of the first posting not added. Eight at a time (one row check per eight), asking for the lines ahead.
    @inline(__always)
    static func scatter(
        _ entries: UnsafePointer<Posting>, from start: Int, to end: Int, below limit: Int32, weight: Float,
        into partial: UnsafeMutablePointer<Float>
    ) -> Int {
        var position = start
        while position + 8 <= end, entries[position + 7].row < limit {
            sila_prefetch(entries + position + prefetchDistance)
            for lane in 0..<8 {
                let posting = entries[position + lane]
                partial[Int(posting.row)] += weight * posting.weight
            }
            position += 8
        }
        while position < end {
            let posting = entries[position]
            if posting.row >= limit { break }
            partial[Int(posting.row)] += weight * posting.weight
            position += 1
        }
        return position
    }

    /// Asks for the cache lines of postings `from..<to` (a hint: no effect on results).
    @inline(__always)
    static func prefetch(_ entries: UnsafePointer<Posting>, from start: Int, to end: Int) {
        var position = start
        while position < end {
            sila_prefetch(entries + position)
            position += 8  // postings per 64-byte line
        }
    }

    /// The scores `search` gives `selected` rows against `vector`, bit for bit: each row summed in the walk order
    /// (`RawRows.splitDot`, from the query split by list class), which is how the walk and the exact pass sum a row.
    /// Removed rows are scored too.
    func scores(of vector: SparseVector, rows selected: [Int32]) -> [Float] {
        guard !selected.isEmpty else { return [] }
        return withDenseQuery(vector, rows: 0) { dense, terms, scratch in
            rows.withRaw { raw in
                postings.withRaw { inverted in
                    // The query split in two dense halves by list class: the short lists' terms (and the head's) stay
                    // in `dense`, the long lists' move to `longDense`; both are all zero again afterwards.
                    let shortDense = UnsafeMutablePointer(mutating: dense)
                    let longDense = scratch.longDense
                    var moved = [Int]()
                    for (term, weight) in terms where term >= postings.boundHeadTerms
                        && inverted.starts[term + 1] - inverted.starts[term] >= blockedListLength {
                        longDense[term] = weight
                        shortDense[term] = 0
                        moved.append(term)
                    }
                    defer {
                        for term in moved {
                            shortDense[term] = longDense[term]
                            longDense[term] = 0
                        }
                    }
                    let headLimit = UInt32(postings.boundHeadTerms)
                    return selected.map { row in
                        raw.splitDot(row: Int(row), shortDense: dense, longDense: longDense, termsBelow: headLimit)
                    }
                }
            }
        }
    }

    /// Every live row with a score above zero, in row order (exhaustive: every query term's postings).
    func allScores(of vector: SparseVector, excluding excludedRow: Int32?) -> [ScoredMatch] {
        let n = rows.rowCount
        guard n > 0 else { return [] }
        let excluded = Int(excludedRow ?? -1)
        return withDenseQuery(vector, rows: 0) { dense, terms, _ in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
                scores.initialize(repeating: 0)
                rows.withRaw { raw in
                    postings.withRaw { inverted in
                        for (term, weight) in terms {
                            for position in inverted.starts[term]..<inverted.starts[term + 1] {
                                let posting = inverted.entries![position]
                                scores[Int(posting.row)] += weight * posting.weight
                            }
                        }
                        for row in postings.rowCount..<n { scores[row] = raw.dot(row: row, dense: dense) }
                    }
                }
                var result = [ScoredMatch]()
                for row in 0..<n where scores[row] > 0 && !isRemoved[row] && row != excluded {
                    result.append(ScoredMatch(row: Int32(row), score: scores[row]))
                }
                return result
            }
        }
    }
}

/// The k largest bounds offered (a min-heap: the smallest one kept at the root), for the single query's first
/// pass: O(log k) per row that beats the k-th, where a sorted array shifted up to k entries (k = 50 for the
/// candidate pools of live writes).
private struct LargestBounds {
    private(set) var entries: [(bound: Float, row: Int32)] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    /// What a bound must exceed to be kept once `capacity` are (the smallest positive float until then).
    var floor: Float {
        entries.count == capacity ? max(entries[0].bound, .leastNonzeroMagnitude) : .leastNonzeroMagnitude
    }

    /// Keeps the bound if it is among the `capacity` largest so far (ties with the smallest kept one are not).
    mutating func offer(_ bound: Float, row: Int32) {
        if entries.count < capacity {
            entries.append((bound, row))
            var child = entries.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard entries[child].bound < entries[parent].bound else { break }
                entries.swapAt(child, parent)
                child = parent
            }
        } else if bound > entries[0].bound {
            entries[0] = (bound, row)
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < entries.count else { break }
                let right = left + 1
                let smaller = right < entries.count && entries[right].bound < entries[left].bound ? right : left
                guard entries[smaller].bound < entries[parent].bound else { break }
                entries.swapAt(smaller, parent)
                parent = smaller
            }
        }
    }
}
