import Foundation
import Store
import TestSupport
import Testing
@testable import ArabicText
@testable import SilaCore

/// Issue 9, "the analyzer … never crash on any input": seeded random-input runs over the analyzer and the ingest
/// parsers. Each test feeds `FuzzInputs.iterations` inputs (20,000 by default; the full run is
/// `SILA_FUZZ_ITERATIONS=1000000 swift test --filter ReliabilityTests.Fuzz`) and checks properties, not just
/// survival: determinism, agreement with a reference, validity of everything accepted, and independence from
/// where a streaming reader's chunks end. A failure names the seed and the iteration, so it can be replayed.
@Suite struct FuzzTests {
    static func report(_ name: String, _ count: Int, since start: ContinuousClock.Instant) {
        let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        print("fuzz: \(name): \(count) inputs in \(String(format: "%.1f", seconds)) s")
    }

    /// Analyzer: the fused UTF-8 path equals the readable reference, twice the same, and every term is a
    /// non-empty normalized form (normalizing it again changes nothing) without spaces.
    @Test func analyzerNeverCrashesAndItsTermsAreNormalizedAndDeterministic() {
        let analyzer = Analyzer()
        var inputs = FuzzInputs(seed: 0x5114_0009_A001)
        let count = FuzzInputs.iterations
        let start = ContinuousClock.now
        var failures = 0
        for iteration in 0..<count {
            let text = inputs.text()
            let terms = analyzer.terms(text)
            let ok = terms == analyzer.terms(text) && terms == analyzer.referenceTerms(text)
                && terms.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) && analyzer.normalizer.normalize($0) == $0 }
            if !ok {
                failures += 1
                if failures <= 5 {
                    Issue.record("iteration \(iteration): \(text.unicodeScalars.map { String($0.value, radix: 16) }) → \(terms) vs reference \(analyzer.referenceTerms(text))")
                }
            }
        }
        #expect(failures == 0)
        Self.report("analyzer", count, since: start)
    }

    /// JSONL lines: whatever the line, a record or a reason; an accepted record is a valid article.
    @Test func jsonlLinesGiveAValidArticleOrAReason() throws {
        var inputs = FuzzInputs(seed: 0x5114_0009_A002)
        let templates = [
            #"{"id": "a-1", "title": "عنوان", "body": "<p>نص &amp; خبر</p>", "tags": ["x", "ي"], "published_at": "2024-05-01T10:00:00+03:00", "url": "https://x/1"}"#,
            #"{"id": "ب", "body": "نص\u0000", "category": null, "tags": "أ, ب"}"#,
        ] + FuzzInputs.snippets.filter { $0.hasPrefix("{") }.prefix(5)
        let count = FuzzInputs.iterations
        let start = ContinuousClock.now
        for iteration in 0..<count {
            let line: [UInt8] = iteration % 8 == 0 ? inputs.bytes() : inputs.mutated(templates[inputs.int(0...(templates.count - 1))])
            guard let record = JSONLRecord.parse(Data(line), file: "fuzz.jsonl", line: iteration + 1) else { continue }
            switch record {
            case .success(let article): try Self.checkValid(article, iteration: iteration)
            case .failure(let error): #expect(!error.reason.isEmpty && error.line == iteration + 1)
            }
        }
        Self.report("jsonl", count, since: start)
    }

    /// CSV: the records of a mutated file do not depend on how it is cut into reads, and every accepted article is
    /// valid.
    @Test func csvRecordsDoNotDependOnChunkingAndAreValid() throws {
        var inputs = FuzzInputs(seed: 0x5114_0009_A003)
        let template = "id,title,body,tags,published_at\r\n1,\"عنوان، مع فاصلة\",\"نص \"\"مقتبس\"\"\nعلى سطرين\",\"أ,ب\",2024-05-01\r\n2,ب,نص,,\r\n"
        let count = FuzzInputs.iterations
        let start = ContinuousClock.now
        for iteration in 0..<count {
            let file = iteration % 8 == 0 ? inputs.bytes() : inputs.mutated(template)
            let whole = try Self.csvEvents([file])
            let pieces = try Self.csvEvents(inputs.chunks(file))
            #expect(whole == pieces, "iteration \(iteration): \(file)")
            let columns = ["id", "title", "body", "tags", "published_at"]
            var parser = CSVParser()
            var records = [CSVRawRecord]()
            try file.withUnsafeBytes { try parser.feed($0) { records.append($0) } }
            try parser.finish { records.append($0) }
            for case .fields(let line, let values) in records.dropFirst() {
                if case .success(let article) = CSVRecords.parse(values, columns: columns, file: "fuzz.csv", line: line) {
                    try Self.checkValid(article, iteration: iteration)
                }
            }
        }
        Self.report("csv", count, since: start)
    }

    static func csvEvents(_ chunks: [[UInt8]]) throws -> [String] {
        var parser = CSVParser()
        var events = [String]()
        func record(_ raw: CSVRawRecord) {
            switch raw {
            case .fields(let line, let values): events.append("\(line): \(values)")
            case .oversized(let line, let count): events.append("\(line): oversized \(count)")
            }
        }
        for chunk in chunks { try chunk.withUnsafeBytes { try parser.feed($0, record) } }
        try parser.finish(record)
        if let problem = parser.problem { events.append("\(problem.line): \(problem.reason)") }
        return events
    }

    /// WXR: mutated exports are cut into the same items whatever the reads, and each item parses to a valid
    /// article, a reason, or nothing (not a published post), without a crash.
    @Test func wxrItemsDoNotDependOnChunkingAndParseToAValidArticleOrAReason() throws {
        var inputs = FuzzInputs(seed: 0x5114_0009_A004)
        let item = """
            <item><title>عنوان &amp; آخر</title><link>https://x/1</link>
            <content:encoded><![CDATA[<p>نص <b>الخبر</b></p>]]></content:encoded><wp:post_id>7</wp:post_id>
            <wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt><category domain="category"><![CDATA[سياسة]]></category>
            <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
            """
        let document = wxrDocument(doctype: "<!DOCTYPE rss [<!ENTITY x \"y\">]>\n", item + "\n<!-- note -->\n" + item)
        let count = FuzzInputs.iterations
        let start = ContinuousClock.now
        for iteration in 0..<count {
            let file = iteration % 16 == 0 ? inputs.bytes() : inputs.mutated(document)
            let whole = try Self.wxrEvents([file])
            #expect(whole.map(\.description) == (try Self.wxrEvents(inputs.chunks(file))).map(\.description), "iteration \(iteration)")
            for case .item(let line, let bytes, let prolog) in whole {
                if case .success(let article) = WXRRecords.parseItem(bytes, line: line, prolog: prolog, file: "fuzz.xml") {
                    try Self.checkValid(article, iteration: iteration)
                }
            }
        }
        Self.report("wxr", count, since: start)
    }

    static func wxrEvents(_ chunks: [[UInt8]]) throws -> [WXRItemScanner.Event] {
        var scanner = WXRItemScanner()
        var events = [WXRItemScanner.Event]()
        for chunk in chunks { try chunk.withUnsafeBytes { try scanner.feed($0) { events.append($0) } } }
        try scanner.finish { events.append($0) }
        return events
    }

    /// HTML to text and date parsing, the two field converters every format shares.
    @Test func markupAndDatesNeverCrashAndDatesRoundTrip() {
        var inputs = FuzzInputs(seed: 0x5114_0009_A005)
        let count = FuzzInputs.iterations
        let start = ContinuousClock.now
        for iteration in 0..<count {
            let html = iteration % 2 == 0 ? inputs.text() : String(decoding: inputs.mutated(inputs.snippet()), as: UTF8.self)
            let text = HTMLText.plainText(html)
            #expect(!text.contains("\n\n"), "iteration \(iteration)")
            let date = iteration % 3 == 0 ? inputs.scalars(maxCount: 30)
                : String(decoding: inputs.mutated("2024-05-01T10:00:00.250+03:00", syntax: Array("0123456789-+:.TZ ".utf8)), as: UTF8.self)
            if let normalized = ISODate.normalized(date) {
                #expect(normalized.utf8.count == 20 && ISODate.normalized(normalized) == normalized, "\(date) → \(normalized)")
            }
        }
        Self.report("html+dates", count, since: start)
    }

    /// What every accepted article must be, whatever the input.
    static func checkValid(_ article: Article, iteration: Int) throws {
        let context = "iteration \(iteration): \(article)"
        #expect(!article.id.isEmpty && article.id.count <= 256 && !article.id.contains(where: \.isNewline), "\(context)")
        #expect(!ArticleFields.isBlank(article.body), "\(context)")
        for field in [article.id, article.title, article.body, article.category ?? "", article.url ?? ""] + article.tags {
            #expect(!field.utf8.contains(0), "\(context)")
        }
        if let date = article.publishedAt { #expect(ISODate.normalized(date) == date, "\(context)") }
    }
}

extension WXRItemScanner.Event: CustomStringConvertible {
    public var description: String {
        switch self {
        case .item(let line, let bytes, let prolog): return "\(line): item \(bytes) \(prolog)"
        case .oversized(let line, let count): return "\(line): oversized \(count)"
        case .unterminated(let line, let reason): return "\(line): \(reason)"
        }
    }
}
