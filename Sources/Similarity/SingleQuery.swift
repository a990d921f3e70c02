import Vectorizer

/// Exact search for one query vector over the inverted lists, with score bounds (MaxScore-style) so that only the
/// query's rare terms are walked in full.
///
/// The query's terms are taken in decreasing order of the most they can add to any score (|q_t| · max weight of t).
/// Walking a term's postings adds its contribution to the rows it touches (their partial scores) and its squared
/// weight to their walked mass. A row that no walked term touches scores at most
/// `min(‖q_rest‖ · ‖row‖, Σ_rest |q_t| · maxweight_t)` over the terms not walked (Cauchy–Schwarz, and the per-term
/// maxima); once that bound is below the k-th exact score found so far, no untouched row can enter the list and the
/// walk stops. A touched row scores at most its partial score plus `‖q_rest‖ · √(‖row‖² − walked mass)` (and the
/// per-term bound); only rows whose bound reaches the current k-th score get their exact score, computed as one dot
/// product over the row's stored terms. Bounds carry a relative margin of 1e-5 (+1e-6) for float rounding, so the
/// answer is the exhaustive one. Rows added after the postings were built are scored exactly one by one.
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
        // Largest possible contribution first; among equals, the shorter list first.
        let order = terms.map { (term: $0.term, weight: $0.weight, bound: abs($0.weight) * inverted.maxWeights![$0.term]) }
            .sorted {
                $0.bound != $1.bound
                    ? $0.bound > $1.bound
                    : inverted.starts[$0.term + 1] - inverted.starts[$0.term] < inverted.starts[$1.term + 1] - inverted.starts[$1.term]
            }
        let totalMass = order.reduce(0.0) { $0 + Double($1.weight) * Double($1.weight) }
        var restMass = totalMass
        var restBound = order.reduce(0.0) { $0 + Double($1.bound) }
        let maxRowNorm = Double(postings.maxRowNorm)
        let margin = 1 + 1e-5

        withUnsafeTemporaryAllocation(of: Float.self, capacity: covered) { partial in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: covered) { walked in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: covered) { touched in
                    partial.initialize(repeating: 0)
                    walked.initialize(repeating: 0)
                    var touchedCount = 0
                    var next = 0
                    var seedMass = totalMass * 0.5

                    /// Exact scores of the (at most k) touched rows with the best partial scores not yet scored.
                    func seed() {
                        var best = [(score: Float, row: Int32)]()
                        best.reserveCapacity(k + 1)
                        for index in 0..<touchedCount {
                            let row = Int(touched[index])
                            let score = partial[row]
                            guard score != -.infinity, row != excluded, !removed[row] else { continue }
                            if best.count == k, score <= best[k - 1].score { continue }
                            var position = best.count
                            while position > 0, best[position - 1].score < score { position -= 1 }
                            best.insert((score, Int32(row)), at: position)
                            if best.count > k { best.removeLast() }
                        }
                        for entry in best {
                            let row = Int(entry.row)
                            partial[row] = -.infinity
                            let score = raw.dot(row: row, dense: dense)
                            if score > 0 { collector.offer(ScoredMatch(row: entry.row, score: score), tieKeys: keys) }
                        }
                    }

                    func untouchedBound() -> Double {
                        min(max(restMass, 0).squareRoot() * maxRowNorm, restBound) * margin + 1e-6
                    }

                    while next < order.count {
                        if collector.matches.count == k, untouchedBound() < Double(collector.threshold) { break }
                        if restMass <= seedMass, touchedCount >= k, seedMass > totalMass * 1e-3 {
                            seed()
                            seedMass *= 0.5
                            continue
                        }
                        let (term, weight, bound) = order[next]
                        for position in inverted.starts[term]..<inverted.starts[term + 1] {
                            let row = Int(inverted.rows![position])
                            let value = inverted.weights![position]
                            if walked[row] == 0 {
                                touched[touchedCount] = Int32(row)
                                touchedCount += 1
                            }
                            partial[row] += weight * value
                            walked[row] += max(value * value, .leastNormalMagnitude)
                        }
                        restMass -= Double(weight) * Double(weight)
                        restBound -= Double(bound)
                        next += 1
                    }
                    let everyTermWalked = next == order.count
                    let restNorm = everyTermWalked ? 0 : max(restMass, 0).squareRoot()
                    let restLimit = everyTermWalked ? 0 : restBound
                    seed()
                    for index in 0..<touchedCount {
                        let row = Int(touched[index])
                        let score = partial[row]
                        guard score != -.infinity, row != excluded, !removed[row] else { continue }
                        if collector.matches.count == k {
                            let rest = min(restNorm * max(Double(raw.squaredNorms![row] - walked[row]), 0).squareRoot(), restLimit)
                            let bound = (Double(score) + rest) * margin + 1e-6
                            if bound < Double(collector.threshold) { continue }
                        }
                        let exact = raw.dot(row: row, dense: dense)
                        if exact > 0 { collector.offer(ScoredMatch(row: Int32(row), score: exact), tieKeys: keys) }
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
