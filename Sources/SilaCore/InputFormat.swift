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
    /// - Parameters:
    ///   - path: a file path, or `-` for standard input.
    /// - Throws: `CoreError.cannotReadInput` when the file cannot be opened; bad records are passed to `body`.
    public static func read(path: String, format: InputFormat, _ body: (ParsedRecord) throws -> Void) throws {
        let name = path == "-" ? "<stdin>" : path
        guard let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path) else {
            throw CoreError.cannotReadInput(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        defer { if path != "-" { try? handle.close() } }
        switch format {
        case .jsonl:
            try LineReader(handle: handle).forEachLine { number, line in
                if let record = JSONLRecord.parse(line, file: name, line: number) { try body(record) }
            }
        case .csv:
            try CSVRecords.read(handle: handle, file: name, body)
        case .wxr:
            try WXRRecords.read(data: handle.readDataToEndOfFile(), file: name, body)
        }
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

/// Splits a stream into lines without holding the whole file (a 100 MB line is still read whole, once).
struct LineReader {
    let handle: FileHandle
    var chunkSize = 1 << 20

    func forEachLine(_ body: (Int, Data) throws -> Void) throws {
        var pending = Data()
        var lineNumber = 0
        func deliver(_ line: Data) throws {
            lineNumber += 1
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
                    pending.append(bytes)
                } else if pending.isEmpty {
                    try deliver(Data(bytes))
                } else {
                    pending.append(bytes)
                    try deliver(pending)
                    pending = Data()
                }
            }
        }
        if !pending.isEmpty { try deliver(pending) }
    }
}
