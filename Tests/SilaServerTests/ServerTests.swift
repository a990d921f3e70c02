import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport
import Testing

@Suite(.serialized) struct ServerTests {
    @Test func healthAnswersWithCountsAndTheModel() async throws {
        let server = try await RunningServer()
        let response = try await server.request("GET", "/v1/health")
        await server.stop()
        #expect(response.status == 200)
        #expect(response.json?["status"] as? String == "ok")
        #expect(response.json?["articles"] as? Int == 67)
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
    }

    @Test func relatedReturnsTheStoredListWithTitlesURLsAndDates() async throws {
        let server = try await RunningServer()
        let response = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        let expected = try server.store.relatedList(of: "pol-001").prefix(3).map(\.id)
        await server.stop()
        #expect(response.status == 200)
        let related = try #require(response.json?["related"] as? [[String: Any]])
        #expect(related.map { $0["id"] as? String } == expected)
        #expect(related.allSatisfy { $0["title"] is String && $0["url"] is String && $0["published_at"] is String && $0["score"] is Double })
        #expect(response.json?["model"] is String)
    }

    @Test(arguments: [
        ("GET", "/v1/articles/no-such-article/related", 404, "not_found"),
        ("GET", "/v1/articles/pol-001/related?k=0", 400, "bad_request"),
        ("GET", "/v1/articles/pol-001/related?k=101", 400, "bad_request"),
        ("GET", "/v1/articles/pol-001/related?k=ten", 400, "bad_request"),
        ("GET", "/v1/nothing-here", 404, "not_found"),
        ("DELETE", "/v1/articles/no-such-article", 404, "not_found"),
        ("GET", "/v1/jobs/999", 404, "not_found"),
        ("GET", "/v1/jobs/abc", 400, "bad_request"),
    ])
    func errorsAnswerJSONWithAStableCode(method: String, target: String, status: Int, code: String) async throws {
        let server = try await RunningServer()
        let response = try await server.request(method, target)
        await server.stop()
        #expect(response.status == status)
        let error = response.json?["error"] as? [String: Any]
        #expect(error?["code"] as? String == code)
        #expect((error?["message"] as? String)?.isEmpty == false)
    }

    @Test func aPutArticleGetsItsListAndAppearsInTheListOfTheArticleItCopies() async throws {
        let server = try await RunningServer()
        let source = try #require(try server.store.article(id: "eco-001"))
        let body = try JSONSerialization.data(withJSONObject: [
            "title": source.title, "body": source.body, "category": source.category ?? "", "published_at": "2025-12-01T10:00:00Z",
        ])
        let created = try await server.request("PUT", "/v1/articles/eco-001-reprint", json: String(decoding: body, as: UTF8.self))
        let again = try await server.request("PUT", "/v1/articles/eco-001-reprint", json: String(decoding: body, as: UTF8.self))
        let other = try await server.request("GET", "/v1/articles/eco-001/related?k=1")
        await server.stop()
        #expect(created.status == 201)
        #expect((created.json?["related"] as? [[String: Any]])?.first?["id"] as? String == "eco-001")
        #expect(again.status == 200)
        #expect((other.json?["related"] as? [[String: Any]])?.first?["id"] as? String == "eco-001-reprint")
    }

