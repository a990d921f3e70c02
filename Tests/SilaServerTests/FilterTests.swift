import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport
import Testing

/// `category`, `since`, `until`, `exclude`, `min_score` and a k longer than the stored lists: answered from the
/// stored list when it holds enough, computed live when it does not, and never showing what the filter excludes.
@Suite(.serialized) struct FilterTests {
    static func ids(_ response: UnixHTTPClient.Response) -> [String] {
        ((response.json?["related"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test func aCategoryMissingFromTheStoredListIsAnsweredLiveWithThatCategoryOnly() async throws {
        let server = try await RunningServer()
        let stored = try server.store.relatedList(of: "pol-001")
        let storedArticles = try server.store.articles(ids: stored.map(\.id))
        let storedSport = stored.filter { storedArticles[$0.id]?.category == "sport" }.count
        let response = try await server.request("GET", "/v1/articles/pol-001/related?k=3&category=sport")
        await server.stop()
        #expect(response.status == 200)
        let ids = Self.ids(response)
        #expect(!ids.isEmpty)
        let categories = try server.store.articles(ids: ids).values.map(\.category)
        #expect(categories.allSatisfy { $0 == "sport" })
        #expect(response.json?["source"] as? String == (storedSport >= 3 ? "stored" : "live"))
    }

    @Test func aCategoryTheStoredListCoversIsAnsweredFromItInItsOrder() async throws {
        let server = try await RunningServer()
        let stored = try server.store.relatedList(of: "pol-001")
        let storedArticles = try server.store.articles(ids: stored.map(\.id))
        let politics = stored.filter { storedArticles[$0.id]?.category == "politics" }.map(\.id)
        try #require(politics.count >= 2, "the sample corpus keeps pol-001's own section in its list")
        let response = try await server.request("GET", "/v1/articles/pol-001/related?k=2&category=politics")
        await server.stop()
        #expect(response.json?["source"] as? String == "stored")
        #expect(Self.ids(response) == Array(politics.prefix(2)))
    }

    @Test func anArabicCategoryArrivesPercentEncoded() async throws {
        let server = try await RunningServer()
        let source = try #require(try server.store.article(id: "spo-001"))
        let article = try JSONSerialization.data(withJSONObject: ["body": source.body, "category": "رياضة"])
        #expect(try await server.request("PUT", "/v1/articles/ar-cat-1", json: String(decoding: article, as: UTF8.self)).status == 201)
        let encoded = "رياضة".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await server.request("GET", "/v1/articles/spo-001/related?k=5&category=\(encoded)")
        await server.stop()
        #expect(response.status == 200)
        #expect(Self.ids(response) == ["ar-cat-1"])
    }

    @Test func sinceAndUntilKeepOnlyArticlesInsideTheWindow() async throws {
        let server = try await RunningServer()
        let response = try await server.request(
            "GET", "/v1/articles/eco-001/related?k=10&since=2025-05-01&until=2025-08-31T23:59:59Z")
        await server.stop()
        #expect(response.status == 200)
        let dates = ((response.json?["related"] as? [[String: Any]]) ?? []).map { $0["published_at"] as? String }
        #expect(!dates.isEmpty)
        #expect(dates.allSatisfy { date in date.map { $0 >= "2025-05-01" && $0 <= "2025-08-31T23:59:59Z" } ?? false })
    }

    @Test func excludedIDsAndScoresUnderTheMinimumAreNeverShown() async throws {
        let server = try await RunningServer()
        let stored = try server.store.relatedList(of: "pol-001").map(\.id)
        try #require(stored.count >= 3)
        let excluded = stored.prefix(2).joined(separator: ",")
        let withoutTop = try await server.request("GET", "/v1/articles/pol-001/related?k=3&exclude=\(excluded)")
        let strong = try await server.request("GET", "/v1/articles/pol-001/related?k=10&min_score=0.2")
        await server.stop()
        #expect(Self.ids(withoutTop).first == stored[2])
        #expect(!Self.ids(withoutTop).contains(stored[0]))
        let scores = ((strong.json?["related"] as? [[String: Any]]) ?? []).compactMap { $0["score"] as? Double }
        #expect(scores.allSatisfy { $0 >= 0.2 })
    }

    @Test func aListLongerThanTheStoredOneIsComputedLiveAndStartsWithTheStoredOne() async throws {
        let server = try await RunningServer()  // plain lists: the live top-20 extends the stored top-10
        let stored = try server.store.relatedList(of: "pol-001").map(\.id)
        let response = try await server.request("GET", "/v1/articles/pol-001/related?k=20")
        await server.stop()
        #expect(stored.count == 10)
        #expect(response.json?["source"] as? String == "live")
        let ids = Self.ids(response)
        #expect(ids.count > 10)
        #expect(Array(ids.prefix(10)) == stored)
    }

    @Test(arguments: [
        ("since=yesterday", "since"), ("until=2025-13-45", "until"), ("since=2025-02-01&until=2025-01-01", "until"),
        ("min_score=2", "min_score"), ("min_score=abc", "min_score"),
    ])
    func aBadFilterAnswers400NamingTheParameter(query: String, parameter: String) async throws {
        let server = try await RunningServer()
        let response = try await server.request("GET", "/v1/articles/pol-001/related?\(query)")
        await server.stop()
        #expect(response.status == 400)
        let error = response.json?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "bad_request")
        #expect((error?["message"] as? String)?.hasPrefix(parameter) == true)
    }

    @Test func theColdStartEndpointHonoursTheFilterToo() async throws {
        let server = try await RunningServer()
        let response = try await server.request(
            "POST", "/v1/related?k=5&category=economy", json: #"{"body": "ارتفع سعر النفط في الأسواق العالمية وتراجعت البورصة"}"#)
        await server.stop()
        #expect(response.status == 200)
        let categories = try server.store.articles(ids: Self.ids(response)).values.map(\.category)
        #expect(categories.allSatisfy { $0 == "economy" })
    }
}
