import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// HTTP/1.1 over a Unix domain socket with raw POSIX calls, for the server load generator and the soak client:
// connecting, writing whole requests, and finding complete responses in a receive buffer without copying.
// Keep-alive only (no `Connection: close`), one request in flight per connection.

/// Connects a stream socket to the Unix domain socket at `path`; returns the descriptor, or `-errno`.
/// - Parameter nonBlocking: set O_NONBLOCK after connecting (the poll-loop load generator).
func unixSocketConnect(_ path: String, nonBlocking: Bool = false) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return -errno }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8.prefix(raw.count - 1))
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard result == 0 else {
        let code = errno
        close(fd)
        return -code
    }
    if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    return fd
}

/// The request line and headers of a request, with `body` appended (Content-Length set when there is a body).
func httpRequestBytes(method: String, target: String, body: [UInt8]? = nil) -> [UInt8] {
    var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
    if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
    head += "\r\n"
    return Array(head.utf8) + (body ?? [])
}

/// A complete response found at the start of a receive buffer.
struct HTTPResponseFrame {
    var status: Int
    /// Bytes of the whole response (head and body): what to drop from the buffer.
    var length: Int
    /// Where the body lies in the buffer (for chunked bodies: the raw chunked bytes; see `dechunkedBody`).
    var bodyStart: Int
    var bodyEnd: Int
    var chunked: Bool
    /// The server announced `Connection: close`.
    var closes: Bool
}

enum HTTPFrameError: Error, CustomStringConvertible {
    case malformed(String)
    var description: String {
        switch self { case .malformed(let why): return "malformed response: \(why)" }
    }
}

/// Looks for one complete response in `buffer[0..<count]`. Returns nil while it is incomplete.
/// - Parameter bodiless: the request was HEAD (no body whatever the headers say).
func parseHTTPResponse(_ buffer: UnsafePointer<UInt8>, count: Int, bodiless: Bool = false) throws -> HTTPResponseFrame? {
    // End of the head: CR LF CR LF.
    var headEnd = -1
    var index = 3
    while index < count {
        if buffer[index] == 10, buffer[index - 1] == 13, buffer[index - 2] == 10, buffer[index - 3] == 13 {
            headEnd = index + 1
            break
        }
        index += 1
    }
    guard headEnd > 0 else {
        if count > 64 * 1024 { throw HTTPFrameError.malformed("no end of headers in 64 KiB") }
        return nil
    }
    // "HTTP/1.1 200 ...": the status is the three digits after the first space.
    guard count >= 12, buffer[0] == UInt8(ascii: "H"), buffer[8] == UInt8(ascii: " ") else {
        throw HTTPFrameError.malformed(String(decoding: UnsafeBufferPointer(start: buffer, count: min(count, 40)), as: UTF8.self))
    }
    var status = 0
    for offset in 9..<12 {
        let digit = Int(buffer[offset]) - 48
        guard digit >= 0, digit <= 9 else { throw HTTPFrameError.malformed("status line") }
        status = status * 10 + digit
    }
    var contentLength: Int? = nil
    var chunked = false
    var closes = false
    // Header lines: only Content-Length, Transfer-Encoding and Connection matter.
    var lineStart = 0
    while lineStart < headEnd - 2 {
        var lineEnd = lineStart
        while lineEnd < headEnd - 1, !(buffer[lineEnd] == 13 && buffer[lineEnd + 1] == 10) { lineEnd += 1 }
        if lineStart > 0 {
            if headerNameIs("content-length", buffer, lineStart, lineEnd) {
                var value = 0
                var position = lineStart + 15
                while position < lineEnd {
                    let byte = buffer[position]
                    if byte >= 48, byte <= 57 { value = value * 10 + Int(byte) - 48 }
                    position += 1
                }
                contentLength = value
            } else if headerNameIs("transfer-encoding", buffer, lineStart, lineEnd) {
                chunked = headerValueContains("chunked", buffer, lineStart + 18, lineEnd)
            } else if headerNameIs("connection", buffer, lineStart, lineEnd) {
                closes = headerValueContains("close", buffer, lineStart + 11, lineEnd)
            }
        }
        lineStart = lineEnd + 2
    }
    if bodiless || status == 204 || status == 304 || (100..<200).contains(status) {
        return HTTPResponseFrame(status: status, length: headEnd, bodyStart: headEnd, bodyEnd: headEnd, chunked: false, closes: closes)
    }
    if chunked {
        // Walk the chunks: "SIZE\r\n DATA \r\n" … "0\r\n\r\n" (no trailers from this server).
        var position = headEnd
        while true {
            var size = 0
            var digits = 0
            while position < count, buffer[position] != 13 {
                let byte = buffer[position]
                if let value = hexValue(byte), digits >= 0 { size = size * 16 + value; digits += 1 } else { digits = -1 }
                position += 1
            }
            guard position + 1 < count else { return nil }
            position += 2
            if size == 0 {
                guard position + 1 < count else { return nil }
                return HTTPResponseFrame(
                    status: status, length: position + 2, bodyStart: headEnd, bodyEnd: position + 2, chunked: true, closes: closes)
            }
            position += size + 2
            guard position <= count else { return nil }
        }
    }
    guard let contentLength else {
        throw HTTPFrameError.malformed("status \(status) without Content-Length or chunked encoding")
    }
    guard count >= headEnd + contentLength else { return nil }
    return HTTPResponseFrame(
        status: status, length: headEnd + contentLength, bodyStart: headEnd, bodyEnd: headEnd + contentLength, chunked: false,
        closes: closes)
}

