import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Store

/// WordPress WXR exports (Tools → Export): each `item` with `wp:post_type` = post and `wp:status` = publish
/// becomes an article — id from `wp:post_id`, `title`, `content:encoded` (HTML), `wp:post_date_gmt`,
/// categories and tags from `category` elements (`domain="category"` / `"post_tag"`), `link` as url.
///
/// `WXRItemScanner` cuts the file into items as it is read; each item is parsed alone, inside a wrapper that
/// declares the export's namespaces and no DTD. So an item's XML error rejects that item only; the document's
/// DOCTYPE is never read (no external entity is fetched, no entity is expanded: an item that uses one is rejected
/// with the entity named); and memory holds one item.
enum WXRRecords {
    static func read(handle: FileHandle, file: String, _ body: (Int, ParsedRecord) throws -> Void) throws {
        var scanner = WXRItemScanner()
        var items = 0
        var reportedTruncation = false
        func event(_ event: WXRItemScanner.Event) throws {
            switch event {
            case .item(let line, let bytes, let prolog):
                items += 1
                if let record = parseItem(bytes, line: line, prolog: prolog, file: file) { try body(line, record) }
            case .oversized(let line, let byteCount):
                items += 1
                try body(line, .failure(RecordError(file: file, line: line, reason: RecordSize.tooLarge(byteCount, what: "item"))))
            case .unterminated(let line, let reason):
                items += 1
                reportedTruncation = reportedTruncation || reason.contains("truncated")
                try body(line, .failure(RecordError(file: file, line: line, reason: reason)))
            }
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try scanner.feed($0, event) }
        }
        try scanner.finish(event)
        if !scanner.sawRoot, items == 0 {
            try body(1, .failure(RecordError(file: file, line: 1, reason: "not a WordPress export: no <rss> element and no <item> found")))
        } else if scanner.sawRoot, !scanner.closedRoot, !reportedTruncation {
            try body(scanner.line, .failure(RecordError(
                file: file, line: scanner.line,
                reason: "XML error: the file ends before </rss> (truncated export? items after the last complete one are missing)")))
        }
    }

    /// The record of one item (nil for an item that is not a published post).
    static func parseItem(_ bytes: [UInt8], line: Int, prolog: String, file: String) -> ParsedRecord? {
        // Foundation's XMLParser on Linux traps (kills the process) on an element name that is not UTF-8, and
        // libxml2 lets such a name through, also when the export declares an encoding libxml2 cannot use: every
        // item is read as UTF-8 and bytes that are not UTF-8 never reach the parser. (WordPress exports UTF-8; an
        // export in another encoding is rejected item by item with the fix named: convert it, e.g. with iconv.)
        if let offset = firstInvalidUTF8(bytes) {
            let badLine = line + bytes[..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            return .failure(RecordError(file: file, line: badLine, reason: "XML error: not valid UTF-8 (convert the export to UTF-8, e.g. with iconv)"))
        }
        // The prolog sits on the item's first line, so the parser's line numbers are the file's, offset by `line`.
        var document = Array(prolog.utf8)
        document += bytes
        document += Array("</rss>".utf8)
        let parser = XMLParser(data: Data(document))
        parser.shouldResolveExternalEntities = false
        let delegate = WXRDelegate(file: file, firstLine: line, itemBytes: bytes)
        parser.delegate = delegate
        let finished = parser.parse()
        if let record = delegate.record { return record }
        if let (errorLine, reason) = delegate.firstError {
            return .failure(RecordError(file: file, line: errorLine, reason: reason))
        }
        if !finished {
            let reason = parser.parserError.map { WXRDelegate.describe($0, itemBytes: bytes) } ?? "XML error"
            return .failure(RecordError(file: file, line: line, reason: reason))
        }
        return nil
    }
}

/// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nil.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    if String(validating: bytes, as: UTF8.self) != nil { return nil }
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let encoded): offset += encoded.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}

