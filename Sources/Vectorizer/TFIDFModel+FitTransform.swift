import ArabicText
import Foundation

extension TFIDFModel {
    /// Fits a model on `documents` and vectorizes them in one pass over their tokens, like scikit-learn's
    /// `fit_transform`: every token is looked up once, while counting, and its vector is built from the recorded
    /// ids. For token lists already in memory (benchmarks, tools); `sila index` streams from the database instead,
    /// fitting and vectorizing in two passes so that memory stays bounded by the vocabulary.
    ///
    /// The model is the one `TFIDFModel(counter:)` fits on the same documents, and vector `i` equals
    /// `model.vectorize(documents[i])`.
    public static func fitTransform(
        _ documents: [AnalyzedDocument], name: String, analyzerVersion: String,
        analyzerConfiguration: Analyzer.Configuration = .standard, parameters: TFIDFParameters, threads: Int,
        createdAt: Date = Date()
    ) -> (model: TFIDFModel, vectors: [SparseVector]) {
        // Count on up to `threads` workers, each claiming batches of documents in order and recording every token
        // as (worker-local id << 1 | is-title). Document frequencies are sums: the same whichever worker counts what.
        let workers = concurrentBatches(
            count: documents.count, batchSize: Self.fitTransformBatch, workers: documents.count >= 1000 ? threads : 1,
            initial: { RecordingWorker(counter: DocumentFrequencyCounter(parameters: parameters)) }
        ) { worker, range in
            var keys = [UInt32]()
            keys.reserveCapacity(range.reduce(0) { $0 + documents[$1].bodyTerms.count + documents[$1].titleTerms.count })
            var ends = [Int]()
            ends.reserveCapacity(range.count)
            for index in range {
                worker.counter.add(documents[index], recordingInto: &keys)
                ends.append(keys.count)
            }
            worker.chunks.append(RecordedChunk(firstDocument: range.lowerBound, keys: keys, ends: ends))
        }
        var counter = workers[0].counter
        var workerToMerged: [[UInt32]?] = [nil]  // the first worker's ids are the merged counter's ids
        for worker in workers.dropFirst() { workerToMerged.append(counter.merge(worker.counter, mappingIDs: true)) }
        let kept = counter.prunedTermIDs()
        let model = TFIDFModel(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration, counter: counter,
            keeping: kept, createdAt: createdAt)

        // Merged counter id → model term id (UInt32.max: pruned): model term i is merged term kept[i].
        var toModel = [UInt32](repeating: .max, count: counter.distinctTermCount)
        for (termID, id) in kept.enumerated() { toModel[id] = UInt32(termID) }
        let mergedToModel = toModel
        let workerToModel = workerToMerged.map { mapping in mapping.map { $0.map { mergedToModel[Int($0)] } } ?? mergedToModel }
        let chunks = workers.indices.flatMap { worker in workers[worker].chunks.map { (worker: worker, chunk: $0) } }
        let vectorized = concurrentBatches(count: chunks.count, batchSize: 1, workers: threads, initial: { [(Int, [SparseVector])]() }) {
            done, range in
            for index in range {
                let (worker, chunk) = chunks[index]
                done.append((chunk.firstDocument, model.vectors(of: chunk, mappingIDs: workerToModel[worker])))
            }
        }
        var vectors = [SparseVector]()
        vectors.reserveCapacity(documents.count)
        for (_, chunkVectors) in vectorized.joined().sorted(by: { $0.0 < $1.0 }) { vectors += chunkVectors }
        return (model, vectors)
    }

    /// Documents per batch a counting worker claims: small enough to balance two threads when other processes take
    /// one of the cores for a while, large enough that claims and per-batch arrays cost nothing.
    static let fitTransformBatch = 512

