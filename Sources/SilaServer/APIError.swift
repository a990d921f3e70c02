import Foundation
import Hummingbird
import Store

/// An error answer of the socket API: `{"error": {"code": "...", "message": "..."}}` with its HTTP status.
/// The codes are stable; clients may switch on them.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(status: status, ErrorBody(error: .init(code: code, message: message)))
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message: message) }
    static func invalidArticle(_ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_article", message: message)
    }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", message: what) }
    static let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "request body is over the 2 MiB limit")
    static let noModel = APIError(
        .serviceUnavailable, code: "no_index", message: "the database has no model yet: run `sila index` (or POST /v1/recompute)")

    /// The answer to a storage failure: 503 with `database_busy` while another process holds the write lock (past
    /// the store's bounded wait), `storage_unavailable` when the disk is full, the database is read-only, damaged or
    /// failing; nil for store errors that are not the storage's state. A client may retry a 503 later; reads keep
    /// working through all of these except damage.
    static func storage(_ error: StoreError) -> APIError? {
        guard error.isStorageUnavailable else { return nil }
        if case .busy = error {
            return APIError(
                .serviceUnavailable, code: "database_busy",
                message: "the database is locked by another writer (waited \(Int(SilaStoreLimits.busyTimeout)) s); retry later")
        }
        let message: String
        switch error {
        case .diskFull: message = "the disk is full: nothing was written; free space and retry"
        case .readOnly: message = "the database is read-only: writes are refused, reads work"
        case .corrupt: message = "the database file is damaged; see the server log"
        default: message = "storage failure; see the server log"
        }
        return APIError(.serviceUnavailable, code: "storage_unavailable", message: message)
    }
}

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }
    let error: Detail
}

/// JSON responses with a stable key order.
enum JSONResponse {
    /// The `Content-Type` of every JSON answer (the router's and the event loop's).
    static let contentType = "application/json; charset=utf-8"

    static func make(status: HTTPResponse.Status = .ok, _ value: some Encodable) -> Response {
        make(status: status, body: body(value))
    }

    /// A response with an already encoded body.
    static func make(status: HTTPResponse.Status = .ok, body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: body))
    }

    /// The JSON of `value` and a newline.
    static func body(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return buffer
    }
}

/// Turns every error a route throws into the JSON error shape (Hummingbird's own 404/405 included).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StoreError where APIError.storage(error) != nil {
            context.logger.error("storage unavailable", metadata: ["error": "\(error)"])
            return try APIError.storage(error)!.response(from: request, context: context)
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : error.status == .contentTooLarge ? "body_too_large" : "http_\(error.status.code)"
            return JSONResponse.make(
                status: error.status,
                ErrorBody(error: .init(code: code, message: error.body ?? error.status.reasonPhrase)))
        } catch let error as HTTPResponseError {
            return JSONResponse.make(status: error.status, ErrorBody(error: .init(code: "http_\(error.status.code)", message: "\(error)")))
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(error)"])
            return JSONResponse.make(
                status: .internalServerError, ErrorBody(error: .init(code: "internal", message: "internal error: \(error)")))
        }
    }
}
