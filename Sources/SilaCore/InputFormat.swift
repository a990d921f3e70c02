import Foundation
import Store

/// The article file formats `sila ingest` reads.
public enum InputFormat: String, CaseIterable, Sendable {
    case jsonl, csv, wxr

    /// The format implied by a file name's extension (`.jsonl`/`.ndjson`/`.json`, `.csv`, `.xml`/`.wxr`).
    public static func guess(fromPath path: String) -> InputFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "jsonl", "ndjson", "json": return .jsonl
        case "csv": return .csv
        case "xml", "wxr": return .wxr
        default: return nil
        }
    }
}

/// One parsed input record: an article, or the reason it was rejected.
public typealias ParsedRecord = Result<Article, RecordError>

/// Reads articles from a file of any `InputFormat`, calling `body` once per record, in file order.
public enum ArticleReader {
    /// The largest record read (a JSONL line, a CSV record, a WXR item): 8 MiB, some hundred times a long article.
    /// A larger one is rejected at its line without being held in memory, so a hostile or broken file (one
    /// 100 MB line, a CSV quote never closed) costs bounded memory.
    public static let maximumRecordBytes = 8 << 20

    /// - Parameters:
    ///   - path: a file path, or `-` for standard input.
    /// - Throws: `CoreError.cannotReadInput` when the file cannot be opened; bad records are passed to `body`.
    public static func read(path: String, format: InputFormat, _ body: (ParsedRecord) throws -> Void) throws {
        try readLocated(path: path, format: format) { _, record in try body(record) }
    }

    /// `read`, with the line each record starts on (the line a rejection names, or an accepted record's).
    public static func readLocated(path: String, format: InputFormat, _ body: (Int, ParsedRecord) throws -> Void) throws {
        let name = path == "-" ? "<stdin>" : path
        let handle = try open(path)
        defer { if path != "-" { try? handle.close() } }
        switch format {
        case .jsonl:
            try LineReader(handle: handle).forEachLine(
                oversized: { number, length in
                    try body(number, .failure(RecordError(file: name, line: number, reason: RecordSize.tooLarge(length, what: "line"))))
                },
                { number, line in
                    if let record = JSONLRecord.parse(line, file: name, line: number) { try body(number, record) }
                })
        case .csv:
            try CSVRecords.read(handle: handle, file: name, body)
        case .wxr:
            try WXRRecords.read(handle: handle, file: name, body)
        }
    }

    /// The file's handle, or a file-level error that says why it cannot be read.
    static func open(_ path: String) throws -> FileHandle {
        if path == "-" { return FileHandle.standardInput }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CoreError.cannotReadInput(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw CoreError.cannotReadInput(path: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CoreError.cannotReadInput(path: path, reason: "not readable (permissions?)")
        }
        return handle
    }
}

/// The words of an oversized-record rejection.
enum RecordSize {
    static func tooLarge(_ byteCount: Int, what: String) -> String {
        let megabytes = String(format: "%.1f", Double(byteCount) / 1_048_576)
        return "\(what) of \(megabytes) MiB is over the \(ArticleReader.maximumRecordBytes >> 20) MiB limit of one record; skipped"
    }
}

/// One JSON object per line.
enum JSONLRecord {
    /// The record of one line, or nil for a blank line.
    static func parse(_ line: Data, file: String, line number: Int) -> ParsedRecord? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: line, options: [])
        } catch {
            return .failure(RecordError(file: file, line: number, reason: "invalid JSON (\(describe(error)))"))
        }
        guard let fields = object as? [String: Any] else {
            return .failure(RecordError(file: file, line: number, reason: "expected a JSON object, got \(ArticleFields.typeName(object))"))
        }
        do {
            return .success(try ArticleFields.article(from: fields))
        } catch {
            return .failure(RecordError(file: file, line: number, reason: error.reason))
        }
    }

    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "unparsable"
    }
}

/// Splits a stream into lines without holding the whole file; a line over `maximumLineBytes` is counted, not
/// kept, and reported to `oversized` with its length.
struct LineReader {
    let handle: FileHandle
    var chunkSize = 1 << 20
    var maximumLineBytes = ArticleReader.maximumRecordBytes

    /// Every line; an oversized one stops the reading with `CoreError.recordTooLarge`.
    func forEachLine(_ body: (Int, Data) throws -> Void) throws {
        try forEachLine(oversized: { throw CoreError.recordTooLarge(line: $0, byteCount: $1) }, body)
    }

    func forEachLine(oversized: (Int, Int) throws -> Void, _ body: (Int, Data) throws -> Void) throws {
        var pending = Data()
        /// The length so far of a line that went over the limit (its bytes are dropped as they come); 0 otherwise.
        var overflow = 0
        var lineNumber = 0
        func append(_ bytes: Data.SubSequence) {
            if overflow > 0 {
                overflow += bytes.count
            } else if pending.count + bytes.count > maximumLineBytes {
                overflow = pending.count + bytes.count
                pending = Data()
            } else {
                pending.append(contentsOf: bytes)
            }
        }
        func deliver(_ line: Data) throws {
            lineNumber += 1
            if overflow > 0 {
                defer { overflow = 0 }
                return try oversized(lineNumber, overflow)
            }
            // A UTF-8 byte-order mark may open the file.
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { try body(1, Data(line.dropFirst(3))) } else { try body(lineNumber, line) }
        }
        while true {
            let chunk = handle.readData(ofLength: chunkSize)
            if chunk.isEmpty { break }
            // Lines are found with memchr over the raw bytes; only a line that spans two chunks is copied twice.
            var lines = [Range<Int>]()
            chunk.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var start = 0
                while start < raw.count, let hit = memchr(base + start, 0x0A, raw.count - start) {
                    let end = base.distance(to: UnsafeRawPointer(hit))
                    lines.append(start..<end)
                    start = end + 1
                }
                lines.append(start..<raw.count)  // the unfinished tail
            }
            let offset = chunk.startIndex
            for (position, range) in lines.enumerated() {
                let bytes = chunk[(offset + range.lowerBound)..<(offset + range.upperBound)]
                if position == lines.count - 1 {
                    append(bytes)
                } else if pending.isEmpty, overflow == 0, bytes.count <= maximumLineBytes {
                    try deliver(Data(bytes))
                } else {
                    append(bytes)
                    try deliver(pending)
                    pending = Data()
                }
            }
        }
        if !pending.isEmpty || overflow > 0 { try deliver(pending) }
    }
}
