import Vectorizer

/// Exact search for one query vector over the inverted lists, with a Cauchy–Schwarz bound on the frequent terms.
///
/// The query's terms split at `TermPostings.boundHeadTerms`: the rarer terms (ids at or above it) are walked in
/// full, giving each row its exact partial score on them; the frequent head terms, whose postings hold most of the
/// work (Σ df² is concentrated there) but little of the weight, are bounded per row by
/// `‖q_head‖ · ‖row_head‖` (row head norms are stored with the postings). A row's score is at most
/// `partial + ‖q_head‖ · ‖row_head‖`; the k rows with the largest such bound get their exact score first (one dot
/// product over the row's stored terms), which sets a k-th score θ, and then every row whose bound reaches θ gets
/// its exact score too. Bounds carry a relative margin of 1e-5 (+1e-6) for float rounding, so the answer is the
/// exhaustive one. Rows added after the postings were built are scored exactly one by one.
///
/// Chosen by measurement on the dev corpus (150 queries, exact 10th score as θ): with the split at 64 terms the walk
/// costs 3.0·N postings instead of 5.3·N and ~31 rows (p99 93) need their exact score; at 128 terms the walk is
/// 2.3·N but 175 rows (p99 1,900) do; splitting the head into segments with norms each barely helps (27 rows).
struct SingleQuery {
    let rows: SparseRows
    let postings: TermPostings
    let tieKeys: [TieKey]
    let isRemoved: [Bool]

    /// Calls `body` with the query densely over the vocabulary and its distinct terms (term, weight).
    private func withDenseQuery<R>(_ vector: SparseVector, _ body: (UnsafePointer<Float>, [(term: Int, weight: Float)]) -> R) -> R {
        let vocabulary = rows.vocabularySize
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(vocabulary, 1)) { dense in
            dense.initialize(repeating: 0)
            var ids = [Int]()
            ids.reserveCapacity(vector.termIDs.count)
            for (term, weight) in zip(vector.termIDs, vector.weights) where Int(term) < vocabulary && weight != 0 {
                if dense[Int(term)] == 0 { ids.append(Int(term)) }
                dense[Int(term)] += weight
            }
            let terms = ids.compactMap { dense[$0] == 0 ? nil : (term: $0, weight: dense[$0]) }
            return body(UnsafePointer(dense.baseAddress!), terms)
        }
    }

    func search(_ vector: SparseVector, k: Int, excluding excludedRow: Int32?) -> [ScoredMatch] {
        let n = rows.rowCount
        guard k > 0, n > 0 else { return [] }
        let excluded = Int(excludedRow ?? -1)
        return withDenseQuery(vector) { dense, terms in
            tieKeys.withUnsafeBufferPointer { keys in
                isRemoved.withUnsafeBufferPointer { removedBuffer in
                    rows.withRaw { raw in
                        postings.withRaw { inverted in
                            let removed = removedBuffer.baseAddress!
                            var collector = TopKCollector(k: k)
                            guard !terms.isEmpty else { return [] }
                            // Rows the postings do not cover yet: exact, one by one.
                            for row in postings.rowCount..<n where row != excluded && !removed[row] {
                                let score = raw.dot(row: row, dense: dense)
                                if score > 0 { collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: keys) }
                            }
                            let covered = postings.rowCount
                            if covered > 0 {
                                pruned(
                                    dense: dense, terms: terms, covered: covered, excluded: excluded, removed: removed,
                                    raw: raw, inverted: inverted, keys: keys, collector: &collector)
                            }
                            return collector.matches
                        }
                    }
                }
            }
        }
    }

    private func pruned(
        dense: UnsafePointer<Float>, terms: [(term: Int, weight: Float)], covered: Int, excluded: Int,
        removed: UnsafePointer<Bool>, raw: RawRows, inverted: RawPostings, keys: UnsafeBufferPointer<TieKey>,
        collector: inout TopKCollector
    ) {
        let k = collector.k
        let boundHead = postings.boundHeadTerms
        var headMass: Float = 0
        for (term, weight) in terms where term < boundHead { headMass += weight * weight }
        let queryHeadNorm = headMass.squareRoot()
        let margin: Float = 1 + 1e-5

        postings.headNorms.withUnsafeBufferPointer { headNormBuffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: covered) { partial in
                let headNorms = headNormBuffer.baseAddress!
                let partial = partial.baseAddress!
                partial.initialize(repeating: 0, count: covered)
                for (term, weight) in terms where term >= boundHead {
                    for position in inverted.starts[term]..<inverted.starts[term + 1] {
                        partial[Int(inverted.rows![position])] += weight * inverted.weights![position]
                    }
                }

                /// Passes over the rows whose bound reaches `limit()` (evaluated as it rises), 4 at a time.
                func forEachRow(boundAtLeast limit: () -> Float, _ body: (Int, Float) -> Void) {
                    var row = 0
                    while row + 4 <= covered {
                        let bound = UnsafeRawPointer(partial + row).loadUnaligned(as: SIMD4<Float>.self)
                            + queryHeadNorm * UnsafeRawPointer(headNorms + row).loadUnaligned(as: SIMD4<Float>.self)
                        if any(bound * margin + 1e-6 .>= SIMD4(repeating: limit())) {
                            for lane in 0..<4 where bound[lane] * margin + 1e-6 >= limit() { body(row + lane, bound[lane]) }
                        }
                        row += 4
                    }
                    while row < covered {
                        let bound = partial[row] + queryHeadNorm * headNorms[row]
                        if bound * margin + 1e-6 >= limit() { body(row, bound) }
                        row += 1
                    }
                }

                // The k rows with the largest bounds first: their exact scores set a good k-th score early.
                var best = [(bound: Float, row: Int32)]()
                best.reserveCapacity(k + 1)
                let smallest = Float.leastNonzeroMagnitude
                forEachRow(boundAtLeast: { best.count == k ? max(best[k - 1].bound, smallest) : smallest }) { row, bound in
                    guard row != excluded, !removed[row], bound > 0 else { return }
                    if best.count == k, bound <= best[k - 1].bound { return }
                    var position = best.count
                    while position > 0, best[position - 1].bound < bound { position -= 1 }
                    best.insert((bound, Int32(row)), at: position)
                    if best.count > k { best.removeLast() }
                }
                for entry in best {
                    let score = raw.dot(row: Int(entry.row), dense: dense)
                    if score > 0 { collector.offer(ScoredMatch(row: entry.row, score: score), tieKeys: keys) }
                    partial[Int(entry.row)] = -.infinity  // done
                }
                // Then every other row that can still reach the k-th score (the rest, if the list is not full).
                forEachRow(boundAtLeast: { collector.matches.count == k ? collector.threshold : smallest }) { row, bound in
                    guard row != excluded, !removed[row], bound > 0 else { return }
                    let score = raw.dot(row: row, dense: dense)
                    if score > 0 { collector.offer(ScoredMatch(row: Int32(row), score: score), tieKeys: keys) }
                }
            }
        }
    }

    /// Every live row with a score above zero, in row order (exhaustive: every query term's postings).
    func allScores(of vector: SparseVector, excluding excludedRow: Int32?) -> [ScoredMatch] {
        let n = rows.rowCount
        guard n > 0 else { return [] }
        let excluded = Int(excludedRow ?? -1)
        return withDenseQuery(vector) { dense, terms in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
                scores.initialize(repeating: 0)
                rows.withRaw { raw in
                    postings.withRaw { inverted in
                        for (term, weight) in terms {
                            for position in inverted.starts[term]..<inverted.starts[term + 1] {
                                scores[Int(inverted.rows![position])] += weight * inverted.weights![position]
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
