import Foundation
import Store
import TestSupport
import Testing

/// Issue 9, "a 100 MB single line": `sila ingest` of a file whose one record is 100 MB keeps its memory far below
/// the record's size (the record is counted and skipped, never held), in each format, and stores the rest.
@Suite(.serialized) struct MemoryBoundTests {
    let directory = TemporaryDirectory()

    /// Writes `head`, then 100 MB of Arabic words, then `tail`, without holding the file in memory.
    func writeHuge(_ name: String, head: String, tail: String) throws -> String {
        let path = directory.path(name)
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(Data(head.utf8))
        let block = Data(String(repeating: "كلمة ", count: 10_000).utf8)
        for _ in 0..<(100_000_000 / block.count) { handle.write(block) }
        handle.write(Data(tail.utf8))
        try handle.close()
        return path
    }

    /// What the huge record may add to the peak: a few 1 MiB read chunks and the 8 MiB record limit, far below the
    /// 100 MB that holding the record (let alone decoding it) would cost.
    static let extraLimitMiB = 32.0

    @Test(.enabled(if: Sila.canMeasureMemory, "skipped: needs python3 to measure a child's peak memory"), arguments: ["jsonl", "csv", "xml"])
    func aHundredMegabyteRecordCostsBoundedMemory(format: String) throws {
        let path: String
        switch format {
        case "jsonl":
            path = try writeHuge(
                "huge.jsonl", head: #"{"id": "before", "body": "نص"}"# + "\n" + #"{"id": "huge", "body": ""#,
                tail: "\"}\n" + #"{"id": "after", "body": "نص"}"# + "\n")
        case "csv":
            path = try writeHuge("huge.csv", head: "id,body\nbefore,نص\nhuge,\"", tail: "\"\nafter,نص\n")
        default:
            path = try writeHuge(
                "huge.xml", head: wxrDocument(wxrItem(id: "1", body: "نص") + "\n<item><title>x</title><content:encoded>").components(separatedBy: "\n</channel>")[0],
                tail: "</content:encoded><wp:post_id>2</wp:post_id></item>\n" + wxrItem(id: "3", body: "نص") + "\n</channel>\n</rss>\n")
        }
        let db = directory.path("huge-\(format).sqlite")
        let run = try Sila.measured(["ingest", "--db", db, path], in: directory)
        // The same command on a file of the same shape without the huge record: what memory costs anyway.
        let small = directory.path("small.\(format)")
        let smallText: String
        switch format {
        case "jsonl": smallText = #"{"id": "before", "body": "نص"}"# + "\n"
        case "csv": smallText = "id,body\nbefore,نص\n"
        default: smallText = wxrDocument(wxrItem(id: "1", body: "نص"))
        }
        try smallText.write(toFile: small, atomically: true, encoding: .utf8)
        let baseline = try Sila.measured(["ingest", "--db", directory.path("small-\(format).sqlite"), small], in: directory)
        print("memory: sila ingest of a 100 MB \(format) record: peak \(String(format: "%.1f", run.peakMiB)) MiB "
            + "(\(String(format: "%.1f", baseline.peakMiB)) MiB for a tiny file) in \(String(format: "%.1f", run.seconds)) s")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("MiB limit"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.peakMiB - baseline.peakMiB < Self.extraLimitMiB, "peak \(run.peakMiB) MiB, \(baseline.peakMiB) MiB without the record")
        let store = try SilaStore.open(path: db, createIfMissing: false)
        #expect(try store.articleCount() == 2)
        try store.close()
        try FileManager.default.removeItem(atPath: path)
    }
}