    /// The vectors of a recorded chunk, its local ids translated by `mapping`.
    ///
    /// A document's occurrences are counted in a vocabulary-sized array, and its terms marked in a two-level bitmap
    /// (a bit per term, and a bit per non-zero word of those bits); reading the bitmap back gives the terms in
    /// increasing id order without sorting, and clears it for the next document. The weights are computed with the
    /// same arithmetic, in the same order, as `weighted(sortedKeys:)`.
    private func vectors(of chunk: RecordedChunk, mappingIDs mapping: [UInt32]) -> [SparseVector] {
        var vectors = [SparseVector]()
        vectors.reserveCapacity(chunk.ends.count)
        // Per term id of the current document: title occurrences << 32 | body occurrences.
        var counts = [UInt64](repeating: 0, count: vocabularySize)
        var present = [UInt64](repeating: 0, count: (vocabularySize + 63) / 64)
        var presentWords = [UInt64](repeating: 0, count: (present.count + 63) / 64)
        var longest = 0
        var previousEnd = 0
        for end in chunk.ends {
            longest = max(longest, end - previousEnd)
            previousEnd = end
        }
        precondition(longest < Int(UInt32.max), "a document has at most 2³² − 1 terms")
        let scratchCount = min(longest, vocabularySize)
        var scratchIDs = [UInt32](repeating: 0, count: scratchCount)
        var scratchWeights = [Double](repeating: 0, count: scratchCount)
        let termFrequency = TermFrequency(parameters)
        var start = 0
        chunk.keys.withUnsafeBufferPointer { keys in
            mapping.withUnsafeBufferPointer { mapping in
                idf.withUnsafeBufferPointer { idf in
                    counts.withUnsafeMutableBufferPointer { counts in
                        present.withUnsafeMutableBufferPointer { present in
                            presentWords.withUnsafeMutableBufferPointer { presentWords in
                                scratchIDs.withUnsafeMutableBufferPointer { ids in
                                    scratchWeights.withUnsafeMutableBufferPointer { raw in
                                        for end in chunk.ends {
                                            for key in keys[start..<end] {
                                                let termID = mapping[Int(key >> 1)]
                                                guard termID != .max else { continue }
                                                let id = Int(termID)
                                                counts[id] &+= key & 1 == 0 ? 1 : 1 << 32
                                                present[id >> 6] |= 1 << UInt64(id & 63)
                                                presentWords[id >> 12] |= 1 << UInt64((id >> 6) & 63)
                                            }
                                            start = end
                                            // Term ids in increasing order; each bitmap word and count is cleared.
                                            var distinct = 0
                                            var squares = 0.0
                                            for summary in 0..<presentWords.count where presentWords[summary] != 0 {
                                                var words = presentWords[summary]
                                                presentWords[summary] = 0
                                                while words != 0 {
                                                    let word = summary << 6 | words.trailingZeroBitCount
                                                    words &= words - 1
                                                    var bits = present[word]
                                                    present[word] = 0
                                                    while bits != 0 {
                                                        let id = word << 6 | bits.trailingZeroBitCount
                                                        bits &= bits - 1
                                                        let count = counts[id]
                                                        counts[id] = 0
                                                        let weight =
                                                            termFrequency(body: count & 0xFFFF_FFFF, title: count >> 32)
                                                            * idf[id]
                                                        ids[distinct] = UInt32(id)
                                                        raw[distinct] = weight
                                                        squares += weight * weight
                                                        distinct += 1
                                                    }
                                                }
                                            }
                                            let norm = squares.squareRoot()
                                            guard distinct > 0, norm > 0 else {
                                                vectors.append(SparseVector())
                                                continue
                                            }
                                            let termIDs = [UInt32](unsafeUninitializedCapacity: distinct) { buffer, initialized in
                                                _ = buffer.initialize(from: ids[0..<distinct])
                                                initialized = distinct
                                            }
                                            let weights = [Float](unsafeUninitializedCapacity: distinct) { buffer, initialized in
                                                for slot in 0..<distinct { buffer[slot] = Float(raw[slot] / norm) }
                                                initialized = distinct
                                            }
                                            vectors.append(SparseVector(termIDs: termIDs, weights: weights))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return vectors
    }
}

/// tf of a document's term from its body and title occurrences, as `weighted(sortedKeys:)` computes it:
/// count = body + titleWeight × title, tf = 1 + ln(count) (sublinear) or count. The logarithms of small whole counts
/// come from a table of the same values.
private struct TermFrequency {
    let titleWeight: Double
    let sublinear: Bool
    /// 1 + ln(n) for n < 256, used where body + titleWeight × title is the whole number body + title.
    let table: [Double]
    let tableApplies: Bool

    init(_ parameters: TFIDFParameters) {
        titleWeight = parameters.titleWeight
        sublinear = parameters.sublinearTF
        table = (0..<256).map { 1 + log(Double($0)) }
        tableApplies = sublinear && titleWeight.isFinite
    }

    @inline(__always)
    func callAsFunction(body: UInt64, title: UInt64) -> Double {
        // Double(body) + titleWeight × 0 is Double(body), and Double(body) + 1 × Double(title) is Double(body + title).
        if tableApplies, title == 0 || titleWeight == 1, body + title < 256 { return table[Int(body + title)] }
        let count = Double(body) + titleWeight * Double(title)
        return sublinear ? 1 + log(count) : count
    }
}

/// One batch of documents' recorded term keys (`ends[i]`: end of the keys of document `firstDocument + i`).
private struct RecordedChunk: Sendable {
    var firstDocument: Int
    var keys: [UInt32]
    var ends: [Int]
}

/// A counting worker of `fitTransform`: its counts and the batches it recorded.
private struct RecordingWorker: Sendable {
    var counter: DocumentFrequencyCounter
    var chunks: [RecordedChunk] = []
}
