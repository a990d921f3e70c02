import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport
import Testing

/// Who may talk to the socket, and what a hostile or broken client can (not) do to it.
@Suite(.serialized) struct AccessAndAbuseTests {
    /// A token file with `mode`; the secret is long enough to be accepted.
    static func tokenFile(in directory: TemporaryDirectory, mode: mode_t = 0o600) -> (path: String, secret: String) {
        let path = directory.path("token")
        let secret = "s3cret-token-for-the-cms-0123456789"
        FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8))
        chmod(path, mode)
        return (path, secret)
    }

    @Test func withATokenFileRequestsWithoutTheBearerTokenAnswer401() async throws {
        let directory = TemporaryDirectory()
        let token = Self.tokenFile(in: directory)
        let access = try AccessToken(file: token.path)
        let server = try await RunningServer { $0.accessToken = access }
        let missing = try await server.request("GET", "/v1/health")
        let wrong = try await UnixHTTPClient.send(
            socket: server.socketPath, method: "GET", target: "/v1/health", headers: ["Authorization": "Bearer \(token.secret)x"])
        let right = try await UnixHTTPClient.send(
            socket: server.socketPath, method: "GET", target: "/v1/articles/pol-001/related",
            headers: ["Authorization": "Bearer \(token.secret)"])
        let deleteWithout = try await server.request("DELETE", "/v1/articles/pol-002")
        let stillThere = try server.store.article(id: "pol-002")
        await server.stop()
        #expect(missing.status == 401)
        #expect((missing.json?["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        #expect(wrong.status == 401)
        #expect(right.status == 200)
        #expect(deleteWithout.status == 401)
        #expect(stillThere != nil)
    }

    @Test func aTokenFileOthersCanReadOrAShortTokenIsRefused() throws {
        let directory = TemporaryDirectory()
        let readable = Self.tokenFile(in: directory, mode: 0o644)
        #expect { try AccessToken(file: readable.path) } throws: { "\($0)".contains("chmod 600") }
        let short = directory.path("short")
        FileManager.default.createFile(atPath: short, contents: Data("abc\n".utf8))
        chmod(short, 0o600)
        #expect { try AccessToken(file: short) } throws: { "\($0)".contains("at least 16") }
        #expect { try AccessToken(file: directory.path("missing")) } throws: { "\($0)".contains("cannot read") }
    }

    @Test func everyResponseCarriesARequestIDAndASaneCallerIDIsEchoed() async throws {
        let server = try await RunningServer()
        let own = try await server.request("GET", "/v1/health")
        let callers = try await UnixHTTPClient.send(
            socket: server.socketPath, method: "GET", target: "/v1/nothing", headers: ["X-Request-Id": "cms-render-42"])
        let hostile = try await UnixHTTPClient.send(
            socket: server.socketPath, method: "GET", target: "/v1/health", headers: ["X-Request-Id": "a b\"; DROP"])
        await server.stop()
        #expect(own.headers["x-request-id"]?.isEmpty == false)
        #expect(callers.headers["x-request-id"] == "cms-render-42")
        #expect(hostile.headers["x-request-id"] != nil)
        #expect(hostile.headers["x-request-id"] != "a b\"; DROP")
    }

    @Test func headersOverTheLimitAnswer431AndALongTargetAnswers414() async throws {
        let server = try await RunningServer()
        let bigHeader = try await UnixHTTPClient.send(
            socket: server.socketPath, method: "GET", target: "/v1/health",
            headers: ["X-Padding": String(repeating: "x", count: 20_000)])
        let longTarget = try await server.request("GET", "/v1/articles/pol-001/related?k=3&pad=" + String(repeating: "y", count: 9000))
        let after = try await server.request("GET", "/v1/health")
        await server.stop()
        #expect(bigHeader.status == 431)
        #expect((bigHeader.json?["error"] as? [String: Any])?["code"] as? String == "headers_too_large")
        #expect(longTarget.status == 414)
        #expect(after.status == 200)
    }

    @Test(arguments: ["0", "-1", "1000000000", "99999999999999999999", "1.5", "%00"])
    func extremeKValuesAnswer400(k: String) async throws {
        let server = try await RunningServer()
        let response = try await server.request("GET", "/v1/articles/pol-001/related?k=\(k)")
        await server.stop()
        #expect(response.status == 400)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "bad_request")
    }

    @Test(arguments: ["../../etc/passwd", "a'b\"c", "x'; DROP TABLE articles; --", "مقال-١٢٣", "news-🗞️-1", "100%", "a b"])
    func oddIDsAreStoredAndServedVerbatim(id: String) async throws {
        let server = try await RunningServer()
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let put = try await server.request("PUT", "/v1/articles/\(encoded)", json: #"{"body": "نص قصير عن الاقتصاد والأسواق والنفط"}"#)
        let get = try await server.request("GET", "/v1/articles/\(encoded)/related")
        let stored = try server.store.article(id: id)
        let count = try server.store.articleCount()
        let delete = try await server.request("DELETE", "/v1/articles/\(encoded)")
        await server.stop()
        #expect(put.status == 201)
        #expect(get.status == 200)
        #expect(get.json?["id"] as? String == id)
        #expect(stored?.id == id)
        #expect(count == 68)
        #expect(delete.status == 204)
    }

    @Test(arguments: [
        ("PUT", "text/plain", "just some words"), ("PUT", "application/json", "{\"body\": "), ("POST", "application/xml", "<a/>"),
        ("PUT", "application/json", "\u{0}\u{1}\u{2}"),
    ])
    func nonJSONBodiesAnswer400WhateverTheContentType(method: String, contentType: String, body: String) async throws {
        let server = try await RunningServer()
        let target = method == "PUT" ? "/v1/articles/odd-body" : "/v1/related"
        var request = "\(method) \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: \(contentType)\r\n"
        request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Data(request.utf8)
        let answer = try await onOwnThread { try UnixHTTPClient.raw(socket: server.socketPath, bytes) }
        let stored = try server.store.article(id: "odd-body")
        await server.stop()
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        #expect(stored == nil)
    }

    @Test func malformedHTTPIsAnswered400AndTheServerKeepsServing() async throws {
        let server = try await RunningServer()
        let garbage = try await onOwnThread {
            try UnixHTTPClient.raw(socket: server.socketPath, Data("GARBAGE \u{1}\u{2} NOT-HTTP\r\n\r\n".utf8))
        }
        let after = try await server.request("GET", "/v1/health")
        await server.stop()
        #expect(String(decoding: garbage, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        #expect(after.status == 200)
    }

    @Test func aClientThatStallsMidRequestIsDisconnectedAndOthersAreServed() async throws {
        let server = try await RunningServer { $0.idleTimeoutSeconds = 1 }
        let path = server.socketPath
        let started = Date()
        let closedAfter: Double? = try await onOwnThread {
            let fd = try UnixHTTPClient.connect(path)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let partial = Array("PUT /v1/articles/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"body\":".utf8)
            _ = send(fd, partial, partial.count, Int32(MSG_NOSIGNAL))
            var byte = [UInt8](repeating: 0, count: 256)
            let received = recv(fd, &byte, byte.count, 0)  // blocks until the server gives up on us
            return received <= 0 || String(decoding: byte.prefix(max(received, 0)), as: UTF8.self).contains("HTTP/1.1")
                ? Date().timeIntervalSince(started) : nil
        }
        let other = try await server.request("GET", "/v1/health")
        let stored = try server.store.article(id: "slow")
        await server.stop()
        let seconds = try #require(closedAfter)
        #expect(seconds < 8, "the stalled connection was closed after \(seconds) s")
        #expect(other.status == 200)
        #expect(stored == nil)
    }

    @Test func aThousandConcurrentConnectionsAreAllAnswered() async throws {
        let server = try await RunningServer()
        let path = server.socketPath
        let answered = try await onOwnThread { () -> Int in
            var descriptors = [Int32]()
            defer { descriptors.forEach { close($0) } }
            for _ in 0..<1000 { descriptors.append(try UnixHTTPClient.connect(path)) }
            let request = Array("GET /v1/articles/pol-001/related?k=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
            for fd in descriptors { _ = send(fd, request, request.count, Int32(MSG_NOSIGNAL)) }
            var ok = 0
            var buffer = [UInt8](repeating: 0, count: 4096)
            for fd in descriptors {
                var timeout = timeval(tv_sec: 30, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 12, String(decoding: buffer.prefix(12), as: UTF8.self) == "HTTP/1.1 200" { ok += 1 }
            }
            return ok
        }
        let after = try await server.request("GET", "/v1/health")
        await server.stop()
        #expect(answered == 1000)
        #expect(after.status == 200)
    }

    @Test func aSymlinkPlantedAtTheSocketPathIsRefusedAndLeftAlone() async throws {
        let directory = TemporaryDirectory()
        let target = directory.path("precious.txt")
        FileManager.default.createFile(atPath: target, contents: Data("keep me".utf8))
        let path = directory.path("s.sock")
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let store = try SilaStore.open(path: directory.path("x.sqlite"), createIfMissing: true)
        let server = try SilaServer(store: store, configuration: ServerConfiguration(socketPath: path))
        await #expect { try await server.run() } throws: { "\($0)".contains("not a socket") }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
        #expect(FileManager.default.contents(atPath: target) == Data("keep me".utf8))
    }

    @Test func aSocketInAWorldWritableDirectoryIsRefused() async throws {
        let directory = TemporaryDirectory()
        let shared = directory.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o777)
        let store = try SilaStore.open(path: directory.path("x.sqlite"), createIfMissing: true)
        let server = try SilaServer(store: store, configuration: ServerConfiguration(socketPath: shared + "/s.sock"))
        await #expect { try await server.run() } throws: { "\($0)".contains("writable by every user") }
        #expect(!FileManager.default.fileExists(atPath: shared + "/s.sock"))
    }
}
