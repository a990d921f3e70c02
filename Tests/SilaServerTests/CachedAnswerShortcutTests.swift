import Foundation
import SilaCore
@testable import SilaServer
import Store
import TestSupport
import Testing

/// A GET repeated on a keep-alive connection is answered from the answer cache on the event loop: with the bytes
/// and headers the router sends, in request order, never after a write changed the answer, never past the access
/// token, and counted in `/metrics` like the router's answers.
@Suite(.serialized) struct CachedAnswerShortcutTests {
    static let target = "/v1/articles/pol-001/related?k=3"

    /// A counter's value in the Prometheus text (0 when it is not there yet).
    static func counter(_ line: String, in metrics: String) -> Double {
        for row in metrics.split(separator: "\n") where row.hasPrefix(line + " ") {
            return Double(row.dropFirst(line.count + 1)) ?? -1
        }
        return 0
    }

    static func eventLoopAnswers(_ server: RunningServer) async throws -> Double {
        counter("sila_event_loop_answers_total", in: try await server.request("GET", "/metrics").text)
    }

    static func keepAlive(_ server: RunningServer, _ requests: [String], pipelined: Bool = false) async throws
        -> [UnixHTTPClient.Response]
    {
        let path = server.socketPath
        return try await onOwnThread { try UnixHTTPClient.keepAlive(socket: path, requests, pipelined: pipelined) }
    }

