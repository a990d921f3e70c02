import Foundation
import SilaCore
import Store
import TestSupport
import Testing

@testable import SilaServer

/// Seeded fuzzing of everything a client controls. CI runs a slice; the full run is
/// `SILA_FUZZ_ITERATIONS=1000000 swift test --filter RequestFuzzTests` (README, "Reliability").
@Suite(.serialized) struct RequestFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["SILA_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    static let socketIterations = max(300, iterations / 200)

    /// Characters that matter to the parsers: digits and signs for k, date punctuation, percent escapes, JSON
    /// syntax, quotes, controls, Arabic letters and marks, emoji, RTL controls.
    static let alphabet: [String] = [
        "0", "1", "9", "-", "+", ".", "e", "E", "T", "Z", ":", "%", "%2F", "%00", "%D8%B3", "%FF", "%", ",", " ",
        "{", "}", "[", "]", "\"", "\\", "'", "\u{0}", "\u{1F}", "\n", "\r", "null", "true", "2025-03-01", "99999-01-01",
        "س", "ة", "ً", "ـ", "ﻻ", "٣", "۴", "🗞️", "\u{200F}", "\u{FEFF}", "id", "body", "title", "published_at", "tags",
    ]

    static let validArticle = #"{"id": "a-1", "title": "عنوان", "body": "نص الخبر عن الاقتصاد", "category": "economy", "tags": ["x"], "url": "https://example.com/a", "published_at": "2025-03-01T08:00:00Z"}"#

    static func randomText(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0:  // raw bytes, decoded as the server would (invalid UTF-8 becomes U+FFFD)
            let bytes = (0..<Int.random(in: 0..<64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            return String(decoding: bytes, as: UTF8.self)
        case 1:
            return (0..<Int.random(in: 0..<24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        case 2:
            return mutated(validArticle, &random)
        default:
            return String(Int.random(in: Int.min...Int.max, using: &random) >> Int.random(in: 0..<64, using: &random))
        }
    }

    /// A valid input with a few bytes flipped, inserted, deleted or the end cut off.
    static func mutated(_ text: String, _ random: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: Array(alphabet.randomElement(using: &random)!.utf8), at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            default: bytes.removeSubrange(at...)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body`; passes when it returns or throws a 4xx APIError, records anything else.
    static func expectValueOr4xx<T>(_ what: String, _ input: String, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as APIError {
            #expect((400..<500).contains(error.status.code), "\(what)(\(input.debugDescription.prefix(120))): \(error.status.code)")
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("\(what)(\(input.debugDescription.prefix(120))) threw a non-API error: \(error)")
        }
        return nil
    }

    @Test func theRequestParsersAnswerAValueOrA4xxForEveryInput() throws {
        var random = SeededGenerator(seed: 20261129)
        var accepted = [String: Int]()
        var rejected = [String: Int]()
        func count(_ name: String, _ value: Any?) {
            if value != nil { accepted[name, default: 0] += 1 } else { rejected[name, default: 0] += 1 }
        }
        for _ in 0..<Self.iterations {
            let text = Self.randomText(&random)
            let id = Self.expectValueOr4xx("articleID", text) { try RequestParsing.articleID(text) }
            if let id { #expect(!id.isEmpty && id.count <= RequestParsing.maxIDLength) }
            count("id", id)

            let k = Self.expectValueOr4xx("k", text) { try RequestParsing.k(text, maxK: 100) }
            if let k { #expect((1...100).contains(k)) }
            count("k", k)

            let parts = (0..<5).map { _ in Bool.random(using: &random) ? nil : Self.randomText(&random) }
            let filter = Self.expectValueOr4xx("filter", parts.description) {
                try RequestParsing.filter(category: parts[0], since: parts[1], until: parts[2], exclude: parts[3], minimumScore: parts[4])
            }
            if let filter, let since = filter.since, let until = filter.until { #expect(since <= until) }
            if let filter { #expect((0...1).contains(filter.minimumScore)) }
            count("filter", filter)

            let article = Self.expectValueOr4xx("article", text) {
                try RequestParsing.article(from: try RequestParsing.jsonObject(Data(text.utf8)), pathID: "path-id")
            }
            if let article {
                #expect(article.id == "path-id")
                #expect(!article.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            }
            count("article", article)
        }
        // The generator reaches both sides of every parser, or it proves little.
        for name in ["id", "k", "filter", "article"] {
            #expect(accepted[name, default: 0] > 0, "\(name): nothing accepted")
            #expect(rejected[name, default: 0] > 0 || name == "id", "\(name): nothing rejected")
        }
    }

    @Test func theServerAnswersOrClosesEveryMangledRequestAndKeepsServing() async throws {
        let server = try await RunningServer()
        let path = server.socketPath
        let count = Self.socketIterations
        let outcome = try await onOwnThread { () -> (answered: Int, closed: Int, healthFailures: Int) in
            var random = SeededGenerator(seed: 7)
            let body = Self.validArticle
            let requests = [
                "GET /v1/articles/pol-001/related?k=3&category=politics&since=2025-01-01 HTTP/1.1\r\nHost: x\r\n\r\n",
                "PUT /v1/articles/fuzz-1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
                "POST /v1/related?k=2 HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
                "DELETE /v1/articles/fuzz-1 HTTP/1.1\r\nHost: x\r\n\r\n",
            ]
            var answered = 0, closed = 0, healthFailures = 0
            for iteration in 0..<count {
                let request = Self.mutated(requests.randomElement(using: &random)!, &random)
                let reply = try UnixHTTPClient.raw(socket: path, Data(request.utf8))
                if reply.isEmpty { closed += 1 } else {
                    answered += 1
                    let text = String(decoding: reply.prefix(12), as: UTF8.self)
                    #expect(text.hasPrefix("HTTP/1.1 "), "iteration \(iteration): \(text.debugDescription)")
                    let status = Int(text.dropFirst(9).prefix(3)) ?? 0
                    #expect(status < 500, "iteration \(iteration): status \(status) for \(request.debugDescription.prefix(200))")
                    // 413 only for bodies that are really over the limit (a short body is a 400).
                    #expect(status != 413, "iteration \(iteration): 413 for a small body: \(request.debugDescription.prefix(200))")
                }
                if iteration % 50 == 49 {
                    let health = try UnixHTTPClient.request(socket: path, method: "GET", target: "/v1/health")
                    if health.status != 200 { healthFailures += 1 }
                }
            }
            return (answered, closed, healthFailures)
        }
        let integrity = try server.store.integrityCheck()
        await server.stop()
        #expect(outcome.healthFailures == 0)
        #expect(outcome.answered > count / 2)
        #expect(integrity == "ok")
    }
}
