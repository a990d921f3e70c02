import ArabicText
import Foundation
import Testing

@testable import Vectorizer

@Suite struct TFIDFModelFileTests {
    let model = TFIDFModel.fitted(syntheticDocuments(count: 400), TFIDFParameters(), name: "fixture")

    @Test func encodeDecodeEncodeIsBitIdentical() throws {
        let bytes = try model.encoded()
        let decoded = try TFIDFModel.decode(bytes, path: "memory")
        #expect(try decoded.encoded() == bytes)
        #expect(decoded.id == model.id && decoded.name == model.name)
        #expect(decoded.terms == model.terms && decoded.documentFrequencies == model.documentFrequencies)
        #expect(decoded.parameters == model.parameters && decoded.documentCount == model.documentCount)
        #expect(decoded.analyzerVersion == model.analyzerVersion)
        #expect(decoded.analyzerConfiguration == model.analyzerConfiguration)
        let document = syntheticDocuments(count: 1, seed: 99)[0]
        #expect(decoded.vectorize(document) == model.vectorize(document))
    }

    @Test func theSameCorpusAndParametersGiveTheSameBytes() throws {
        // Fitted at different times, from chunks merged in another order: same file.
        let documents = syntheticDocuments(count: 400)
        let first = TFIDFModel(
            name: "fixture", analyzerVersion: "test-1", analyzerConfiguration: .standard,
            counter: DocumentFrequencyCounter(parameters: TFIDFParameters(), counting: documents, threads: 1),
            createdAt: Date(timeIntervalSince1970: 0))
        var reversed = DocumentFrequencyCounter(parameters: TFIDFParameters())
        for document in documents.reversed() { reversed.add(document) }
        let second = TFIDFModel(
            name: "fixture", analyzerVersion: "test-1", analyzerConfiguration: .standard, counter: reversed)
        #expect(try first.encoded() == second.encoded())
        #expect(try first.encoded() == model.encoded())
    }

