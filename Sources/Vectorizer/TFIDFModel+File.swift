import ArabicText
import Foundation

/// The `.silamodel` file format (documented in Models/README.md), all integers little-endian:
///
///     magic      8 bytes  "SILAMODL"
///     format     UInt32   1
///     headerLen  UInt32   byte length of the JSON header
///     header     JSON     name, analyzerVersion, analyzerConfiguration, parameters, documentCount, termCount,
///                         createdAt, id
///     terms      termCount × (UInt16 byte length + UTF-8 bytes), in term-id order
///     df         termCount × UInt32
///     checksum   UInt64   FNV-1a 64 of every byte before it
extension TFIDFModel {
    static let magic = Array("SILAMODL".utf8)
    static let formatVersion: UInt32 = 1

    struct FileHeader: Codable {
        var name: String
        var analyzerVersion: String
        var analyzerConfiguration: Analyzer.Configuration
        var parameters: TFIDFParameters
        var documentCount: Int
        var termCount: Int
        var createdAt: Double
        var id: String
    }

    /// The model's bytes in the `.silamodel` format; `load(from:)` of these bytes gives back an equal model.
    public func encoded() throws -> [UInt8] {
        let header = FileHeader(
            name: name, analyzerVersion: analyzerVersion, analyzerConfiguration: analyzerConfiguration,
            parameters: parameters, documentCount: documentCount, termCount: terms.count,
            createdAt: createdAt.timeIntervalSince1970, id: id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = Array(try encoder.encode(header))
        var bytes = Self.magic
        bytes.appendLittleEndian(Self.formatVersion)
        bytes.appendLittleEndian(UInt32(headerBytes.count))
        bytes += headerBytes
        for term in terms {
            let utf8 = Array(term.utf8)
            guard utf8.count <= Int(UInt16.max) else { throw VectorizerError.termTooLong(term: String(term.prefix(40))) }
            bytes.appendLittleEndian(UInt16(utf8.count))
            bytes += utf8
        }
        for df in documentFrequencies { bytes.appendLittleEndian(UInt32(df)) }
        var checksum = ContentHash()
        checksum.combine(bytes: bytes)
        bytes.appendLittleEndian(checksum.value)
        return bytes
    }

    /// Writes the model to `url` atomically (a crash leaves the old file or the new one, never half of it).
    public func save(to url: URL) throws {
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

    /// Reads a model written by `save(to:)`.
    /// - Throws: `VectorizerError` when the file is missing, truncated, corrupt, of another format, or was fitted
    ///   with an analyzer version other than `expectedAnalyzerVersion` (when given).
    public static func load(from url: URL, expectedAnalyzerVersion: String? = nil) throws -> TFIDFModel {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VectorizerError.cannotRead(path: url.path)
        }
        let model = try decode(Array(data), path: url.path)
        if let expectedAnalyzerVersion, model.analyzerVersion != expectedAnalyzerVersion {
            throw VectorizerError.analyzerMismatch(
                path: url.path, modelVersion: model.analyzerVersion, currentVersion: expectedAnalyzerVersion)
        }
        return model
    }

    /// Decodes `.silamodel` bytes; `path` only names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> TFIDFModel {
        var reader = ByteReader(bytes: bytes, path: path)
        guard bytes.count >= magic.count + 16, Array(bytes.prefix(magic.count)) == magic else {
            throw VectorizerError.notAModel(path: path)
        }
        let storedChecksum = bytes.suffix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        var checksum = ContentHash()
        checksum.combine(bytes: bytes.dropLast(8))
        guard checksum.value == storedChecksum else { throw VectorizerError.corrupt(path: path, reason: "checksum mismatch (truncated or altered file)") }
        reader.offset = magic.count
        let format: UInt32 = try reader.readLittleEndian()
        guard format == formatVersion else {
            throw VectorizerError.corrupt(path: path, reason: "format version \(format), this Sila reads \(formatVersion)")
        }
        let headerLength: UInt32 = try reader.readLittleEndian()
        let header: FileHeader
        do {
            header = try JSONDecoder().decode(FileHeader.self, from: Data(try reader.read(count: Int(headerLength))))
        } catch let error as VectorizerError {
            throw error
        } catch {
            throw VectorizerError.corrupt(path: path, reason: "unreadable header: \(error)")
        }
        var terms = [String]()
        terms.reserveCapacity(header.termCount)
        for _ in 0..<header.termCount {
            let length: UInt16 = try reader.readLittleEndian()
            terms.append(String(decoding: try reader.read(count: Int(length)), as: UTF8.self))
        }
        var dfs = [Int32]()
        dfs.reserveCapacity(header.termCount)
        for _ in 0..<header.termCount {
            let df: UInt32 = try reader.readLittleEndian()
            dfs.append(Int32(bitPattern: df))
        }
        guard reader.offset == bytes.count - 8 else {
            throw VectorizerError.corrupt(path: path, reason: "\(bytes.count - 8 - reader.offset) unexpected bytes after the vocabulary")
        }
        let model = TFIDFModel(
            name: header.name, analyzerVersion: header.analyzerVersion,
            analyzerConfiguration: header.analyzerConfiguration, parameters: header.parameters,
            documentCount: header.documentCount, terms: terms, documentFrequencies: dfs,
            createdAt: Date(timeIntervalSince1970: header.createdAt))
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
    var offset = 0

    mutating func read(count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count - 8 else {
            throw VectorizerError.corrupt(path: path, reason: "truncated at byte \(offset)")
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