    @Test func aRepeatedGetIsAnsweredOnTheEventLoopWithTheRoutersBytesAndHeaders() async throws {
        let server = try await RunningServer(configure: AnswerCacheTests.withoutFilePolling)
        let answers = try await Self.keepAlive(server, Array(repeating: UnixHTTPClient.getRequest(Self.target), count: 3))
        let shortcut = try await Self.eventLoopAnswers(server)
        let metrics = try await server.request("GET", "/metrics").text
        await server.stop()
        let router = answers[0]
        #expect(shortcut == 2, "the first answer comes from the router, the next two from the event loop")
        for answer in answers {
            #expect(answer.status == 200)
            #expect(answer.body == router.body)
            #expect(Set(answer.headers.keys) == Set(router.headers.keys), "\(answer.headers) against \(router.headers)")
            for name in ["content-type", "content-length", "server"] { #expect(answer.headers[name] == router.headers[name]) }
            #expect(answer.headers["date"]?.hasSuffix(" GMT") == true)
        }
        #expect(Set(answers.compactMap { $0.headers["x-request-id"] }).count == 3, "each answer has its own request id")
        #expect(
            Self.counter(#"sila_requests_total{route="/v1/articles/{id}/related",method="GET",status="200"}"#, in: metrics) == 3)
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWhenAnEarlierOneGoesToTheRouter() async throws {
        let server = try await RunningServer(configure: AnswerCacheTests.withoutFilePolling)
        _ = try await Self.keepAlive(server, [UnixHTTPClient.getRequest(Self.target)])  // cached now
        let requests = [
            UnixHTTPClient.getRequest("/v1/articles/pol-002/related?k=5"),  // not cached: the router
            UnixHTTPClient.getRequest(Self.target),  // cached, but must wait for the answer before it
            UnixHTTPClient.getRequest("/v1/articles/missing/related"),
            UnixHTTPClient.getRequest(Self.target),
        ]
        let answers = try await Self.keepAlive(server, requests, pipelined: true)
        await server.stop()
        #expect(answers.map(\.status) == [200, 200, 404, 200])
        #expect(answers.map { $0.json?["id"] as? String } == ["pol-002", "pol-001", nil, "pol-001"])
        #expect(answers.map { ($0.json?["related"] as? [Any])?.count } == [5, 3, nil, 3])
    }

    @Test func aCachedAnswerIsNotServedAfterAPutChangesIt() async throws {
        let server = try await RunningServer(configure: AnswerCacheTests.withoutFilePolling)
        let before = try await Self.keepAlive(server, Array(repeating: UnixHTTPClient.getRequest(Self.target), count: 2))
        let items = try #require(before[1].json?["related"] as? [[String: Any]])
        let first = try #require(items.first?["id"] as? String)
        let article = try #require(try server.store.article(id: first))
        let newURL = "https://example.com/moved/\(first)"
        var fields: [String: Any] = ["title": article.title, "body": article.body, "url": newURL]
        if let category = article.category { fields["category"] = category }
        if let publishedAt = article.publishedAt { fields["published_at"] = publishedAt }
        let put = try await server.request(
            "PUT", "/v1/articles/\(first)", json: String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self))
        let after = try await Self.keepAlive(server, Array(repeating: UnixHTTPClient.getRequest(Self.target), count: 2))
        await server.stop()
        #expect(put.status == 200)
        #expect(items.first?["url"] as? String == article.url)
        for answer in after {
            let shown = (answer.json?["related"] as? [[String: Any]])?.first { $0["id"] as? String == first }
            #expect(shown?["url"] as? String == newURL, "\(answer.text)")
        }
    }

    @Test func withATokenACachedAnswerStillNeedsTheToken() async throws {
        let directory = TemporaryDirectory()
        let token = AccessAndAbuseTests.tokenFile(in: directory)
        let access = try AccessToken(file: token.path)
        let server = try await RunningServer { $0.accessToken = access }
        let bearer = ["Authorization": "Bearer \(token.secret)"]
        let answers = try await Self.keepAlive(
            server,
            [
                UnixHTTPClient.getRequest(Self.target, headers: bearer),
                UnixHTTPClient.getRequest(Self.target),
                UnixHTTPClient.getRequest(Self.target, headers: ["Authorization": "Bearer \(token.secret)x"]),
                UnixHTTPClient.getRequest(Self.target, headers: bearer),
            ])
        let metrics = try await UnixHTTPClient.send(socket: server.socketPath, method: "GET", target: "/metrics", headers: bearer)
        await server.stop()
        #expect(answers.map(\.status) == [200, 401, 401, 200])
        #expect(answers[3].body == answers[0].body)
        #expect(Self.counter("sila_event_loop_answers_total", in: metrics.text) == 1)
    }

    @Test func aRequestAskingToCloseIsAnsweredByTheRouterWhichCloses() async throws {
        let server = try await RunningServer(configure: AnswerCacheTests.withoutFilePolling)
        _ = try await Self.keepAlive(server, [UnixHTTPClient.getRequest(Self.target)])
        let closing = try await server.request("GET", Self.target)  // `Connection: close`, read to the end
        let shortcut = try await Self.eventLoopAnswers(server)
        await server.stop()
        #expect(closing.status == 200)
        #expect((closing.json?["related"] as? [Any])?.count == 3)
        #expect(shortcut == 0)
    }

    @Test func anExplicitKeepAliveAsNodeSendsItIsAnsweredOnTheEventLoop() async throws {
        let server = try await RunningServer(configure: AnswerCacheTests.withoutFilePolling)
        let request = UnixHTTPClient.getRequest(Self.target, headers: ["Connection": "keep-alive"])
        let answers = try await Self.keepAlive(server, [request, request])
        let shortcut = try await Self.eventLoopAnswers(server)
        await server.stop()
        #expect(answers.map(\.status) == [200, 200])
        #expect(answers[1].body == answers[0].body)
        #expect(shortcut == 1)
    }

    @Test func aConnectionKeptBusyByCachedAnswersOutlivesTheIdleTimeout() async throws {
        let server = try await RunningServer { $0.idleTimeoutSeconds = 1 }
        let path = server.socketPath
        let statuses: [Int] = try await onOwnThread {
            let fd = try UnixHTTPClient.connect(path)
            defer { close(fd) }
            var buffered = Data()
            var statuses = [Int]()
            for _ in 0..<10 {  // 2.5 s of requests, 0.25 s apart, on one connection
                try UnixHTTPClient.sendAll(fd, Data(UnixHTTPClient.getRequest(Self.target).utf8))
                statuses.append(try UnixHTTPClient.readOneResponse(fd, buffered: &buffered).status)
                usleep(250_000)
            }
            return statuses
        }
        let shortcut = try await Self.eventLoopAnswers(server)
        await server.stop()
        #expect(statuses == Array(repeating: 200, count: 10))
        #expect(shortcut == 9)
    }

    /// The connection-state handler still counts the event-loop answers: a shutdown closes a keep-alive connection
    /// they left idle at once instead of waiting for its idle timeout (here 60 s).
    @Test func aShutdownClosesAConnectionIdleAfterEventLoopAnswers() async throws {
        let server = try await RunningServer {
            $0.idleTimeoutSeconds = 60
            AnswerCacheTests.withoutFilePolling(&$0)
        }
        let path = server.socketPath
        let fd = try UnixHTTPClient.connect(path)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let statuses: [Int] = try await onOwnThread {
            var buffered = Data()
            return try (0..<3).map { _ in
                try UnixHTTPClient.sendAll(fd, Data(UnixHTTPClient.getRequest(Self.target).utf8))
                return try UnixHTTPClient.readOneResponse(fd, buffered: &buffered).status
            }
        }
        let shortcut = try await Self.eventLoopAnswers(server)
        let started = ContinuousClock.now
        await server.stop()
        let stopped = ContinuousClock.now - started
        let closed: Bool = try await onOwnThread {
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, 0) == 0  // end of stream: the server closed it
        }
        #expect(statuses == [200, 200, 200])
        #expect(shortcut == 2)
        #expect(stopped < .seconds(20), "stopping took \(stopped)")
        #expect(closed)
    }

    @Test func eventLoopRequestIDsAre32HexDigitsAndNeverRepeatOnAConnection() {
        var ids = RequestIDSequence()
        let made = (0..<1000).map { _ in ids.next() }
        #expect(Set(made).count == 1000)
        #expect(made.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) })
        #expect(Set(made.map { $0.prefix(16) }).count == 1, "one prefix per connection, a counter after it")
        var other = RequestIDSequence()
        #expect(other.next().prefix(16) != made[0].prefix(16), "another connection, another prefix")
    }

    @Test func theDateHeaderIsIMFFixdate() {
        #expect(HTTPDateText.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateText.format(1_796_002_208) == "Mon, 30 Nov 2026 01:30:08 GMT")
    }
}
