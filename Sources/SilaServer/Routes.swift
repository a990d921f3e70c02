import Foundation
import Hummingbird
import SilaCore
import Store

/// The socket API of DESIGN.md: related lists, live upserts and deletes, cold start, recompute jobs, health.
struct Routes {
    let state: ServerState
    let configuration: ServerConfiguration
    /// Encoded GET answers, shared by every listener of the server.
    let answers: AnswerCache

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/health") { _, _ in try health() }
        router.get("/v1/articles/:id/related") { request, context in try related(request, context) }
        router.put("/v1/articles/:id") { request, context in try await upsert(request, context) }
        router.delete("/v1/articles/:id") { _, context in try await delete(context) }
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

    /// A repeated request target is answered from `answers` until the lists change; only a 200 is filed (errors
    /// are cheap and must name the request). The generation is taken before the store is read (see AnswerCache).
    func related(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let target = request.uri.string
        let generation = state.answersGeneration
        if let body = answers.answer(for: target, generation: generation) { return JSONResponse.make(body: body) }
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
        let reply = RelatedAnswer(id: id, related: items, model: state.liveIndex?.model.id, source: answer.source)
        let body = RelatedAnswerJSON.body(of: reply) ?? JSONResponse.body(reply)
        answers.store(body, for: target, generation: generation)
        return JSONResponse.make(body: body)
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
        let article = try RequestParsing.article(from: try await jsonObject(request), pathID: id)
        let (created, list, modelID) = try await state.performWrite { live in
            let (created, list) = try live.upsert(article)
            return (created, list, live.model.id)
        }
        return JSONResponse.make(
            status: created ? .created : .ok,
            RelatedAnswer(id: id, related: try explained(try state.store.items(for: list), for: { article }, request), model: modelID))
    }

    func delete(_ context: BasicRequestContext) async throws -> Response {
        let id = try articleID(context)
        let deleted = try await state.performWrite { live in try live.delete(id: id) }
        guard deleted else { throw APIError.notFound("no article with id '\(id)'") }
        return Response(status: .noContent)
    }

    func coldStart(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let article = try RequestParsing.article(from: try await jsonObject(request), pathID: nil)
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

    /// A write refused because another process changed the model answers 503 `index_reloading`: the client retries.
    static func reloadingAware<T>(_ write: () throws -> T) throws -> T {
        do {
            return try write()
        } catch let error as LiveIndexError {
            throw APIError(.serviceUnavailable, code: "index_reloading", message: "\(error)")
        }
    }

    // MARK: Request parsing (the pure rules are in RequestParsing)

    func articleID(_ context: BasicRequestContext) throws -> String {
        try RequestParsing.articleID(try context.parameters.require("id"))
    }

    func requestedK(_ request: Request) throws -> Int {
        try RequestParsing.k(request.uri.queryParameters.get("k"), maxK: configuration.maxK)
    }

    func requestedFilter(_ request: Request) throws -> RelatedFilter {
        let parameters = request.uri.queryParameters
        return try RequestParsing.filter(
            category: parameters.get("category"), since: parameters.get("since"), until: parameters.get("until"),
            exclude: parameters.get("exclude"), minimumScore: parameters.get("min_score"))
    }

    func jsonObject(_ request: Request) async throws -> [String: Any] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge
        } catch {
            throw APIError.badRequest("the request body ended before its Content-Length")
        }
        return try RequestParsing.jsonObject(Data(buffer.readableBytesView))
    }
}
