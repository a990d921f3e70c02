import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport
import Testing

/// A GET answer may be served from the server's answer cache, but never after something changed what it says: a
/// PUT, a DELETE, a recompute, or another process's `sila index` each make the next GET read the store again; any
/// other write to the file (another process's `sila ingest`) does so within one reload-check interval.
@Suite(.serialized) struct AnswerCacheTests {
    /// The file watcher would retire cached answers within a second anyway; these tests prove the direct path.
    static func withoutFilePolling(_ configuration: inout ServerConfiguration) { configuration.reloadCheckSeconds = 3600 }

    /// The first suggestion of pol-001's stored list, and pol-001's answer, read once so that it is cached.
    private func cachedAnswer(_ server: RunningServer) async throws -> (first: String, before: UnixHTTPClient.Response) {
        let before = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        let first = try #require((before.json?["related"] as? [[String: Any]])?.first?["id"] as? String)
        return (first, before)
    }

    /// The URL each suggestion shows, by id. (The tests change URLs: a URL is not part of the text a vector is
    /// made from, so the lists stay the same and only the shown field changes.)
    private func urls(_ response: UnixHTTPClient.Response) -> [String: String] {
        let items = response.json?["related"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: items.compactMap { item in
            (item["id"] as? String).map { ($0, item["url"] as? String ?? "") }
        })
    }

    /// `article` as a PUT body with `url`.
    private func putBody(_ article: Article, url: String) throws -> String {
        var fields: [String: Any] = ["title": article.title, "body": article.body, "url": url]
        if let category = article.category { fields["category"] = category }
        if let publishedAt = article.publishedAt { fields["published_at"] = publishedAt }
        return String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
    }

    @Test func aRepeatedGetAnswersTheSameBytes() async throws {
        let server = try await RunningServer(configure: Self.withoutFilePolling)
        let first = try await server.request("GET", "/v1/articles/pol-001/related?k=5")
        let second = try await server.request("GET", "/v1/articles/pol-001/related?k=5")
        let other = try await server.request("GET", "/v1/articles/pol-001/related?k=2")
        await server.stop()
        #expect(first.status == 200 && second.status == 200)
        #expect(first.text == second.text)
        #expect((other.json?["related"] as? [Any])?.count == 2, "another k is another answer")
    }

    @Test func aPutIsSeenByTheNextGetOfAListShowingTheArticle() async throws {
        let server = try await RunningServer(configure: Self.withoutFilePolling)
        let (first, before) = try await cachedAnswer(server)
        let article = try #require(try server.store.article(id: first))
        let newURL = "https://example.com/moved/\(first)"
        let put = try await server.request("PUT", "/v1/articles/\(first)", json: try putBody(article, url: newURL))
        let after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        await server.stop()
        #expect(put.status == 200)
        #expect(urls(before)[first] == article.url)
        #expect(urls(after)[first] == newURL, "\(after.text)")
    }

    @Test func aDeleteIsSeenByTheNextGetOfAListShowingTheArticle() async throws {
        let server = try await RunningServer(configure: Self.withoutFilePolling)
        let (first, _) = try await cachedAnswer(server)
        let deleted = try await server.request("DELETE", "/v1/articles/\(first)")
        let after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        await server.stop()
        #expect(deleted.status == 204)
        #expect(after.status == 200)
        #expect(urls(after)[first] == nil, "\(after.text)")
    }

    @Test func aRecomputeIsSeenByTheNextGet() async throws {
        let server = try await RunningServer(configure: Self.withoutFilePolling)
        let (first, _) = try await cachedAnswer(server)
        // A URL changed behind the server's back (as `sila ingest` in another process would): the cached answer
        // does not know; the recompute's swap must retire it.
        var article = try #require(try server.store.article(id: first))
        article.url = "https://example.com/recomputed/\(first)"
        _ = try server.store.upsert([article])
        let accepted = try await server.request("POST", "/v1/recompute")
        let job = try #require(accepted.json?["job"] as? Int)
        var state = "running"
        for _ in 0..<600 where state == "running" {
            try await Task.sleep(for: .milliseconds(50))
            state = try await server.request("GET", "/v1/jobs/\(job)").json?["state"] as? String ?? ""
        }
        let after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        await server.stop()
        #expect(state == "done")
        #expect(urls(after)[first] == article.url, "\(after.text)")
    }

    @Test func anIndexRunByAnotherProcessIsSeenByTheNextGet() async throws {
        let server = try await RunningServer { $0.reloadCheckSeconds = 0.2 }
        let (first, before) = try await cachedAnswer(server)
        var article = try #require(try server.store.article(id: first))
        article.url = "https://example.com/reindexed/\(first)"
        _ = try server.store.upsert([article])
        let newModel = try server.refitInAnotherWriter()
        var after = before
        for _ in 0..<100 {
            after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
            if after.json?["model"] as? String == newModel { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        await server.stop()
        #expect(before.json?["model"] as? String != newModel)
        #expect(after.json?["model"] as? String == newModel, "\(after.text)")
        // The refit may reorder the list; where the article is still shown, it shows the new URL.
        #expect(urls(after)[first].map { $0 == article.url } ?? true, "\(after.text)")
    }

    @Test func aWriteByAnotherProcessIsSeenWithinOneCheckInterval() async throws {
        let server = try await RunningServer { $0.reloadCheckSeconds = 0.2 }
        let (first, _) = try await cachedAnswer(server)
        // What `sila ingest` of an edited record in another process does: no new model, no swap.
        var article = try #require(try server.store.article(id: first))
        article.url = "https://example.com/ingested/\(first)"
        _ = try server.store.upsert([article])
        var after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        for _ in 0..<100 where urls(after)[first] != article.url {
            try await Task.sleep(for: .milliseconds(100))
            after = try await server.request("GET", "/v1/articles/pol-001/related?k=3")
        }
        await server.stop()
        #expect(urls(after)[first] == article.url, "\(after.text)")
    }
}
