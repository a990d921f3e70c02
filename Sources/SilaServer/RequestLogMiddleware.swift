import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id that ties its log lines to the CMS's own logs: the caller's `X-Request-Id` when it
/// sends a sane one, else the server's. The id is echoed in the response header and set on the request's logger.
/// The id is carried in a task-local read by the logger's metadata provider (`RequestIDMetadata`) rather than set
/// on the request's logger: StreamLogHandler re-renders its metadata on every change, a visible share of a GET.
/// One access line per request at `debug` (`--log-level debug`); failures (4xx/5xx) at `notice`, so a default log
/// shows what went wrong and for which request without the cost of logging ten thousand successes a second.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.callerID(request.headers[Self.headerName]) ?? context.id
        let start = ContinuousClock.now
        var response = try await RequestIDMetadata.$current.withValue(id) { try await next(request, context) }
        response.headers[Self.headerName] = id
        let status = response.status.code
        let level: Logger.Level = status >= 400 ? .notice : .debug
        if context.logger.logLevel <= level {
            let elapsed = ContinuousClock.now - start
            context.logger.log(
                level: level, "\(request.method.rawValue) \(request.uri.path) \(status)",
                metadata: [
                    "request_id": .string(id),
                    "ms": .string(String(format: "%.2f", elapsed.inSeconds * 1e3)),
                ])
        }
        return response
    }

    /// A caller's id is kept when it is 1–64 characters of letters, digits, `-`, `_`, `.`, `:` (it ends up in logs).
    static func callerID(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            })
        else { return nil }
        return value
    }
}

/// `request_id` in every line logged while a request is answered (errors logged by other middlewares included).
enum RequestIDMetadata {
    @TaskLocal static var current: String?

    static let provider = Logger.MetadataProvider { current.map { ["request_id": .string($0)] } ?? [:] }

    /// `logger` with the provider added to any it already has.
    static func adding(to logger: Logger) -> Logger {
        var logger = logger
        logger.handler.metadataProvider =
            logger.handler.metadataProvider.map { Logger.MetadataProvider.multiplex([$0, provider]) ?? provider } ?? provider
        return logger
    }
}
