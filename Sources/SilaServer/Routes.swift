import Foundation
import Hummingbird
import SilaCore
import Store

/// The socket API of DESIGN.md: related lists, live upserts and deletes, cold start, recompute jobs, health.
struct Routes {
    let state: ServerState
    let configuration: ServerConfiguration

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/health") { _, _ in try health() }
        router.get("/v1/articles/:id/related") { request, context in try related(request, context) }
        router.put("/v1/articles/:id") { request, context in try await upsert(request, context) }
        router.delete("/v1/articles/:id") { _, context in try delete(context) }
        router.post("/v1/related") { request, context in try await coldStart(request, context) }
        router.post("/v1/recompute") { _, _ in try recompute() }
        router.get("/v1/jobs/:id") { _, context in try job(context) }
    }

    struct RelatedAnswer: Encodable {
        let id: String
        let related: [RelatedItem]
        let model: String?
        /// `stored` (the list of the last recompute or live update) or `live` (computed for this request).
        var source: RelatedLookup.Source? = nil
    }

    func health() throws -> Response {
        struct Health: Encodable {
            let status: String
            let articles: Int
            let model: String?
            let uptime_seconds: Double
        }
        let live = state.liveIndex
        return JSONResponse.make(
            Health(
                status: "ok", articles: try state.store.articleCount(), model: live?.model.id,
                uptime_seconds: Date().timeIntervalSince(state.startedAt)))
    }

    func related(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        let k = try requestedK(request)
        let filter = try requestedFilter(request)
        let answer: (items: [RelatedItem], source: RelatedLookup.Source)
        do {
            answer = try RelatedLookup(store: state.store, liveIndex: { [state] in state.liveIndex }).related(of: id, k: k, filter: filter)
        } catch CoreError.unknownArticle {
            throw APIError.notFound("no article with id '\(id)'")
        }
        let items = try explained(answer.items, for: { try state.store.article(id: id) }, request)
        return JSONResponse.make(RelatedAnswer(id: id, related: items, model: state.liveIndex?.model.id, source: answer.source))
    }

    /// Adds explanations when the request asks for them (`?explain=1`).
    func explained(_ items: [RelatedItem], for query: () throws -> Article?, _ request: Request) throws -> [RelatedItem] {
        guard let flag = request.uri.queryParameters.get("explain"), flag == "1" || flag == "true", let query = try query(),
            let live = state.liveIndex
        else { return items }
        return try live.explainer.explain(items, for: query, store: state.store)
    }

    func upsert(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try articleID(context)
        var fields = try await jsonObject(request)
        if let bodyID = fields["id"], (bodyID as? String) != id {
            throw APIError.invalidArticle("field 'id' (\(bodyID)) does not match the id in the path ('\(id)')")
        }
        fields["id"] = id
        let article = try ArticleInput.article(from: fields)
        guard let live = state.liveIndex else { throw APIError.noModel }
        let (created, list) = try live.upsert(article)
        return JSONResponse.make(
            status: created ? .created : .ok,
            RelatedAnswer(id: id, related: try explained(try state.store.items(for: list), for: { article }, request), model: live.model.id))
    }

    func delete(_ context: BasicRequestContext) throws -> Response {
        let id = try articleID(context)
        guard let live = state.liveIndex else { throw APIError.noModel }
        guard try live.delete(id: id) else { throw APIError.notFound("no article with id '\(id)'") }
        return Response(status: .noContent)
    }

    func coldStart(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var fields = try await jsonObject(request)
        if fields["id"] == nil { fields["id"] = "_query" }
        let article = try ArticleInput.article(from: fields)
        let k = try requestedK(request)
        let filter = try requestedFilter(request)
        guard let live = state.liveIndex else { throw APIError.noModel }
        let list = live.related(to: article, k: k, filter: filter)
        return JSONResponse.make(
            RelatedAnswer(
                id: article.id, related: try explained(try state.store.items(for: list), for: { article }, request), model: live.model.id,
                source: .live))
    }

    func recompute() throws -> Response {
        guard let job = try state.startRecompute() else {
            throw APIError(.conflict, code: "recompute_running", message: "a recompute is already running")
        }
        struct Accepted: Encodable { let job: Int64 }
        return JSONResponse.make(status: .accepted, Accepted(job: job))
    }

    func job(_ context: BasicRequestContext) throws -> Response {
        guard let id = Int64(try context.parameters.require("id")) else { throw APIError.badRequest("job id must be a number") }
        guard let record = try state.store.job(id: id) else { throw APIError.notFound("no job \(id)") }
        return JSONResponse.make(record)
    }

    // MARK: Request parsing

    func articleID(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        guard !id.isEmpty, id.count <= 256 else { throw APIError.badRequest("article id must be 1 to 256 characters") }
        return id
    }

    func requestedK(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("k") else { return 10 }
        guard let k = Int(text), k >= 1, k <= configuration.maxK else {
            throw APIError.badRequest("k must be an integer from 1 to \(configuration.maxK), got '\(text.prefix(20))'")
        }
        return k
    }

    /// `category`, `since`, `until` (dates or instants), `exclude` (comma-separated ids), `min_score`: which articles
    /// the box may show.
    func requestedFilter(_ request: Request) throws -> RelatedFilter {
        let parameters = request.uri.queryParameters
        do {
            return try RelatedFilter(
                category: parameters.get("category"), sinceText: parameters.get("since"), untilText: parameters.get("until"),
                excludeText: parameters.get("exclude"), minimumScoreText: parameters.get("min_score"))
        } catch CoreError.invalidOption(let message) {
            throw APIError.badRequest(message)
        }
    }

    func jsonObject(_ request: Request) async throws -> [String: Any] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch {
            throw APIError.tooLarge
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw APIError.badRequest("body must be a JSON object (an article)") }
        return fields
    }
}

/// Article validation for the socket: the same rules as ingest, answered with 422.
enum ArticleInput {
    static func article(from fields: [String: Any]) throws -> Article {
        switch ArticleValidation.article(from: fields) {
        case .success(let article): return article
        case .failure(let reason): throw APIError.invalidArticle(reason.reason)
        }
    }
}