/// The body of a frame as bytes, chunked encoding removed.
func responseBody(_ frame: HTTPResponseFrame, in buffer: UnsafePointer<UInt8>) -> [UInt8] {
    let raw = Array(UnsafeBufferPointer(start: buffer + frame.bodyStart, count: frame.bodyEnd - frame.bodyStart))
    guard frame.chunked else { return raw }
    var body = [UInt8]()
    var position = 0
    while position < raw.count {
        var size = 0
        while position < raw.count, raw[position] != 13 {
            if let value = hexValue(raw[position]) { size = size * 16 + value }
            position += 1
        }
        position += 2
        if size == 0 || position + size > raw.count { break }
        body += raw[position..<(position + size)]
        position += size + 2
    }
    return body
}

private func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case 48...57: return Int(byte) - 48
    case 97...102: return Int(byte) - 87
    case 65...70: return Int(byte) - 55
    default: return nil
    }
}

/// Whether the header line at `start..<end` is `name:` (ASCII, case-insensitive).
private func headerNameIs(_ name: StaticString, _ buffer: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    let length = name.utf8CodeUnitCount
    guard end - start > length, buffer[start + length] == UInt8(ascii: ":") else { return false }
    let expected = name.utf8Start
    for offset in 0..<length where buffer[start + offset] | 0x20 != expected[offset] { return false }
    return true
}

/// Whether the header value at `start..<end` contains `token` (lower-case ASCII), case-insensitively.
private func headerValueContains(_ token: StaticString, _ buffer: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    let length = token.utf8CodeUnitCount
    guard end - start >= length else { return false }
    let expected = token.utf8Start
    var position = start
    while position + length <= end {
        var matches = true
        for offset in 0..<length where buffer[position + offset] | 0x20 != expected[offset] {
            matches = false
            break
        }
        if matches { return true }
        position += 1
    }
    return false
}

/// Writes all of `bytes` to a blocking socket. Returns 0, or the errno that stopped it.
func sendAllBytes(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if sent == 0 { return EPIPE }
            offset += sent
        }
        return 0
    }
}

/// A growable receive buffer for one connection (manually managed so the hot loop never copies or re-checks).
final class ReceiveBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes received and not yet consumed, from `base`.
    var count = 0

    init(capacity: Int = 64 * 1024) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for at least `minimum` more bytes.
    func reserve(_ minimum: Int) {
        guard capacity - count < minimum else { return }
        let grown = max(capacity * 2, count + minimum)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }

    /// Drops the first `length` bytes (a consumed response).
    func consume(_ length: Int) {
        if length >= count {
            count = 0
        } else {
            (base).update(from: base + length, count: count - length)
            count -= length
        }
    }

    /// One `recv` into the free space. Returns the byte count, 0 at end of stream, or -errno.
    func receive(from fd: Int32) -> Int {
        reserve(16 * 1024)
        let received = recv(fd, base + count, capacity - count, 0)
        if received < 0 { return -Int(errno) }
        count += received
        return received
    }
}

/// One blocking keep-alive connection (the soak client's): sends a request and reads its whole response.
final class BlockingHTTPConnection {
    let path: String
    private var fd: Int32 = -1
    private let buffer = ReceiveBuffer()
    /// Receive timeout of each read, seconds.
    let timeoutSeconds: Int

    init(socketPath: String, timeoutSeconds: Int = 30) {
        path = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { disconnect() }

    /// What went wrong with a request, by kind (the soak client counts these).
    enum Failure: Error {
        /// connect failed (ECONNREFUSED while the server restarts, ENOENT before its socket exists, …).
        case connect(Int32)
        /// The connection broke while sending or before the whole response arrived (EPIPE, ECONNRESET, end of stream).
        case broken(String)
        case timeout
        case malformed(String)
    }

    var isConnected: Bool { fd >= 0 }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.count = 0
    }

    /// Sends one request (connecting first when needed) and returns the status and body.
    func request(_ bytes: [UInt8]) throws(Failure) -> (status: Int, body: [UInt8]) {
        if fd < 0 {
            let connected = unixSocketConnect(path)
            guard connected >= 0 else { throw .connect(-connected) }
            fd = connected
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        let sendError = sendAllBytes(fd, bytes)
        guard sendError == 0 else {
            disconnect()
            throw .broken("send: \(String(cString: strerror(sendError)))")
        }
        while true {
            let frame: HTTPResponseFrame?
            do {
                frame = try parseHTTPResponse(buffer.base, count: buffer.count)
            } catch {
                disconnect()
                throw .malformed("\(error)")
            }
            if let frame {
                let body = responseBody(frame, in: buffer.base)
                buffer.consume(frame.length)
                if frame.closes { disconnect() }
                return (frame.status, body)
            }
            let received = buffer.receive(from: fd)
            if received == -Int(EINTR) { continue }
            if received == -Int(EAGAIN) || received == -Int(EWOULDBLOCK) {
                disconnect()
                throw .timeout
            }
            if received <= 0 {
                let why = received == 0 ? "end of stream" : String(cString: strerror(Int32(-received)))
                disconnect()
                throw .broken("recv: \(why)")
            }
        }
    }
}
