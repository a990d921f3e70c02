import Foundation
import Store
import TestSupport
@testable import SilaCore

/// A temporary directory with one database, for the hostile-input tests: write a file, ingest it, look at what was
/// reported and what was stored.
final class IngestFixture: @unchecked Sendable {
    let directory = TemporaryDirectory()
    let store: SilaStore

    init() throws {
        store = try SilaStore.open(path: directory.path("db.sqlite"), createIfMissing: true)
    }

    /// Writes `bytes` to a file named `name` in the fixture's directory and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: Data) throws -> String {
        let path = directory.path(name)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Ingests one file (format from its extension unless given).
    func ingest(_ path: String, format: InputFormat? = nil) throws -> IngestReport {
        try Ingestor(store: store).ingest(paths: [path], format: format)
    }

    /// Writes and ingests in one step.
    func ingest(_ name: String, _ text: String, format: InputFormat? = nil) throws -> IngestReport {
        try ingest(try write(name, text), format: format)
    }

    func ingest(_ name: String, bytes: Data, format: InputFormat? = nil) throws -> IngestReport {
        try ingest(try write(name, bytes), format: format)
    }

    /// Every stored article's title, body, tags, category and url, joined: where a leaked marker would show.
    func allStoredText() throws -> String {
        var text = ""
        try store.forEachArticleBatch { batch in
            for article in batch {
                text += [article.id, article.title, article.body, article.category ?? "", article.url ?? ""].joined(separator: "\n")
                text += article.tags.joined(separator: "\n") + "\n"
            }
        }
        return text
    }

    /// The rejections as line → reason.
    static func reasons(_ report: IngestReport) -> [Int: String] {
        Dictionary(report.rejected.map { ($0.line, $0.reason) }, uniquingKeysWith: { $0 + " | " + $1 })
    }
}

/// A WXR document around `items` (and an optional DOCTYPE), in the shape WordPress exports.
func wxrDocument(doctype: String = "", _ items: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    \(doctype)<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
    <channel>
    \(items)
    </channel>
    </rss>

    """
}

/// One published WXR post.
func wxrItem(id: String, title: String = "عنوان", body: String, date: String = "2024-05-01 10:00:00") -> String {
    """
    <item><title>\(title)</title><content:encoded>\(body)</content:encoded><wp:post_id>\(id)</wp:post_id>\
    <wp:post_date_gmt>\(date)</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
    """
}
