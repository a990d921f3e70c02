import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

@Suite struct IngestTests {
    let directory = TemporaryDirectory()

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func ingest(_ paths: [String], format: InputFormat? = nil) throws -> (IngestReport, SilaStore) {
        let store = try SilaStore.open(path: directory.path("db.sqlite"), createIfMissing: true)
        return (try Ingestor(store: store).ingest(paths: paths, format: format), store)
    }

    @Test func jsonlRecordsAreUpsertedAndBadOnesReportedWithTheirLineNumbers() throws {
        let path = try write(
            "a.jsonl",
            """
            {"id": "1", "title": "عنوان", "body": "نص أول", "published_at": "2024-05-01T10:00:00Z", "tags": ["x"]}
            {"id": "2", "body": "نص ثان"}
            {"title": "no id", "body": "x"}
            {"id": "4"}
            {"id": "5", "body": "x", "published_at": "next tuesday"}
            not json at all

            {"id": 6, "body": "x"}
            ["an", "array"]
            {"id": "7", "body": "x", "tags": [1, 2]}
            {"id": "8", "body": "<p>نص <b>بتنسيق</b></p>"}
            """)
        let (report, store) = try ingest([path])
        #expect(report.counts.inserted == 3)
        let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.line, $0.reason) })
        #expect(reasons[3]?.contains("missing required field 'id'") == true)
        #expect(reasons[4]?.contains("missing required field 'body'") == true)
        #expect(reasons[5]?.contains("published_at") == true)
        #expect(reasons[6]?.contains("invalid JSON") == true)
        #expect(reasons[8]?.contains("field 'id': expected a string, got a number") == true)
        #expect(reasons[9]?.contains("expected a JSON object") == true)
        #expect(reasons[10]?.contains("field 'tags'") == true)
        #expect(report.rejected.count == 7)
        #expect(report.rejected.allSatisfy { $0.description.hasPrefix("\(path):\($0.line): ") })
        #expect(try store.article(id: "8")?.body == "نص بتنسيق")
        #expect(try store.article(id: "1")?.publishedAt == "2024-05-01T10:00:00Z")
    }

    @Test func reIngestingTheSameFileChangesNothing() throws {
        let path = try write("b.jsonl", #"{"id": "1", "body": "نص"}"# + "\n" + #"{"id": "2", "body": "نص"}"#)
        _ = try ingest([path])
        let (again, _) = try ingest([path])
        #expect(again.counts.unchanged == 2 && again.counts.inserted == 0 && again.counts.updated == 0)
    }

    @Test func csvWithBOMQuotesAndMultiLineFieldsIsRead() throws {
        let path = try write(
            "c.csv",
            "\u{FEFF}id,title,body,category,tags,published_at\n"
                + "1,\"عنوان, بفاصلة\",\"سطر أول\nسطر \"\"ثان\"\"\",politics,\"a, b\",2024-01-02\n"
                + "2,,بلا عنوان,,,\n"
                + "3,x\n"
                + "4,t,,c,,\n")
        let (report, store) = try ingest([path])
        #expect(report.counts.inserted == 2)
        let first = try store.article(id: "1")
        #expect(first?.title == "عنوان, بفاصلة")
        #expect(first?.body == "سطر أول\nسطر \"ثان\"")
        #expect(first?.tags == ["a", "b"])
        #expect(first?.publishedAt == "2024-01-02T00:00:00Z")
        #expect(report.rejected.map(\.line) == [5, 6])
        #expect(report.rejected[0].reason.contains("expected 6 fields"))
        #expect(report.rejected[1].reason.contains("body"))
    }

    @Test func wordpressExportsYieldPublishedPostsOnly() throws {
        let path = try write(
            "site.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel>
            <item>
              <title>افتتاح معرض الكتاب</title>
              <link>https://news.example/book-fair</link>
              <content:encoded><![CDATA[<p>افتتح <strong>معرض</strong> الكتاب&nbsp;اليوم.</p><script>track()</script><p>فقرة ثانية</p>]]></content:encoded>
              <wp:post_id>101</wp:post_id>
              <wp:post_date_gmt>2024-03-05 08:30:00</wp:post_date_gmt>
              <wp:status>publish</wp:status>
              <wp:post_type>post</wp:post_type>
              <category domain="category" nicename="culture"><![CDATA[ثقافة]]></category>
              <category domain="post_tag" nicename="books"><![CDATA[كتب]]></category>
            </item>
            <item>
              <title>مسودة</title><content:encoded><![CDATA[<p>لم تنشر</p>]]></content:encoded>
              <wp:post_id>102</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>من نحن</title><content:encoded><![CDATA[<p>صفحة</p>]]></content:encoded>
              <wp:post_id>103</wp:post_id><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
            </item>
            <item>
              <title>بلا نص</title><content:encoded><![CDATA[]]></content:encoded>
              <wp:post_id>104</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            </channel>
            </rss>
            """)
        let (report, store) = try ingest([path])
        #expect(report.counts.inserted == 1)
        #expect(report.rejected.count == 1)
        #expect(report.rejected.first?.reason.contains("body") == true)
        let post = try #require(try store.article(id: "101"))
        #expect(post.body == "افتتح معرض الكتاب اليوم.\nفقرة ثانية")
        #expect(post.category == "ثقافة")
        #expect(post.tags == ["كتب"])
        #expect(post.url == "https://news.example/book-fair")
        #expect(post.publishedAt == "2024-03-05T08:30:00Z")
    }

    @Test func aTruncatedWordpressExportKeepsTheCompleteItemsAndReportsTheError() throws {
        let path = try write(
            "cut.xml",
            """
            <rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
            <item><title>أ</title><content:encoded>نص كامل</content:encoded><wp:post_id>1</wp:post_id></item>
            <item><title>ب</title><content:encoded>نص مقطو
            """)
        let (report, _) = try ingest([path])
        #expect(report.counts.inserted == 1)
        #expect(report.rejected.first?.reason.contains("XML error") == true)
    }

    @Test func anUnknownExtensionWithoutFormatIsAClearError() throws {
        let path = try write("articles.txt", "x")
        #expect { try ingest([path]) } throws: { "\($0)".contains("--format") }
    }

    @Test func aMissingFileIsAClearError() throws {
        #expect { try ingest([directory.path("nope.jsonl")]) } throws: { "\($0)".contains("no such file") }
    }
}

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("<p>أ</p><p>ب</p>", "أ\nب"),
        ("نص<br>سطر", "نص\nسطر"),
        ("a &amp; b &lt;c&gt; &quot;d&quot; &#1605;&#x635;", "a & b <c> \"d\" مص"),
        ("<script>var x = '<p>';</script>نص", "نص"),
        ("<STYLE>p { color: red }</STYLE>نص", "نص"),
        ("صافي &unknown; و &", "صافي &unknown; و &"),
        ("<a href=\"x\">رابط</a> هنا", "رابط هنا"),
    ])
    func markupBecomesText(html: String, text: String) {
        #expect(HTMLText.plainText(html) == text)
    }
}

@Suite struct LineReaderTests {
    @Test(arguments: [1, 2, 7, 64, 1 << 20])
    func linesAreTheSameWhateverTheChunkSizeAndTheBOMIsDropped(chunkSize: Int) throws {
        let directory = TemporaryDirectory()
        let text = "\u{FEFF}{\"id\": \"1\"}\n\nسطر عربي طويل نوعا ما\n{\"x\": 2}\nآخر سطر بلا نهاية"
        let path = directory.path("lines.jsonl")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        var lines = [(Int, String)]()
        try LineReader(handle: handle, chunkSize: chunkSize).forEachLine { lines.append(($0, String(decoding: $1, as: UTF8.self))) }
        #expect(lines.map(\.0) == [1, 2, 3, 4, 5])
        #expect(lines.map(\.1) == ["{\"id\": \"1\"}", "", "سطر عربي طويل نوعا ما", "{\"x\": 2}", "آخر سطر بلا نهاية"])
    }
}
