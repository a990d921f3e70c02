import Foundation
import TestSupport
import Testing

/// End-to-end runs of the built `sila` binary.
@Suite struct CLITests {
    let directory = TemporaryDirectory()
    var db: String { directory.path("cli.sqlite") }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func helpTeachesTheMainCommands() async throws {
        let result = try await CommandRunner.run(["--help"])
        #expect(result.status == 0)
        for command in ["ingest", "index", "related", "analyze", "export", "serve", "demo", "stats"] {
            #expect(result.stdout.contains(command), "help lacks \(command)")
        }
    }

    @Test func ingestReportsBadRecordsAsFileLineReasonAndExitsNonZero() async throws {
        let path = try write("mixed.jsonl", #"{"id": "1", "body": "نص"}"# + "\n" + #"{"id": "2"}"# + "\n")
        let result = try await CommandRunner.run(["ingest", "--db", db, path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2: missing required field 'body'"))
        #expect(result.stdout.contains("inserted 1, updated 0, unchanged 0, rejected 1"))
    }

    @Test func commandsOnAMissingDatabaseSayHowToCreateIt() async throws {
        let result = try await CommandRunner.run(["related", "--db", directory.path("none.sqlite"), "x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("sila ingest"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("none.sqlite")))
    }

    @Test func ingestIndexRelatedExportAndStatsWorkTogether() async throws {
        let ingest = try await CommandRunner.run(["ingest", "--db", db, RepositoryFiles.sampleArticles.path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let index = try await CommandRunner.run(["index", "--db", db, "--models-dir", directory.path("Models")])
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stdout.contains("indexed 67 articles"))
        #expect(index.stdout.contains("timings:"))

        let related = try await CommandRunner.run(["related", "--db", db, "pol-001", "-k", "3", "--json"])
        #expect(related.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(related.stdout.utf8)) as? [String: Any]
        #expect((object?["related"] as? [Any])?.count == 3)

        let table = try await CommandRunner.run(["related", "--db", db, "pol-001", "-k", "2"])
        #expect(table.stdout.contains("شاهد أيضاً"))

        let explained = try await CommandRunner.run(["related", "--db", db, "pol-001", "-k", "1", "--explain"])
        #expect(explained.stdout.contains("↳") && explained.stdout.contains("طرفاية"))

        let unknown = try await CommandRunner.run(["related", "--db", db, "nope"])
        #expect(unknown.status != 0 && unknown.stderr.contains("sila stats"))

        let export = try await CommandRunner.run(["export", "related", "--db", db])
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 67)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["id"] is String && first?["related"] is [Any])

        let stats = try await CommandRunner.run(["stats", "--db", db])
        #expect(stats.stdout.contains("articles      67"))
    }

    @Test func coldStartFromAFileDoesNotStoreIt() async throws {
        _ = try await CommandRunner.run(["ingest", "--db", db, RepositoryFiles.sampleArticles.path])
        _ = try await CommandRunner.run(["index", "--db", db, "--models-dir", directory.path("Models"), "--quiet"])
        let text = try write("draft.txt", "قمة طرفاية لدول الساحل الأطلسي حول الصيد البحري")
        let result = try await CommandRunner.run(["related", "--db", db, "--text", text, "-k", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let ids = (object?["related"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(ids.contains { $0.hasPrefix("pol-") })
    }

    @Test func analyzePrintsTokensForTextAndJSONLForArticles() async throws {
        let text = try await CommandRunner.run(["analyze", "وَقَّعَتِ الحكومةُ اتفاقيـــة جديدة عام ٢٠٢٥"])
        #expect(text.status == 0)
        #expect(text.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").contains("2025"))
        let input = Data((#"{"id": "a", "title": "عنوان", "body": "<p>نص الخبر</p>"}"# + "\n" + #"{"id": "b", "body": "ثان"}"# + "\n").utf8)
        let jsonl = try await CommandRunner.run(["analyze", "--jsonl"], stdin: input)
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["id"] as? String == "a")
        #expect(first?["title_tokens"] is [String] && first?["body_tokens"] is [String])
    }

    @Test func analyzeGivesTheSameTokensForEverySpellingOfOneText() async throws {
        let plain = try await CommandRunner.run(["analyze", "لا اتفاق على السلام في الخليج"]).stdout
        let vowelled = try await CommandRunner.run(["analyze", "لَا اِتِّفَاقَ عَلَى السَّلَامِ فِي الخَلِيجِ"]).stdout
        let stretched = try await CommandRunner.run(["analyze", "لا اتفـــاق على الســلام في الخـليج"]).stdout
        let presentation = try await CommandRunner.run(["analyze", "\u{FEFB} اتفاق على السلام في الخليج"]).stdout
        // Persian keheh and farsi yeh: «کرة» and «الخلیج».
        let persian = try await CommandRunner.run(["analyze", "لا اتفاق على السلام فی الخلیج"]).stdout
        #expect(!plain.isEmpty)
        #expect(vowelled == plain && stretched == plain && presentation == plain && persian == plain)
    }

    @Test func serveAnswersOnTheSocketAndSIGTERMRemovesIt() async throws {
        _ = try await CommandRunner.run(["ingest", "--db", db, RepositoryFiles.sampleArticles.path])
        _ = try await CommandRunner.run(["index", "--db", db, "--models-dir", directory.path("Models"), "--quiet"])
        let socket = directory.path("s.sock")
        let (server, exit) = try CommandRunner.start(["serve", "--db", db, "--socket", socket, "--answer-cache-mib", "0"])
        var response: UnixHTTPClient.Response? = nil
        for _ in 0..<200 where response == nil {
            response = try? await UnixHTTPClient.send(socket: socket, method: "GET", target: "/v1/articles/pol-001/related")
            if response == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        server.terminate()
        await exit.waitAsync()
        #expect(response?.status == 200)
        #expect(server.terminationReason == .exit)
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func serveRefusesAnAnswerCacheSizeOutOfRangeBeforeOpeningAnything() async throws {
        let result = try await CommandRunner.run(["serve", "--db", db, "--socket", directory.path("x.sock"), "--answer-cache-mib", "100000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--answer-cache-mib must be 0 to 65536"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("x.sock")))
    }

    @Test func demoBuildsTheSampleDatabaseAndPrintsBoxes() async throws {
        let result = try await CommandRunner.run(["demo", "--no-serve", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("شاهد أيضاً"))
        #expect(result.stdout.contains("inserted 67"))
    }

    @Test(.enabled(if: RepositoryFiles.devCorpusIsAvailable, "\(RepositoryFiles.devCorpusSkipReason)"))
    func theDevCorpusIngestsIndexesAndAnswers() async throws {
        let ingest = try await CommandRunner.run(["ingest", "--db", db, RepositoryFiles.devCorpus.path])
        #expect(ingest.status == 0)
        #expect(ingest.stdout.contains("inserted 11891"))
        let index = try await CommandRunner.run(["index", "--db", db, "--models-dir", directory.path("Models"), "--quiet"])
        #expect(index.status == 0, "\(index.stderr)")
        let related = try await CommandRunner.run(["related", "--db", db, "BB-middleEast-573-20180603", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(related.stdout.utf8)) as? [String: Any]
        #expect((object?["related"] as? [Any])?.count == 10)
    }
}
