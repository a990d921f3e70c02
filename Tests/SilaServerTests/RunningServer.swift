import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport

/// A real `SilaServer` on a real Unix socket in a temporary directory, over an indexed copy of the sample corpus.
final class RunningServer: @unchecked Sendable {
    let directory = TemporaryDirectory()
    let store: SilaStore
    let socketPath: String
    private var task: Task<Void, any Error>?

    init(indexed: Bool = true, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        store = try SilaStore.open(path: directory.path("server.sqlite"), createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        if indexed {
            var options = IndexOptions()
            options.modelsDirectory = nil
            _ = try Indexer(store: store).run(options)
        }
        socketPath = directory.path("s.sock")
        var configuration = ServerConfiguration(socketPath: socketPath)
        configure(&configuration)
        var options = IndexOptions()
        options.modelsDirectory = nil
        let server = try SilaServer(store: store, configuration: configuration, indexOptions: options)
        let ready = AsyncStream<Void>.makeStream()
        task = Task { try await server.run { ready.continuation.yield() } }
        for await _ in ready.stream { break }
    }

    func request(_ method: String, _ target: String, json: String? = nil) throws -> UnixHTTPClient.Response {
        try UnixHTTPClient.request(socket: socketPath, method: method, target: target, body: json.map { Data($0.utf8) })
    }

    /// Cancels the server (graceful shutdown) and waits until it has stopped.
    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }
}
