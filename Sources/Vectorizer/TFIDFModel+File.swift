import ArabicText
import Foundation

/// The `.silamodel` file format, version 2 (documented in Models/README.md), all integers little-endian:
///
///     magic      8 bytes  "SILAMODL"
///     format     UInt32   2
///     byteCount  UInt64   length of the whole file, checksum included (tells truncation from corruption)
///     headerLen  UInt32   byte length of the JSON header
///     header     JSON     sorted keys: analyzerConfiguration, analyzerVersion, documentCount, id, name,
///                         parameters, termCount
///     terms      termCount × (UInt16 byte length + UTF-8 bytes), in term-id order
///     df         termCount × UInt32
///     checksum   UInt64   FNV-1a 64 of every byte before it
///
/// The file is a function of the model's content and name only (no creation time, sorted JSON keys), so the same
/// corpus and parameters give byte-identical files. Version 1 (no byteCount; a createdAt in the header) is still
/// read.
extension TFIDFModel {
    static let magic = Array("SILAMODL".utf8)
    static let formatVersion: UInt32 = 2

    struct FileHeader: Codable {
        var name: String
        var analyzerVersion: String
        var analyzerConfiguration: Analyzer.Configuration
        var parameters: TFIDFParameters
        var documentCount: Int
        var termCount: Int
        var id: String
        /// Format 1 only.
        var createdAt: Double?
    }

