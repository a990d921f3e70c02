import Foundation
import Store

/// CSV with a header row (RFC 4180: fields may be quoted, `""` is a quote, quoted fields may span lines),
/// UTF-8 with or without BOM. Column names are the article JSON field names; `tags` is comma-separated.
enum CSVRecords {
    static func read(handle: FileHandle, file: String, _ body: (ParsedRecord) throws -> Void) throws {
        var data = handle.readDataToEndOfFile()
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        var parser = CSVParser(text: String(decoding: data, as: UTF8.self))
        guard let (_, header) = parser.nextRecord() else { return }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        while let (line, values) = parser.nextRecord() {
            if values.count == 1, values[0].isEmpty { continue }
            guard values.count == columns.count else {
                try body(.failure(RecordError(file: file, line: line, reason: "expected \(columns.count) fields as in the header, got \(values.count)")))
                continue
            }
            var fields = [String: Any]()
            for (column, value) in zip(columns, values) where !value.isEmpty { fields[column] = value }
            do {
                try body(.success(try ArticleFields.article(from: fields)))
            } catch let error as FieldError {
                try body(.failure(RecordError(file: file, line: line, reason: error.reason)))
            }
        }
        if let problem = parser.problem { try body(.failure(RecordError(file: file, line: problem.line, reason: problem.reason))) }
    }
}

/// An RFC 4180 record splitter that reports the line each record starts on.
struct CSVParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private(set) var problem: (line: Int, reason: String)?

    init(text: String) { scalars = Array(text.unicodeScalars) }

    mutating func nextRecord() -> (line: Int, fields: [String])? {
        guard position < scalars.count, problem == nil else { return nil }
        let startLine = line
        var fields = [String]()
        var field = String.UnicodeScalarView()
        var quoted = false
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            if quoted {
                if scalar == "\"" {
                    if position < scalars.count, scalars[position] == "\"" {
                        field.append("\"")
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
            } else if scalar == "\"", field.isEmpty {
                quoted = true
            } else if scalar == "," {
                fields.append(String(field))
                field = String.UnicodeScalarView()
            } else if scalar == "\n" || scalar == "\r" {
                if scalar == "\r", position < scalars.count, scalars[position] == "\n" { position += 1 }
                line += 1
                fields.append(String(field))
                return (startLine, fields)
            } else {
                field.append(scalar)
            }
        }
        if quoted {
            problem = (startLine, "unterminated quoted field (file ends inside quotes)")
            return nil
        }
        fields.append(String(field))
        return (startLine, fields)
    }
}
