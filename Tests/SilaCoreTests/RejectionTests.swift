import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

/// Issue 6: every rejection reason reported as FILE:LINE: reason, in CSV and WXR as in JSONL (IngestTests covers
/// JSONL: missing id, missing body, invalid JSON, wrong types, unparsable date, each with its line). CSV and WXR have
/// no types (every value is text), so their "wrong types" are the shapes a value can still get wrong: a record with the
/// wrong number of fields, an id with a line break, a body that is only markup.
@Suite struct RejectionTests {
    let directory = TemporaryDirectory()

    func ingest(_ name: String, _ text: String) throws -> (report: IngestReport, store: SilaStore, path: String) {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let store = try SilaStore.open(path: directory.path("\(name).sqlite"), createIfMissing: true)
        return (try Ingestor(store: store).ingest(paths: [path], format: nil), store, path)
    }

    /// The rejections as line → reason, each checked to read `PATH:LINE: reason`.
    func reasons(_ report: IngestReport, path: String) -> [Int: String] {
        for error in report.rejected { #expect(error.description == "\(path):\(error.line): \(error.reason)") }
        return Dictionary(report.rejected.map { ($0.line, $0.reason) }, uniquingKeysWith: { $0 + " | " + $1 })
    }

    @Test func csvRejectionsNameTheirLine() throws {
        let (report, store, path) = try ingest(
            "bad.csv",
            "id,title,body,published_at\r\n"  // 1
                + "1,عنوان,نص سليم,2024-05-01T10:00:00Z\r\n"  // 2
                + ",بلا معرف,نص,\r\n"  // 3: missing id
                + "3,بلا نص,,\r\n"  // 4: missing body
                + "4,تاريخ,نص,الثلاثاء القادم\r\n"  // 5: unparsable date
                + "5,\"عنوان\r\nعلى سطرين\",\"نص\r\nعلى سطرين\",2024-05-02\r\n"  // 6–8: fine, spans three lines
                + "6,حقول ناقصة\r\n"  // 9: wrong number of fields
                + "\"7\r\n8\",معرف بسطرين,نص,\r\n"  // 10–11: an id with a line break
                + "9,وسوم فقط,<p> </p>,\r\n"  // 12: body empty after removing markup
                + "10,الأخير,نص أخير,2024-13-40\r\n"  // 13: unparsable date
                + "11,سليم,نص,\r\n")  // 14
        let lines = reasons(report, path: path)
        #expect(lines[3]?.contains("missing required field 'id'") == true, "\(lines)")
        #expect(lines[4]?.contains("missing required field 'body'") == true)
        #expect(lines[5]?.contains("field 'published_at'") == true)
        #expect(lines[9]?.contains("expected 4 fields as in the header, got 2") == true)
        #expect(lines[10]?.contains("field 'id': contains a line break") == true)
        #expect(lines[12]?.contains("field 'body': empty after removing markup") == true)
        #expect(lines[13]?.contains("field 'published_at'") == true)
        #expect(report.rejected.count == 7)
        #expect(report.counts.inserted == 3)
        #expect(Set(try store.articleIDs()) == ["1", "5", "11"])
        #expect(try store.article(id: "5")?.title == "عنوان\r\nعلى سطرين")
    }

    @Test func csvWithoutAnIDOrBodyColumnRejectsEveryRecord() throws {
        let (report, _, path) = try ingest("no-id.csv", "title,body\nأ,نص\nب,نص\n")
        #expect(reasons(report, path: path) == [2: "missing required field 'id'", 3: "missing required field 'id'"])
        let (noBody, _, bodyPath) = try ingest("no-body.csv", "id,title\n1,أ\n")
        #expect(reasons(noBody, path: bodyPath) == [2: "missing required field 'body'"])
    }

    @Test func csvEndingInsideQuotesIsReportedAtTheRecordsFirstLine() throws {
        let (report, store, path) = try ingest("cut.csv", "id,body\n1,نص\n2,\"نص مقطوع\nبلا علامة إغلاق\n")
        let lines = reasons(report, path: path)
        #expect(lines[3]?.contains("unterminated quoted field") == true, "\(lines)")
        #expect(report.rejected.count == 1)
        #expect(try store.articleIDs() == ["1"])
    }

    @Test func wxrRejectionsNameTheLineOfTheirItem() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel>
            <item>
              <title>سليم</title><content:encoded><![CDATA[<p>نص</p>]]></content:encoded>
              <wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
              <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>بلا معرف</title><content:encoded><![CDATA[<p>نص</p>]]></content:encoded>
              <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>بلا نص</title><wp:post_id>3</wp:post_id>
              <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>تاريخ</title><content:encoded><![CDATA[<p>نص</p>]]></content:encoded>
              <wp:post_id>4</wp:post_id><wp:post_date_gmt>2024-02-31 25:61:00</wp:post_date_gmt>
              <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>وسوم فقط</title><content:encoded><![CDATA[<p><img src="x.jpg"></p><script>x()</script>]]></content:encoded>
              <wp:post_id>5</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            <item>
              <title>بلا تاريخ نشر</title><content:encoded><![CDATA[<p>مسودة قديمة نشرت</p>]]></content:encoded>
              <wp:post_id>6</wp:post_id><wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
              <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item>
            </channel>
            </rss>
            """
        let (report, store, path) = try ingest("bad.xml", xml)
        let lines = reasons(report, path: path)
        #expect(lines[9]?.contains("missing required field 'id'") == true, "\(lines)")
        #expect(lines[13]?.contains("missing required field 'body'") == true)
        #expect(lines[17]?.contains("field 'published_at'") == true)
        #expect(lines[22]?.contains("field 'body': empty after removing markup") == true)
        #expect(report.rejected.count == 4)
        #expect(Set(try store.articleIDs()) == ["1", "6"])
        #expect(try store.article(id: "6")?.publishedAt == nil)
    }

    /// libxml2 (behind Foundation's XMLParser on Linux) recovers from a bare `&` and goes on: the item used to be
    /// stored with its text silently changed, and the error reported at the last line of the file.
    @Test func malformedMarkupRejectsItsItemAtItsLineAndKeepsTheOthers() throws {
        let xml = """
            <rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel>
            <item><title>أ</title><content:encoded>نص</content:encoded><wp:post_id>1</wp:post_id></item>
            <item><title>ب</title><content:encoded>نص & بلا ترميز</content:encoded><wp:post_id>2</wp:post_id></item>
            <item><title>ج</title><content:encoded>نص</content:encoded><wp:post_id>3</wp:post_id></item>
            </channel>
            </rss>
            """
        let (report, store, path) = try ingest("malformed.xml", xml)
        let lines = reasons(report, path: path)
        #expect(lines[4]?.contains("XML error") == true, "\(lines)")
        #expect(report.rejected.count == 1)
        #expect(try store.articleIDs() == ["1", "3"])
    }
}