/// Collects the fields of one item (the document holds exactly one).
private final class WXRDelegate: NSObject, XMLParserDelegate {
    let file: String
    let firstLine: Int
    let itemBytes: [UInt8]
    /// The item's article or rejection, once its `</item>` was read.
    var record: ParsedRecord? = nil
    /// The first XML error: libxml2 recovers from some and goes on, but the item is then not what was meant.
    private(set) var firstError: (line: Int, reason: String)? = nil
    private var item: [String: String]? = nil
    private var categories = [String]()
    private var tags = [String]()
    private var categoryDomain: String? = nil
    private var text = ""

    init(file: String, firstLine: Int, itemBytes: [UInt8]) {
        self.file = file
        self.firstLine = firstLine
        self.itemBytes = itemBytes
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if firstError == nil {
            firstError = (firstLine + max(0, parser.lineNumber - 1), Self.describe(parseError, itemBytes: itemBytes))
        }
    }

    /// Words for libxml2's error numbers (Foundation on Linux passes the number without libxml2's message).
    static func describe(_ error: Error, itemBytes: [UInt8]) -> String {
        let code = (error as NSError).code
        let words: String
        switch code {
        case 26, 27:
            let names = undefinedEntities(in: itemBytes)
            let list = names.isEmpty ? "an entity" : names.prefix(3).map { "&\($0);" }.joined(separator: ", ")
            words = "undefined entity \(list): a WordPress export has no DTD, so only &amp; &lt; &gt; &quot; &apos; and "
                + "character references (&#1589;) are read; entities are never expanded or fetched"
        case 89: words = "recursive entity reference"
        case 9: words = "a character XML does not allow (a control character or NUL)"
        case 81, 31, 32: words = "not valid UTF-8 (convert the export to UTF-8)"
        case 23, 22, 68: words = "a bare '&' (write &amp;) or an unfinished entity reference"
        case 5, 77, 73: words = "the item's markup is cut short or a tag is not finished"
        case 76: words = "a closing tag does not match the open element"
        case 1: words = "the item is nested too deeply or too large for the XML parser"
        default: words = "malformed XML (libxml2 error \(code))"
        }
        return "XML error: \(words)"
    }

    /// Named entity references other than XML's five, in order of first use.
    static func undefinedEntities(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let expression = try? NSRegularExpression(pattern: #"&([A-Za-z_:][A-Za-z0-9_.:\-]*);"#) else { return [] }
        var names = [String]()
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range(at: 1), in: text) else { continue }
            let name = String(text[range])
            if !["amp", "lt", "gt", "quot", "apos"].contains(name), !names.contains(name) { names.append(name) }
        }
        return names
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        text = ""
        if name == "item" {
            item = [:]
            categories = []
            tags = []
        } else if name == "category" {
            categoryDomain = attributes["domain"]
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard item != nil else { return }
        switch name {
        case "item":
            record = finishItem()
            item = nil
        case "category":
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { categoryDomain == "post_tag" ? tags.append(value) : categories.append(value) }
        default:
            item?[qualifiedName ?? name] = text
            item?[name] = text
        }
        text = ""
    }

    private func finishItem() -> ParsedRecord? {
        guard let item else { return nil }
        if let firstError {
            // Malformed markup inside the item: reject it where the error is rather than store a guess.
            return .failure(RecordError(file: file, line: firstError.line, reason: firstError.reason))
        }
        let type = item["wp:post_type"]?.trimmingCharacters(in: .whitespaces) ?? "post"
        let status = item["wp:status"]?.trimmingCharacters(in: .whitespaces) ?? "publish"
        guard type == "post", status == "publish" else { return nil }
        var fields: [String: Any] = [:]
        fields["id"] = item["wp:post_id"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        fields["title"] = item["title"]
        fields["body"] = item["content:encoded"]
        fields["url"] = item["link"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let date = item["wp:post_date_gmt"]?.trimmingCharacters(in: .whitespaces), !date.isEmpty,
            !date.hasPrefix("0000")
        {
            // WXR writes "2024-05-01 10:00:00" in UTC.
            fields["published_at"] = date.contains("T") ? date : date.replacingOccurrences(of: " ", with: "T") + "Z"
        }
        fields["category"] = categories.first
        fields["tags"] = tags
        do {
            return .success(try ArticleFields.article(from: fields))
        } catch {
            return .failure(RecordError(file: file, line: firstLine, reason: error.reason))
        }
    }
}
