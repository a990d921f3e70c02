import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The GETs a page render repeats, answered from `AnswerCache` on the connection's event loop, before the request
/// reaches the router.
///
/// Why: a cached GET costs next to nothing in Sila, yet going through the router took ~100 µs of CPU each (the
/// hand-off of every request from the event loop to a task and back, the middleware chain, a logger per request).
/// Answered on the event loop it takes ~40 µs, the HTTP parsing and encoding, so the same cores answer more pages,
/// and sooner.
///
/// What the answer holds is what the router would send: the same body (the cache only holds bodies the router filed,
/// under the generation of answers still current), the same headers (`Content-Type`, `Content-Length`, `X-Request-Id`,
/// `Date`, `Server`), and the request counted in `/metrics` under the route it would have taken. A request is left to
/// the router whenever that could differ: not a GET, not cached, a missing or wrong access token, a header block or
/// target over the limits, a `Connection` header other than `keep-alive` (the router closes after `close`), or access
/// lines logged for every request (`--log-level debug`).
struct CachedAnswerShortcut: Sendable {
    /// The metrics label of `GET /v1/articles/{id}/related`, as the router reports it.
    static let relatedRoute = "/v1/articles/{id}/related"

    let state: ServerState
    let answers: AnswerCache
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    /// The `Server` field (the router's server name).
    let server: HTTPField
    /// With access lines at `debug`, every request goes through the router so that each gets its line.
    let logsEveryRequest: Bool

    init(
        state: ServerState, answers: AnswerCache, metrics: ServerMetrics, configuration: ServerConfiguration, serverName: String,
        logsEveryRequest: Bool
    ) {
        self.state = state
        self.answers = answers
        self.metrics = metrics
        self.configuration = configuration
        server = HTTPField(name: .server, value: serverName)
        self.logsEveryRequest = logsEveryRequest
    }

    /// The cached body for this request head, or nil when the router must answer it.
    func cachedBody(for head: HTTPRequest) -> ByteBuffer? {
        guard !logsEveryRequest, head.method == .get, let target = head.path, target.utf8.count <= configuration.maxTargetBytes,
            Self.keepsConnectionOpen(head), head.headerFields.bytesAsSent <= configuration.maxHeaderBytes
        else { return nil }
        if let token = configuration.accessToken, !token.admits(authorization: head.headerFields[.authorization]) {
            return nil
        }
        return answers.answer(for: target, generation: state.answersGeneration)
    }

    /// No `Connection` header, or only `keep-alive` (Node's agent sends it): anything else (`close`, an upgrade) is
    /// the router's to handle.
    static func keepsConnectionOpen(_ head: HTTPRequest) -> Bool {
        let values = head.headerFields[values: .connection]
        return values.allSatisfy { $0.lowercased() == "keep-alive" }
    }

    /// The response head the router writes for a cached body (fields appended, not set: nothing to look up).
    func responseHead(bodyBytes: Int, requestID: String, date: HTTPField) -> HTTPResponse {
        var fields = HTTPFields()
        fields.reserveCapacity(5)
        fields.append(Self.contentType)
        fields.append(HTTPField(name: .contentLength, value: String(bodyBytes)))
        fields.append(HTTPField(name: Self.requestIDName, value: requestID))
        fields.append(date)
        fields.append(server)
        return HTTPResponse(status: .ok, headerFields: fields)
    }

    static let contentType = HTTPField(name: .contentType, value: JSONResponse.contentType)
    static let requestIDName = RequestLogMiddleware<BasicRequestContext>.headerName

    /// The caller's request id when it sent a usable one, else the next of `ids`.
    static func requestID(of head: HTTPRequest, ids: inout RequestIDSequence) -> String {
        RequestLogMiddleware<BasicRequestContext>.callerID(head.headerFields[requestIDName]) ?? ids.next()
    }
}

/// Request ids for one connection's event-loop answers, shaped like the router's (32 hex digits): a random 64-bit
/// prefix per connection and a counter, written without the string concatenations of Hummingbird's `RequestID`
/// (a visible share of a cached answer's CPU).
struct RequestIDSequence {
    private let prefix = UInt64.random(in: .min ... .max)
    private var counter: UInt64 = 0

    mutating func next() -> String {
        counter &+= 1
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { text in
            digits.withUTF8Buffer { hex in
                for nibble in 0..<16 {
                    let shift = UInt64(60 - 4 * nibble)
                    text[nibble] = hex[Int((prefix >> shift) & 0xF)]
                    text[16 + nibble] = hex[Int((counter >> shift) & 0xF)]
                }
            }
            return 32
        }
    }
}

/// One connection's shortcut, placed between Hummingbird's connection-state handler (which so still sees every
/// request and answer: idle timeout and graceful shutdown keep working) and the channel the router reads.
///
/// HTTP/1.1 answers in request order: while a request handed to the router has not been answered, later requests on
/// the connection go to the router too, behind it.
final class CachedAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct PendingAnswer {
        let body: ByteBuffer
        let requestID: String
        let start: ContinuousClock.Instant
    }

    private let shortcut: CachedAnswerShortcut
    private var dates = HTTPDateText()
    private var requestIDs = RequestIDSequence()
    /// The route's request metric, looked up once per connection.
    private lazy var relatedMetric = shortcut.metrics.requestMetric(
        route: CachedAnswerShortcut.relatedRoute, method: "GET", status: 200)
    /// Requests handed to the router whose answers have not been written yet.
    private var requestsAtRouter = 0
    /// The cached answer of the request being read (its body, if any, is ignored as the router ignores it).
    private var pending: PendingAnswer?
    private var answersToFlush = false

    init(shortcut: CachedAnswerShortcut) {
        self.shortcut = shortcut
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if requestsAtRouter == 0, let body = shortcut.cachedBody(for: head) {
                pending = PendingAnswer(body: body, requestID: CachedAnswerShortcut.requestID(of: head, ids: &requestIDs), start: .now)
                return
            }
            requestsAtRouter += 1
            context.fireChannelRead(data)
        case .body:
            if pending == nil { context.fireChannelRead(data) }
        case .end:
            guard let answer = pending else {
                context.fireChannelRead(data)
                return
            }
            pending = nil
            let head = shortcut.responseHead(bodyBytes: answer.body.readableBytes, requestID: answer.requestID, date: dates.now())
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            answersToFlush = true
            shortcut.metrics.countEventLoopAnswer()
            relatedMetric.record(ContinuousClock.now - answer.start)
        }
    }

    /// Answers written while reading one batch of bytes leave in one flush.
    func channelReadComplete(context: ChannelHandlerContext) {
        if answersToFlush {
            answersToFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The router's answers pass here; one that ends lets the shortcut answer again once none is outstanding.
        // (The router also answers requests it never saw as heads, e.g. a 400 for bytes that do not parse.)
        if case .end = unwrapOutboundIn(data) { requestsAtRouter = max(0, requestsAtRouter - 1) }
        context.write(data, promise: promise)
    }
}

/// Hummingbird's HTTP/1.1 connection with `CachedAnswerHandler` in its pipeline.
struct ShortcutHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let shortcut: CachedAnswerShortcut
    var responder: Responder { http1.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { [shortcut] value in
            let pipeline = channel.pipeline.syncOperations
            let connectionState = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(CachedAnswerHandler(shortcut: shortcut), position: .after(connectionState))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 whose cached GETs are answered on the event loop (`CachedAnswerShortcut`).
    static func http1(configuration: HTTP1Channel.Configuration, shortcut: CachedAnswerShortcut) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ShortcutHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration), shortcut: shortcut)
        }
    }
}
