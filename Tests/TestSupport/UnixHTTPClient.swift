import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a Unix domain socket, for tests and the load generator: one request per
/// connection (`Connection: close`), the response read to the end.
public enum UnixHTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        /// The body decoded as a JSON object.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum ClientError: Error { case connect(Int32), malformedResponse(String) }

    public static func request(
        socket path: String, method: String, target: String, body: Data? = nil, headers: [String: String] = [:]
    ) throws -> Response {
        let fd = try connect(path)
        defer { close(fd) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\nContent-Type: application/json\r\n" }
        head += "\r\n"
        try sendAll(fd, Data(head.utf8) + (body ?? Data()))
        return try parse(readAll(fd))
    }

    /// `request` on a thread of its own: async tests must never block the cooperative thread pool with a
    /// synchronous socket read (with 2 cores, two blocked tests would starve the server's own handlers).
    public static func send(
        socket path: String, method: String, target: String, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Response {
        try await onOwnThread { try request(socket: path, method: method, target: target, body: body, headers: headers) }
    }

    /// Sends raw bytes and returns whatever the server answers before closing (for malformed-request tests).
    public static func raw(socket path: String, _ bytes: Data) throws -> Data {
        let fd = try connect(path)
        defer { close(fd) }
        try sendAll(fd, bytes)
        shutdown(fd, Int32(SHUT_WR))
        return readAll(fd)
    }

    /// Sends `requests` (complete request texts) on one keep-alive connection and returns the answers in order:
    /// one at a time, each sent when the last answer is in, or `pipelined`, all sent in one write before any answer
    /// is read. Answers must carry `Content-Length` (the server's do).
    public static func keepAlive(socket path: String, _ requests: [String], pipelined: Bool = false) throws -> [Response] {
        let fd = try connect(path)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending = Data()
        var answers = [Response]()
        if pipelined { try sendAll(fd, Data(requests.joined().utf8)) }
        for request in requests {
            if !pipelined { try sendAll(fd, Data(request.utf8)) }
            answers.append(try readOneResponse(fd, buffered: &pending))
        }
        return answers
    }

    /// A GET request text without a `Connection` header (so the connection stays open), with extra `headers`.
    public static func getRequest(_ target: String, headers: [String: String] = [:]) -> String {
        var text = "GET \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    /// Reads one `Content-Length` response, keeping bytes past it in `buffered` for the next.
    public static func readOneResponse(_ fd: Int32, buffered: inout Data) throws -> Response {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let separator = buffered.range(of: Data("\r\n\r\n".utf8)) {
                let head = try parse(buffered[..<separator.upperBound])
                let length = Int(head.headers["content-length"] ?? "0") ?? 0
                let end = separator.upperBound + length
                if buffered.endIndex >= end {
                    var response = head
                    response.body = Data(buffered[separator.upperBound..<end])
                    buffered = Data(buffered[end...])
                    return response
                }
            }
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else {
                throw ClientError.malformedResponse("connection closed after \(buffered.count) bytes of an answer")
            }
            buffered.append(contentsOf: chunk[0..<count])
        }
    }

    public static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ClientError.connect(code)
        }
        return fd
    }

    public static func sendAll(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    static func readAll(_ fd: Int32) -> Data {
        var result = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    static func parse(_ data: Data) throws -> Response {
        guard let separator = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw ClientError.malformedResponse(String(decoding: data.prefix(200), as: UTF8.self))
        }
        let head = String(decoding: data[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError.malformedResponse(head[0]) }
        var headers = [String: String]()
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[separator.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var result = Data()
        var index = data.startIndex
        while let lineEnd = data[index...].range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard start + size <= data.endIndex else { break }
            result.append(data[start..<(start + size)])
            index = start + size + 2
        }
        return result
    }
}
