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
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let delegate = WXRDelegate(file: file, parser: parser)
        parser.delegate = delegate
        let finished = parser.parse()
        for record in delegate.records { try body(record) }
        if finished, let line = delegate.openItemLine {
            try body(.failure(RecordError(file: file, line: line, reason: "XML error: the file ends inside this item (truncated export?)")))
        } else if !finished {
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

    /// The line of an item still open when the document ended.
    var openItemLine: Int? { item == nil ? nil : itemLine }

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
