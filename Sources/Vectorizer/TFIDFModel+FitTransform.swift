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

    /// The vectors of a recorded chunk, its local ids translated by `mapping`.
    private func vectors(of chunk: RecordedChunk, mappingIDs mapping: [UInt32]) -> [SparseVector] {
        var vectors = [SparseVector]()
        vectors.reserveCapacity(chunk.ends.count)
        var start = 0
        chunk.keys.withUnsafeBufferPointer { keys in
            mapping.withUnsafeBufferPointer { mapping in
                for end in chunk.ends {
                    let vector = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(end - start, 1)) { scratch in
                        var count = 0
                        for key in keys[start..<end] {
                            let termID = mapping[Int(key >> 1)]
                            guard termID != .max else { continue }
                            scratch[count] = UInt64(termID) << 1 | UInt64(key & 1)
                            count += 1
                        }
                        guard count > 0 else { return SparseVector() }
                        let used = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
                        sortKeys(used)
                        return weighted(sortedKeys: UnsafeBufferPointer(used))
                    }
                    vectors.append(vector)
                    start = end
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