    @Test func saveAndLoadThroughADirectory() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("Models/fixture.silamodel")
            try model.save(to: url)
            let loaded = try TFIDFModel.load(from: url, expectedAnalyzerVersion: "test-1")
            #expect(try loaded.encoded() == model.encoded())
            #expect(try Array(Data(contentsOf: url)) == model.encoded())
            #expect(abs(loaded.createdAt.timeIntervalSinceNow) < 600)  // the file's modification time
            // Saving again replaces the file with the same bytes.
            try loaded.save(to: url)
            #expect(try Array(Data(contentsOf: url)) == model.encoded())
        }
    }

    /// `sila index --model NAME --refit` with a mistyped name must not destroy whatever file has that name.
    @Test func savingOverAFileThatIsNotAModelIsRefusedAndLeavesItUntouched() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sila-foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let foreign = directory.appendingPathComponent("notes.silamodel")
        try Data("my notes, not a model".utf8).write(to: foreign)
        #expect(throws: VectorizerError.wouldOverwriteForeignFile(path: foreign.path)) { try model.save(to: foreign) }
        #expect(try String(contentsOf: foreign, encoding: .utf8) == "my notes, not a model")
        let existing = directory.appendingPathComponent("model.silamodel")
        try model.save(to: existing)
        try model.save(to: existing)  // a model over a model is a refit
        #expect(try TFIDFModel.load(from: existing).id == model.id)
    }

    @Test func theEmptyModelRoundTrips() throws {
        let empty = TFIDFModel.fitted([], TFIDFParameters())
        let bytes = try empty.encoded()
        #expect(try TFIDFModel.decode(bytes, path: "memory").encoded() == bytes)
    }

    @Test func aMissingFileCannotBeRead() {
        #expect(throws: VectorizerError.cannotRead(path: "/nonexistent/x.silamodel")) {
            try TFIDFModel.load(from: URL(fileURLWithPath: "/nonexistent/x.silamodel"))
        }
    }

    @Test(arguments: [1, 9, 20, 100, 1000])
    func aTruncatedFileIsReportedAsTruncated(keptBytes: Int) throws {
        let bytes = try model.encoded()
        #expect(keptBytes < bytes.count)
        let error = #expect(throws: VectorizerError.self) { try TFIDFModel.decode(Array(bytes.prefix(keptBytes)), path: "m") }
        switch error {
        case .truncated(let path, let byteCount, let expected):
            #expect(path == "m" && byteCount == keptBytes)
            #expect(expected == nil || expected == bytes.count)
        case .notAModel where keptBytes < 8:
            break
        default:
            Issue.record("truncated to \(keptBytes) bytes: \(String(describing: error))")
        }
    }

    @Test func aFileCutJustBeforeItsEndIsTruncated() throws {
        let bytes = try model.encoded()
        #expect(throws: VectorizerError.truncated(path: "m", byteCount: bytes.count - 1, expectedByteCount: bytes.count)) {
            try TFIDFModel.decode(Array(bytes.dropLast()), path: "m")
        }
    }

    @Test func everyFlippedByteIsCaught() throws {
        let bytes = try model.encoded()
        // Every byte of the preamble and header, then a stride through the vocabulary and the checksum.
        let positions = Array(0..<min(bytes.count, 400)) + Array(stride(from: 400, to: bytes.count, by: 97)) + [bytes.count - 1]
        for position in positions {
            var altered = bytes
            altered[position] ^= 0x20
            do {
                _ = try TFIDFModel.decode(altered, path: "m")
                Issue.record("a flipped byte at \(position) was not noticed")
            } catch let error as VectorizerError {
                switch error {
                case .corrupt, .notAModel, .unsupportedFormat, .truncated: break
                default: Issue.record("byte \(position): unexpected \(error)")
                }
            }
        }
        // A flip in the vocabulary is a checksum mismatch.
        var altered = bytes
        altered[bytes.count / 2] ^= 0x01
        #expect(throws: VectorizerError.corrupt(path: "m", reason: "checksum mismatch (altered file)")) {
            try TFIDFModel.decode(altered, path: "m")
        }
    }

    @Test func aFileOfAnotherKindIsNotAModel() throws {
        let json = Array(#"{"name": "not a model"}"#.utf8)
        #expect(throws: VectorizerError.notAModel(path: "x.json")) { try TFIDFModel.decode(json, path: "x.json") }
        #expect(throws: VectorizerError.notAModel(path: "empty")) { try TFIDFModel.decode([], path: "empty") }
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("a.silamodel")
            try Data("SQLite format 3\0 and more bytes".utf8).write(to: url)
            #expect(throws: VectorizerError.notAModel(path: url.path)) { try TFIDFModel.load(from: url) }
        }
    }

    @Test func aNewerFormatIsUnsupported() throws {
        var bytes = try model.encoded()
        bytes[8] = 9
        #expect(throws: VectorizerError.unsupportedFormat(path: "m", version: 9, supported: 2)) {
            try TFIDFModel.decode(bytes, path: "m")
        }
    }

    @Test func aModelOfAnotherAnalyzerVersionIsRefused() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("old.silamodel")
            try model.save(to: url)
            #expect(throws: VectorizerError.analyzerMismatch(path: url.path, modelVersion: "test-1", currentVersion: "test-2")) {
                try TFIDFModel.load(from: url, expectedAnalyzerVersion: "test-2")
            }
            #expect(throws: Never.self) { try TFIDFModel.load(from: url) }
        }
    }

    @Test func aHeaderWhoseIDDisagreesWithTheContentIsCorrupt() throws {
        // Rewrite one document frequency and fix up the checksum: the id check catches it.
        var bytes = try model.encoded()
        let dfStart = bytes.count - 8 - 4 * model.vocabularySize
        bytes[dfStart] &+= 1
        bytes.replaceSubrange((bytes.count - 8)..., with: checksum(of: bytes.dropLast(8)))
        let error = #expect(throws: VectorizerError.self) { try TFIDFModel.decode(bytes, path: "m") }
        guard case .corrupt(_, let reason) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(reason.contains("does not match its content"))
    }

    @Test func aRepeatedTermIsCorrupt() throws {
        let twice = TFIDFModel(
            name: "t", analyzerVersion: "v", analyzerConfiguration: .standard, parameters: TFIDFParameters(),
            documentCount: 4, terms: ["ab", "cd"], documentFrequencies: [2, 2])
        var bytes = try twice.encoded()
        // Turn "cd" into "ab" (same length), then fix the checksum.
        let cd = try #require(bytes.firstRange(of: Array("cd".utf8)))
        bytes.replaceSubrange(cd, with: Array("ab".utf8))
        bytes.replaceSubrange((bytes.count - 8)..., with: checksum(of: bytes.dropLast(8)))
        #expect(throws: VectorizerError.corrupt(path: "m", reason: "the vocabulary lists a term twice")) {
            try TFIDFModel.decode(bytes, path: "m")
        }
    }

    @Test func formatOneFilesAreStillRead() throws {
        let bytes = try formatOneBytes(of: model, createdAt: 1_600_000_000)
        let decoded = try TFIDFModel.decode(bytes, path: "v1")
        #expect(decoded.id == model.id && decoded.terms == model.terms)
        #expect(decoded.createdAt == Date(timeIntervalSince1970: 1_600_000_000))
        let truncated = Array(bytes.dropLast(3))
        #expect(throws: VectorizerError.corrupt(path: "v1", reason: "checksum mismatch (truncated or altered file)")) {
            try TFIDFModel.decode(truncated, path: "v1")
        }
    }
}

/// The 8 little-endian checksum bytes of `bytes`.
func checksum(of bytes: some Sequence<UInt8>) -> [UInt8] {
    var hash = ContentHash()
    hash.combine(bytes: bytes)
    return withUnsafeBytes(of: hash.value.littleEndian) { Array($0) }
}

/// A model in format 1, as the walking skeleton wrote it (no byte count; createdAt in the header).
func formatOneBytes(of model: TFIDFModel, createdAt: Double) throws -> [UInt8] {
    let current = try model.encoded()
    let headerLength = Int(current[20..<24].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
    var header = try #require(
        try JSONSerialization.jsonObject(with: Data(current[24..<(24 + headerLength)])) as? [String: Any])
    header["createdAt"] = createdAt
    let headerBytes = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    var bytes = Array("SILAMODL".utf8)
    bytes += withUnsafeBytes(of: UInt32(1).littleEndian) { Array($0) }
    bytes += withUnsafeBytes(of: UInt32(headerBytes.count).littleEndian) { Array($0) }
    bytes += headerBytes
    bytes += current[(24 + headerLength)..<(current.count - 8)]
    bytes += checksum(of: bytes)
    return bytes
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sila-vectorizer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}