    /// The model's bytes in the `.silamodel` format; `decode` of these bytes gives back an equal model, and
    /// encoding that model gives back the same bytes.
    /// - Throws: `VectorizerError.termTooLong` for a term over 65,535 UTF-8 bytes.
    public func encoded() throws -> [UInt8] {
        let header = FileHeader(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration,
            parameters: parameters, documentCount: documentCount, termCount: terms.count, id: id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = Array(try encoder.encode(header))
        var body = [UInt8]()
        body.reserveCapacity(terms.count * 16)
        for index in terms.indices {
            try termTable.withBytes(of: UInt32(index)) { utf8 in
                guard utf8.count <= Int(UInt16.max) else {
                    throw VectorizerError.termTooLong(term: String(terms[index].prefix(40)))
                }
                body.appendLittleEndian(UInt16(utf8.count))
                body.append(contentsOf: utf8)
            }
        }
        for df in documentFrequencies { body.appendLittleEndian(UInt32(bitPattern: df)) }

        var bytes = Self.magic
        bytes.reserveCapacity(Self.magic.count + 16 + headerBytes.count + body.count + 8)
        bytes.appendLittleEndian(Self.formatVersion)
        bytes.appendLittleEndian(UInt64(Self.magic.count + 16 + headerBytes.count + body.count + 8))
        bytes.appendLittleEndian(UInt32(headerBytes.count))
        bytes += headerBytes
        bytes += body
        var checksum = ContentHash()
        checksum.combine(bytes: bytes)
        bytes.appendLittleEndian(checksum.value)
        return bytes
    }

    /// Writes the model to `url` atomically (a crash leaves the old file or the new one, never half of it). An
    /// existing file there is replaced only when it is a Sila model too (an empty file counts as nothing).
    public func save(to url: URL) throws {
        if let handle = FileHandle(forReadingAtPath: url.path) {
            let head = (try? handle.read(upToCount: Self.magic.count)) ?? Data()
            try? handle.close()
            if !head.isEmpty, Array(head) != Self.magic { throw VectorizerError.wouldOverwriteForeignFile(path: url.path) }
        }
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try encoded()).write(to: url, options: .atomic)
        } catch let error as VectorizerError {
            throw error
        } catch {
            throw VectorizerError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads a model written by `save(to:)`; its `createdAt` is the file's modification time.
    /// - Throws: `VectorizerError` when the file is missing, truncated, corrupt, of another kind or format, or was
    ///   fitted with an analyzer version other than `expectedAnalyzerVersion` (when given).
    public static func load(from url: URL, expectedAnalyzerVersion: String? = nil) throws -> TFIDFModel {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VectorizerError.cannotRead(path: url.path)
        }
        let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate]) as? Date
        let model = try decode(Array(data), path: url.path, createdAt: modified ?? Date(timeIntervalSince1970: 0))
        if let expectedAnalyzerVersion, model.analyzerVersion != expectedAnalyzerVersion {
            throw VectorizerError.analyzerMismatch(
                path: url.path, modelVersion: model.analyzerVersion, currentVersion: expectedAnalyzerVersion)
        }
        return model
    }

    /// Decodes `.silamodel` bytes; `path` only names the source in errors.
    /// - Parameter createdAt: the decoded model's `createdAt` (the file holds none); format 1 files carry their own.
    /// - Throws: `VectorizerError.notAModel` (no magic), `.unsupportedFormat`, `.truncated`, or `.corrupt`
    ///   (checksum, header, vocabulary or id do not add up).
    public static func decode(
        _ bytes: [UInt8], path: String, createdAt: Date = Date(timeIntervalSince1970: 0)
    ) throws -> TFIDFModel {
        guard bytes.starts(with: magic) else { throw VectorizerError.notAModel(path: path) }
        var reader = ByteReader(bytes: bytes, path: path, end: bytes.count)
        reader.offset = magic.count
        let format: UInt32 = try reader.readLittleEndian()
        guard format == 1 || format == formatVersion else {
            throw VectorizerError.unsupportedFormat(path: path, version: Int(format), supported: Int(formatVersion))
        }
        if format >= 2 {
            let expected: UInt64 = try reader.readLittleEndian()
            guard expected == UInt64(bytes.count) else {
                if expected > UInt64(bytes.count) {
                    throw VectorizerError.truncated(path: path, byteCount: bytes.count, expectedByteCount: Int(expected))
                }
                throw VectorizerError.corrupt(
                    path: path, reason: "\(bytes.count) bytes where the file says \(expected) (trailing bytes?)")
            }
        }
        guard bytes.count >= reader.offset + 8 else {
            throw VectorizerError.truncated(path: path, byteCount: bytes.count, expectedByteCount: nil)
        }
        let storedChecksum = bytes.suffix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        var checksum = ContentHash()
        checksum.combine(bytes: bytes.dropLast(8))
        guard checksum.value == storedChecksum else {
            throw VectorizerError.corrupt(
                path: path, reason: format >= 2 ? "checksum mismatch (altered file)" : "checksum mismatch (truncated or altered file)")
        }
        reader.end = bytes.count - 8
        reader.verified = true
        return try decodeContent(&reader, path: path, createdAt: createdAt)
    }

    /// Header, vocabulary and document frequencies, once the checksum holds.
    private static func decodeContent(_ reader: inout ByteReader, path: String, createdAt: Date) throws -> TFIDFModel {
        let headerLength: UInt32 = try reader.readLittleEndian()
        let header: FileHeader
        do {
            header = try JSONDecoder().decode(FileHeader.self, from: Data(try reader.read(count: Int(headerLength))))
        } catch let error as VectorizerError {
            throw error
        } catch {
            throw VectorizerError.corrupt(path: path, reason: "unreadable header: \(error)")
        }
        guard header.termCount >= 0, header.documentCount >= 0 else {
            throw VectorizerError.corrupt(path: path, reason: "negative counts in the header")
        }
        var terms = [String]()
        terms.reserveCapacity(Swift.min(header.termCount, reader.remaining / 2))
        for _ in 0..<header.termCount {
            let length: UInt16 = try reader.readLittleEndian()
            let utf8 = try reader.read(count: Int(length))
            guard let term = String(validating: utf8, as: UTF8.self) else {
                throw VectorizerError.corrupt(path: path, reason: "term \(terms.count) is not UTF-8")
            }
            terms.append(term)
        }
        var dfs = [Int32]()
        dfs.reserveCapacity(terms.count)
        for _ in 0..<header.termCount {
            let df: UInt32 = try reader.readLittleEndian()
            dfs.append(Int32(bitPattern: df))
        }
        guard reader.offset == reader.end else {
            throw VectorizerError.corrupt(path: path, reason: "\(reader.end - reader.offset) unexpected bytes after the vocabulary")
        }
        guard let table = termTable(terms) else {
            throw VectorizerError.corrupt(path: path, reason: "the vocabulary lists a term twice")
        }
        let model = TFIDFModel(
            name: header.name, analyzerVersion: header.analyzerVersion,
            analyzerConfiguration: header.analyzerConfiguration, parameters: header.parameters,
            documentCount: header.documentCount, terms: terms, termTable: table, documentFrequencies: dfs,
            createdAt: header.createdAt.map(Date.init(timeIntervalSince1970:)) ?? createdAt)
        guard model.id == header.id else {
            throw VectorizerError.corrupt(path: path, reason: "model id \(header.id) does not match its content (\(model.id))")
        }
        return model
    }
}

/// Sequential little-endian reads with bounds checks that name the file.
private struct ByteReader {
    let bytes: [UInt8]
    let path: String
    /// Reads stop here: the end of the file until the checksum is verified, then the checksum's first byte.
    var end: Int
    var offset = 0
    /// Whether the checksum held: a read past the end before that means a truncated file, after it a bad length.
    var verified = false

    var remaining: Int { end - offset }

    mutating func read(count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= end - offset else {
            if !verified { throw VectorizerError.truncated(path: path, byteCount: bytes.count, expectedByteCount: nil) }
            throw VectorizerError.corrupt(path: path, reason: "a field runs past the end, at byte \(offset)")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func readLittleEndian<T: FixedWidthInteger>() throws -> T {
        let slice = try read(count: MemoryLayout<T>.size)
        return slice.enumerated().reduce(T(0)) { $0 | T($1.element) << (8 * $1.offset) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
