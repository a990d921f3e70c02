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
        // Count each contiguous chunk on its own thread, recording every token as (chunk-local id << 1 | is-title).
        let chunks = concurrentChunks(count: documents.count, chunks: max(1, min(threads, documents.count / 1000))) { range in
            var counter = DocumentFrequencyCounter(parameters: parameters)
            var keys = [UInt32]()
            var ends = [Int]()
            ends.reserveCapacity(range.count)
            for index in range {
                counter.add(documents[index], recordingInto: &keys)
                ends.append(keys.count)
            }
            return RecordedChunk(counter: counter, keys: keys, ends: ends)
        }
        var counter = chunks[0].counter
        var chunkToMerged: [[UInt32]?] = [nil]  // the first chunk's ids are the merged counter's ids
        for chunk in chunks.dropFirst() { chunkToMerged.append(counter.merge(chunk.counter, mappingIDs: true)) }
        let model = TFIDFModel(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration, counter: counter,
            createdAt: createdAt)

        // Merged counter id → model term id (UInt32.max: pruned); one lookup per distinct term, not per token.
        var toModel = [UInt32](repeating: .max, count: counter.distinctTermCount)
        for id in 0..<toModel.count {
            if let termID = counter.withTermBytes(of: UInt32(id), { model.termTable.id(ofBytes: $0) }) { toModel[id] = termID }
        }
        let mergedToModel = toModel
        let chunkIDMaps = chunkToMerged
        let vectorChunks = concurrentChunks(count: chunks.count, chunks: chunks.count) { range in
            range.flatMap { index in
                let chunk = chunks[index]
                let localToModel = chunkIDMaps[index].map { $0.map { mergedToModel[Int($0)] } } ?? mergedToModel
                return model.vectors(of: chunk, mappingIDs: localToModel)
            }
        }
        return (model, Array(vectorChunks.joined()))
    }

    /// The vectors of a recorded chunk, its local ids translated by `mapping`. Occurrences are counted in two
    /// vocabulary-sized arrays (no per-token sort); only each document's distinct terms are sorted.
    private func vectors(of chunk: RecordedChunk, mappingIDs mapping: [UInt32]) -> [SparseVector] {
        var vectors = [SparseVector]()
        vectors.reserveCapacity(chunk.ends.count)
        var bodyCounts = [UInt32](repeating: 0, count: vocabularySize)
        var titleCounts = [UInt32](repeating: 0, count: vocabularySize)
        var distinct = [UInt32]()
        var raw = [Double]()
        let titleWeight = parameters.titleWeight
        let sublinear = parameters.sublinearTF
        var start = 0
        chunk.keys.withUnsafeBufferPointer { keys in
            mapping.withUnsafeBufferPointer { mapping in
                idf.withUnsafeBufferPointer { idf in
                    for end in chunk.ends {
                        distinct.removeAll(keepingCapacity: true)
                        for key in keys[start..<end] {
                            let termID = mapping[Int(key >> 1)]
                            guard termID != .max else { continue }
                            let id = Int(termID)
                            if bodyCounts[id] == 0 && titleCounts[id] == 0 { distinct.append(termID) }
                            if key & 1 == 0 { bodyCounts[id] += 1 } else { titleCounts[id] += 1 }
                        }
                        start = end
                        guard !distinct.isEmpty else {
                            vectors.append(SparseVector())
                            continue
                        }
                        distinct.sort()
                        // The same arithmetic, in the same order, as `weighted(sortedKeys:)`.
                        raw.removeAll(keepingCapacity: true)
                        var squares = 0.0
                        for termID in distinct {
                            let id = Int(termID)
                            let count = Double(bodyCounts[id]) + titleWeight * Double(titleCounts[id])
                            bodyCounts[id] = 0
                            titleCounts[id] = 0
                            let weight = (sublinear ? 1 + log(count) : count) * idf[id]
                            raw.append(weight)
                            squares += weight * weight
                        }
                        let norm = squares.squareRoot()
                        guard norm > 0 else {
                            vectors.append(SparseVector())
                            continue
                        }
                        let weights = [Float](unsafeUninitializedCapacity: distinct.count) { buffer, initialized in
                            for slot in 0..<raw.count { buffer[slot] = Float(raw[slot] / norm) }
                            initialized = raw.count
                        }
                        vectors.append(SparseVector(termIDs: distinct, weights: weights))
                    }
                }
            }
        }
        return vectors
    }
}

/// One chunk's counts and its documents' recorded term keys (`ends[i]`: end of document i's keys).
private struct RecordedChunk: Sendable {
    var counter: DocumentFrequencyCounter
    var keys: [UInt32]
    var ends: [Int]
}
