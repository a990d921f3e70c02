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

    /// - Parameter plain: index with the pure cosine (the tests then know exactly what ranks first).
    init(indexed: Bool = true, plain: Bool = true, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        store = try SilaStore.open(path: directory.path("server.sqlite"), createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        if indexed {
            var options = IndexOptions()
            options.modelsDirectory = nil
            options.plain = plain
            _ = try Indexer(store: store).run(options)
        }
        socketPath = directory.path("s.sock")
        var configuration = ServerConfiguration(socketPath: socketPath)
        configure(&configuration)
        var options = IndexOptions()
        options.modelsDirectory = nil
        let server = try SilaServer(store: store, configuration: configuration, indexOptions: options)
        let ready = AsyncStream<Void>.makeStream()
        task = Task {
            defer { ready.continuation.finish() }  // a server that fails to start must not leave the test waiting
            try await server.run { ready.continuation.yield() }
        }
        for await _ in ready.stream { break }
    }

    func request(_ method: String, _ target: String, json: String? = nil) async throws -> UnixHTTPClient.Response {
        try await UnixHTTPClient.send(socket: socketPath, method: method, target: target, body: json.map { Data($0.utf8) })
    }

    /// What `sila index --refit --min-df 1` run by another process does to the server's database file: a new model
    /// made current and new lists swapped in under the running server. Returns the new model's id.
    @discardableResult
    func refitInAnotherWriter() throws -> String? {
        var options = IndexOptions()
        options.modelsDirectory = nil
        options.refit = true
        options.plain = true
        options.parameters.minDF = 1  // another vocabulary, so another model id
        _ = try Indexer(store: store).run(options)
        return try store.currentModelID()
    }

    /// Cancels the server (graceful shutdown) and waits until it has stopped.
    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }
}
