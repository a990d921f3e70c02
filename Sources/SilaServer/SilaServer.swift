import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import SilaCore
import Store

/// `sila serve`: the socket API over HTTP/1.1 on a Unix domain socket (and optionally loopback TCP).
public struct SilaServer: Sendable {
    /// The `Server` header of every answer.
    static let serverName = "sila"

    public let configuration: ServerConfiguration
    let state: ServerState
    let metrics = ServerMetrics()
    let answers: AnswerCache

    /// - Throws: when the database cannot be read.
    public init(store: SilaStore, configuration: ServerConfiguration, indexOptions: IndexOptions = IndexOptions()) throws {
        self.configuration = configuration
        state = try ServerState(store: store, indexOptions: indexOptions)
        answers = AnswerCache(capacityBytes: configuration.answerCacheBytes)
    }

    /// The router with every route and the JSON error middleware (also used by in-process tests).
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(RequestLogMiddleware())
        router.middlewares.add(MetricsRecordingMiddleware(metrics: metrics))
        router.middlewares.add(JSONErrorMiddleware())
        router.middlewares.add(
            RequestHeadLimitMiddleware(maxHeaderBytes: configuration.maxHeaderBytes, maxTargetBytes: configuration.maxTargetBytes))
        if let token = configuration.accessToken { router.middlewares.add(AccessTokenMiddleware(token: token)) }
        Routes(state: state, configuration: configuration, answers: answers).register(on: router)
        router.get("/metrics") { [state, metrics] _, _ in
            metrics.setIndex(articles: state.liveIndex?.articleCount ?? 0, lastRecompute: try state.store.lastComputedAt())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        return router
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and removes the socket file.
    /// - Parameter onReady: called once the socket accepts connections.
    public func run(logger: Logger = Logger(label: "sila"), onReady: @escaping @Sendable () -> Void = {}) async throws {
        let logger = RequestIDMetadata.adding(to: logger)
        try SocketFile.prepare(path: configuration.socketPath)
        let mode = configuration.socketMode
        let path = configuration.socketPath
        let connections = FileDescriptorLimit.raise(toServe: configuration.maxConnections)
        let shortcut = CachedAnswerShortcut(
            state: state, answers: answers, metrics: metrics, configuration: configuration, serverName: Self.serverName,
            logsEveryRequest: logger.logLevel <= .debug)
        let http = HTTPServerBuilder.http1(
            configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds))), shortcut: shortcut)
        func listening(on address: BindAddress) -> ApplicationConfiguration {
            ApplicationConfiguration(
                address: address, serverName: Self.serverName, backlog: 1024,
                availableConnectionsDelegate: MaximumAvailableConnections(connections))
        }
        var apps = [Application<RouterResponder<BasicRequestContext>>]()
        apps.append(
            Application(
                router: makeRouter(), server: http,
                configuration: listening(on: .unixDomainSocket(path: path)),
                onServerRunning: { _ in
                    chmod(path, mode_t(mode))
                    onReady()
                },
                logger: logger))
        if let tcp = configuration.tcp {
            guard configuration.allowRemote || SocketFile.isLoopback(tcp.host) else {
                throw ServerError.remoteNotAllowed(host: tcp.host)
            }
            apps.append(
                Application(
                    router: makeRouter(), server: http, configuration: listening(on: .hostname(tcp.host, port: tcp.port)),
                    logger: logger))
        }
        defer { unlink(path) }
        let state = self.state
        let interval = configuration.reloadCheckSeconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for app in apps {
                group.addTask { try await app.runService() }
            }
            group.addTask { await Self.watchForOtherWriters(state: state, every: interval, logger: logger) }
            // The listeners end together (signal or cancellation); the watcher only when told to.
            _ = try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

extension SilaServer {
    /// Polls the store's generation until cancelled; a reload runs in the background (`BackgroundWork`: it reads
    /// every vector).
    /// Any commit to the file since the last poll (another process's included) retires the cached answers.
    static func watchForOtherWriters(state: ServerState, every seconds: Double, logger: Logger) async {
        var fileStamp = DatabaseFileStamp(databasePath: state.store.path)
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(seconds))
            } catch {
                return
            }
            let stamp = DatabaseFileStamp(databasePath: state.store.path)
            if stamp != fileStamp {
                state.answersChanged()
                fileStamp = stamp
            }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                BackgroundWork.start("sila.reload") {
                    do {
                        try state.reloadIfChanged(logger: logger)
                    } catch {
                        logger.error("could not reload the index after the database changed: \(error)")
                    }
                    done.resume()
                }
            }
        }
    }
}

/// Why the server refused to start.
public enum ServerError: Error, CustomStringConvertible {
    case socketInUse(path: String)
    case socketPathTooLong(path: String, limit: Int)
    case notASocket(path: String)
    case remoteNotAllowed(host: String)
    case worldWritableDirectory(path: String)

    public var description: String {
        switch self {
        case .socketInUse(let path): return "\(path): a server is already listening on this socket; stop it or choose --socket"
        case .socketPathTooLong(let path, let limit):
            return "\(path): socket path is \(path.utf8.count) bytes, the kernel allows \(limit); choose a shorter --socket"
        case .notASocket(let path): return "\(path): exists and is not a socket (a file or a symlink); refusing to replace it"
        case .worldWritableDirectory(let path):
            return "\(path): the socket's directory is writable by every user, who could replace the socket; use a directory only sila's user and group can write (e.g. /run/sila)"
        case .remoteNotAllowed(let host):
            return "--tcp \(host): not a loopback address; pass --allow-remote to listen beyond this machine"
        }
    }
}

/// Checks on the socket path before binding: length, a live server already there, a stale file to replace.
enum SocketFile {
    /// sun_path is 108 bytes on Linux, including the terminating NUL.
    static let maximumPathBytes = 107

    static func prepare(path: String) throws {
        guard path.utf8.count <= maximumPathBytes else {
            throw ServerError.socketPathTooLong(path: path, limit: maximumPathBytes)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var directoryStatus = stat()
        if stat(directory, &directoryStatus) == 0, directoryStatus.st_mode & S_IWOTH != 0 {
            // Anyone could plant a file or symlink at the path between our check and bind, or replace the socket.
            throw ServerError.worldWritableDirectory(path: directory)
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else { throw ServerError.notASocket(path: path) }
        if isListening(path) { throw ServerError.socketInUse(path: path) }
        unlink(path)  // stale: left by a crashed server
    }

    /// Whether something accepts connections on the socket.
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
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
        return result == 0
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The open-file limit bounds how many clients can connect at once (each connection is a descriptor).
enum FileDescriptorLimit {
    /// Raises the soft limit towards the hard one and returns how many connections fit under it (leaving room for
    /// the database, the model and the listeners).
    static func raise(toServe wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return min(wanted, 900) }
        let needed = rlim_t(wanted + 128)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(needed, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return max(16, min(wanted, Int(limit.rlim_cur) - 128))
    }
}
