import Foundation
import Store

/// CSV with a header row (RFC 4180: fields may be quoted, `""` is a quote, quoted fields may span lines),
/// UTF-8 with or without BOM. Column names are the article JSON field names; `tags` is comma-separated.
///
/// Read as a stream of bytes: memory holds one record, never the file, and a record over
/// `ArticleReader.maximumRecordBytes` (a quote never closed, a 100 MB field) is rejected without being kept.
enum CSVRecords {
    static func read(handle: FileHandle, file: String, _ body: (Int, ParsedRecord) throws -> Void) throws {
        var columns: [String]? = nil
        func record(_ raw: CSVRawRecord) throws {
            switch raw {
            case .oversized(let line, let byteCount):
                guard columns != nil else {
                    return try body(line, .failure(RecordError(file: file, line: line, reason: RecordSize.tooLarge(byteCount, what: "header row"))))
                }
                try body(line, .failure(RecordError(file: file, line: line, reason: RecordSize.tooLarge(byteCount, what: "record"))))
            case .fields(let line, let values):
                guard let columns else {
                    columns = values.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
                    return
                }
                if values.count == 1, values[0].isEmpty { return }
                try body(line, parse(values, columns: columns, file: file, line: line))
            }
        }
        var parser = CSVParser()
        var first = true
        while true {
            var chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            if first {
                // A UTF-8 byte-order mark may open the file (read on until three bytes are there to tell).
                while chunk.count < 3 {
                    let more = handle.readData(ofLength: 3)
                    if more.isEmpty { break }
                    chunk.append(more)
                }
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
                first = false
            }
            try chunk.withUnsafeBytes { try parser.feed($0, record) }
        }
        try parser.finish(record)
        if let problem = parser.problem { try body(problem.line, .failure(RecordError(file: file, line: problem.line, reason: problem.reason))) }
    }

    /// The article of one record's raw fields, or the reason it is rejected.
    static func parse(_ values: [[UInt8]], columns: [String], file: String, line: Int) -> ParsedRecord {
        guard values.count == columns.count else {
            return .failure(RecordError(file: file, line: line, reason: "expected \(columns.count) fields as in the header, got \(values.count)"))
        }
        var fields = [String: Any]()
        for (column, bytes) in zip(columns, values) where !bytes.isEmpty {
            guard let value = String(validating: bytes, as: UTF8.self) else {
                return .failure(RecordError(file: file, line: line, reason: "field '\(column)': not valid UTF-8 (convert the file to UTF-8)"))
            }
            fields[column] = value
        }
        do {
            return .success(try ArticleFields.article(from: fields))
        } catch {
            return .failure(RecordError(file: file, line: line, reason: error.reason))
        }
    }
}

/// One record as the splitter found it: its raw fields, or only its length when it was over the limit.
enum CSVRawRecord {
    case fields(line: Int, [[UInt8]])
    case oversized(line: Int, byteCount: Int)
}

/// An RFC 4180 record splitter fed with bytes as they are read, reporting the line each record starts on.
///
/// Works on bytes: the quote, comma, CR and LF are ASCII, and in UTF-8 no byte of a multi-byte character is ASCII,
/// so splitting before decoding is exact. A `"` opens a quoted field only at the start of a field, `""` inside one
/// is a quote, and a record ends at an unquoted CR, LF or CR LF.
struct CSVParser {
    var maximumRecordBytes = ArticleReader.maximumRecordBytes
    private(set) var problem: (line: Int, reason: String)?
    private var line = 1
    private var recordLine = 1
    private var fields = [[UInt8]]()
    private var field = [UInt8]()
    private var fieldLength = 0
    private var quoted = false
    /// A quote inside a quoted field: the next byte tells whether it closes the field or is the first of `""`.
    private var pendingQuote = false
    /// A CR just ended a record: an LF right after it belongs to the same line break.
    private var skipLF = false
    private var recordBytes = 0
    private var started = false

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (CSVRawRecord) throws -> Void) throws {
        for byte in bytes {
            if skipLF {
                skipLF = false
                if byte == 0x0A { continue }
            }
            started = true
            recordBytes += 1
            if pendingQuote {
                pendingQuote = false
                if byte == 0x22 {
                    append(byte)
                    continue
                }
                quoted = false
            }
            if quoted {
                if byte == 0x22 {
                    pendingQuote = true
                } else {
                    if byte == 0x0A { line += 1 }
                    append(byte)
                }
                continue
            }
            switch byte {
            case 0x22 where fieldLength == 0: quoted = true
            case 0x2C: endField()
            case 0x0A, 0x0D:
                line += 1
                skipLF = byte == 0x0D
                try endRecord(emit)
            default: append(byte)
            }
        }
    }

    /// Ends the input: the last record when the file does not end with a line break, or the unterminated quote.
    mutating func finish(_ emit: (CSVRawRecord) throws -> Void) throws {
        guard started, problem == nil else { return }
        if quoted, !pendingQuote {
            problem = (recordLine, "unterminated quoted field (file ends inside quotes)")
            return
        }
        try endRecord(emit)
    }

    private var overLimit: Bool { recordBytes > maximumRecordBytes }

    private mutating func append(_ byte: UInt8) {
        fieldLength += 1
        if !overLimit { field.append(byte) }
    }

    private mutating func endField() {
        if overLimit {
            fields.removeAll()
        } else {
            fields.append(field)
        }
        field = []
        fieldLength = 0
    }

    private mutating func endRecord(_ emit: (CSVRawRecord) throws -> Void) throws {
        endField()
        let record: CSVRawRecord = overLimit ? .oversized(line: recordLine, byteCount: recordBytes) : .fields(line: recordLine, fields)
        fields = []
        recordBytes = 0
        started = false
        quoted = false
        pendingQuote = false
        recordLine = line
        try emit(record)
    }
}