    @Test(arguments: [
        ("not json", 400, "bad_request"),
        ("[1, 2]", 400, "bad_request"),
        (#"{"title": "بلا نص"}"#, 422, "invalid_article"),
        (#"{"id": "another-id", "body": "نص"}"#, 422, "invalid_article"),
        (#"{"body": "نص", "published_at": "غدا"}"#, 422, "invalid_article"),
    ])
    func invalidArticlesAreRejectedAndNothingIsStored(json: String, status: Int, code: String) async throws {
        let server = try await RunningServer()
        let response = try await server.request("PUT", "/v1/articles/bad-1", json: json)
        let stored = try server.store.article(id: "bad-1")
        await server.stop()
        #expect(response.status == status)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == code)
        #expect(stored == nil)
    }

    @Test func aBodyOverTwoMebibytesIsRefusedWith413() async throws {
        let server = try await RunningServer()
        let huge = #"{"body": ""# + String(repeating: "ا", count: 1_100_000) + #""}"#
        let response = try await server.request("PUT", "/v1/articles/huge", json: huge)
        await server.stop()
        #expect(response.status == 413)
    }

    @Test func deleteRemovesTheArticleFromEveryList() async throws {
        let server = try await RunningServer()
        let listing = try server.store.articlesListing("spo-001")
        let deleted = try await server.request("DELETE", "/v1/articles/spo-001")
        let gone = try await server.request("GET", "/v1/articles/spo-001/related")
        var stillListed = [String]()
        for id in listing {
            let list = try await server.request("GET", "/v1/articles/\(id)/related?k=100").json?["related"] as? [[String: Any]] ?? []
            if list.contains(where: { $0["id"] as? String == "spo-001" }) { stillListed.append(id) }
        }
        await server.stop()
        #expect(!listing.isEmpty)
        #expect(deleted.status == 204)
        #expect(gone.status == 404)
        #expect(stillListed.isEmpty)
    }

    @Test func explainAddsTheSharedWordsToEachSuggestion() async throws {
        let server = try await RunningServer()
        let plain = try await server.request("GET", "/v1/articles/pol-001/related?k=2")
        let explained = try await server.request("GET", "/v1/articles/pol-001/related?k=2&explain=1")
        await server.stop()
        #expect((plain.json?["related"] as? [[String: Any]])?.first?["explanation"] == nil)
        let first = try #require((explained.json?["related"] as? [[String: Any]])?.first)
        let terms = try #require(first["explanation"] as? [[String: Any]])
        #expect(terms.count == 5)
        #expect(terms.allSatisfy { $0["word"] is String && $0["term"] is String && $0["contribution"] is Double })
    }

    @Test func coldStartAnswersForAnUnstoredText() async throws {
        let server = try await RunningServer()
        let source = try #require(try server.store.article(id: "tec-001"))
        let body = try JSONSerialization.data(withJSONObject: ["title": source.title, "body": source.body])
        let response = try await server.request("POST", "/v1/related?k=2", json: String(decoding: body, as: UTF8.self))
        let count = try server.store.articleCount()
        await server.stop()
        #expect(response.status == 200)
        #expect((response.json?["related"] as? [[String: Any]])?.first?["id"] as? String == "tec-001")
        #expect(count == 67)
    }

    @Test func aRecomputeRunsInTheBackgroundAndItsJobFinishes() async throws {
        let server = try await RunningServer()
        let accepted = try await server.request("POST", "/v1/recompute")
        let job = try #require(accepted.json?["job"] as? Int)
        var state = ""
        for _ in 0..<300 {
            state = try await server.request("GET", "/v1/jobs/\(job)").json?["state"] as? String ?? ""
            if state != "running" { break }
            // Reads keep being answered while it runs.
            let duringRecompute = try await server.request("GET", "/v1/articles/pol-001/related").status
            #expect(duringRecompute == 200)
            try await Task.sleep(for: .milliseconds(50))
        }
        let record = try await server.request("GET", "/v1/jobs/\(job)").json ?? [:]
        await server.stop()
        #expect(accepted.status == 202)
        #expect(state == "done")
        #expect(Set(record.keys) == ["id", "kind", "state", "progress", "started_at", "finished_at"], "keys: \(record.keys.sorted())")
    }

    /// PUTs and DELETEs go on through a recompute: none is refused, and after the swap every acknowledged write is
    /// in the stored lists (the recompute folds in what was written while it ran).
    @Test func writesDuringARecomputeAreNeitherRefusedNorLost() async throws {
        let server = try await RunningServer()
        let sources = try server.store.articleIDs().sorted()
        let accepted = try await server.request("POST", "/v1/recompute")
        let job = try #require(accepted.json?["job"] as? Int)
        var written = [String]()
        var deleted = [String]()
        var statuses = [Int]()
        var state = "running"
        var step = 0
        while state == "running" || step < 8 {
            let source = try #require(try server.store.article(id: sources[step % sources.count]))
            if step % 4 == 3, let victim = written.popLast() {
                statuses.append(try await server.request("DELETE", "/v1/articles/\(victim)").status)
                deleted.append(victim)
            } else {
                let id = "during-recompute-\(step)"
                let body = try JSONSerialization.data(withJSONObject: ["title": source.title, "body": source.body, "category": source.category ?? ""])
                statuses.append(try await server.request("PUT", "/v1/articles/\(id)", json: String(decoding: body, as: UTF8.self)).status)
                written.append(id)
            }
            step += 1
            state = try await server.request("GET", "/v1/jobs/\(job)").json?["state"] as? String ?? ""
        }
        var answers = [String: [String: Any]]()
        for id in written { answers[id] = try await server.request("GET", "/v1/articles/\(id)/related").json }
        let listingDeleted = try deleted.flatMap { try server.store.articlesListing($0) }
        await server.stop()
        #expect(state == "done")
        #expect(statuses.allSatisfy { [200, 201, 204].contains($0) }, "statuses: \(statuses)")
        for id in written {
            let related = answers[id]?["related"] as? [[String: Any]] ?? []
            #expect(!related.isEmpty, "\(id) has no list after the recompute")
            #expect(answers[id]?["source"] as? String == "stored")
        }
        #expect(listingDeleted.isEmpty, "deleted articles still listed by \(listingDeleted)")
    }

    @Test func metricsExposeRequestCountsAndLatencyPerRouteInPrometheusFormat() async throws {
        let server = try await RunningServer()
        _ = try await server.request("GET", "/v1/articles/pol-001/related")
        _ = try await server.request("GET", "/v1/articles/missing/related")
        let metrics = try await server.request("GET", "/metrics")
        await server.stop()
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"sila_requests_total{route="/v1/articles/{id}/related",method="GET",status="200"} 1"#))
        #expect(metrics.text.contains(#"status="404""#))
        #expect(metrics.text.contains("sila_request_duration_seconds_bucket"))
        #expect(metrics.text.contains("sila_index_articles 67.0"))
    }

    @Test func writesBeforeAnyIndexAnswer503() async throws {
        let server = try await RunningServer(indexed: false)
        let response = try await server.request("PUT", "/v1/articles/x", json: #"{"body": "نص"}"#)
        await server.stop()
        #expect(response.status == 503)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "no_index")
    }
}

@Suite(.serialized) struct SocketFileTests {
    @Test func theSocketIsCreatedWithMode0660AndRemovedOnShutdown() async throws {
        let server = try await RunningServer()
        let attributes = try FileManager.default.attributesOfItem(atPath: server.socketPath)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value
        await server.stop()
        #expect(mode == 0o660)
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))
    }

    @Test func aSecondServerOnALiveSocketIsRefused() async throws {
        let server = try await RunningServer()
        let second = try SilaServer(store: server.store, configuration: ServerConfiguration(socketPath: server.socketPath))
        await #expect { try await second.run() } throws: { "\($0)".contains("already listening") }
        let stillServing = try await server.request("GET", "/v1/health").status
        await server.stop()
        #expect(stillServing == 200)
    }

    @Test func aStaleSocketFileLeftByACrashIsReplaced() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("stale.sock")
        // Bind a socket and close it without unlinking: what a killed server leaves behind.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let server = try await RunningServer { $0.socketPath = path }
        let status = try await UnixHTTPClient.send(socket: path, method: "GET", target: "/v1/health").status
        await server.stop()
        #expect(status == 200)
    }

    @Test func aSocketPathLongerThanTheKernelLimitIsRejectedWithAMessage() async throws {
        let store = try SilaStore.open(path: TemporaryDirectory().path("x.sqlite"), createIfMissing: true)
        let long = "/tmp/" + String(repeating: "s", count: 120) + ".sock"
        let server = try SilaServer(store: store, configuration: ServerConfiguration(socketPath: long))
        await #expect { try await server.run() } throws: { "\($0)".contains("the kernel allows") }
    }
}
