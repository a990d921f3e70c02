import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Store

/// WordPress WXR exports (Tools → Export): each `item` with `wp:post_type` = post and `wp:status` = publish
/// becomes an article — id from `wp:post_id`, `title`, `content:encoded` (HTML), `wp:post_date_gmt`,
/// categories and tags from `category` elements (`domain="category"` / `"post_tag"`), `link` as url.
/// External entities are never resolved.
enum WXRRecords {
    static func read(data: Data, file: String, _ body: (ParsedRecord) throws -> Void) throws {
        // Fed as a stream, in chunks: on Linux `XMLParser(data:)` hands libxml2 the whole document as one chunk, and
        // past 10 MB libxml2 stops with "huge input lookup" (NSXMLParserErrorDomain error 1) — a large site's export.
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldResolveExternalEntities = false
        let delegate = WXRDelegate(file: file, parser: parser)
        parser.delegate = delegate
        let finished = parser.parse()
        for record in delegate.records { try body(record) }
        if let (line, reason) = delegate.pendingError {
            try body(.failure(RecordError(file: file, line: line, reason: reason)))
        } else if finished, let line = delegate.openItemLine {
            try body(.failure(RecordError(file: file, line: line, reason: "XML error: the file ends inside this item (truncated export?)")))
        } else if !finished, !delegate.reportedItemErrors {
            let reason = parser.parserError.map { "XML error: \(($0 as NSError).localizedDescription)" } ?? "XML error"
            try body(.failure(RecordError(file: file, line: parser.lineNumber, reason: reason)))
        }
    }
}

private final class WXRDelegate: NSObject, XMLParserDelegate {
    let file: String
    unowned let parser: XMLParser
    var records = [ParsedRecord]()
    private var item: [String: String]? = nil
    private var itemLine = 0
    private var categories = [String]()
    private var tags = [String]()
    private var categoryDomain: String? = nil
    private var text = ""
    /// The first XML error inside the current item: libxml2 recovers and goes on, but the item is not what was meant.
    private var itemError: (line: Int, reason: String)? = nil
    /// The first XML error outside any item.
    private var documentError: (line: Int, reason: String)? = nil
    private(set) var reportedItemErrors = false

    /// The line of an item still open when the document ended.
    var openItemLine: Int? { item == nil ? nil : itemLine }

    /// The first XML error that no rejected item accounts for: outside the items, or in an item the document ends in.
    var pendingError: (line: Int, reason: String)? { documentError ?? (item == nil ? nil : itemError) }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        let error = (line: parser.lineNumber, reason: "XML error: \((parseError as NSError).localizedDescription)")
        if item != nil {
            if itemError == nil { itemError = error }
        } else if documentError == nil {
            documentError = error
        }
    }

    init(file: String, parser: XMLParser) {
        self.file = file
        self.parser = parser
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        text = ""
        if name == "item" {
            item = [:]
            itemError = nil
            itemLine = parser.lineNumber
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
            finishItem()
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

    private func finishItem() {
        guard let item else { return }
        if let itemError {
            // Malformed markup inside the item: reject it where the error is rather than store a guess.
            records.append(.failure(RecordError(file: file, line: itemError.line, reason: itemError.reason)))
            reportedItemErrors = true
            return
        }
        let type = item["wp:post_type"]?.trimmingCharacters(in: .whitespaces) ?? "post"
        let status = item["wp:status"]?.trimmingCharacters(in: .whitespaces) ?? "publish"
        guard type == "post", status == "publish" else { return }
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
            records.append(.success(try ArticleFields.article(from: fields)))
        } catch {
            records.append(.failure(RecordError(file: file, line: itemLine, reason: error.reason)))
        }
    }
}
