import ArgumentParser
import Foundation
import Logging
import SilaCore
import SilaServer
import Store

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve related lists to a CMS over a Unix domain socket (HTTP/1.1 + JSON).",
        discussion: """
            Endpoints: GET /v1/articles/{id}/related?k=10&category=&since=, PUT /v1/articles/{id}, \
            DELETE /v1/articles/{id}, POST /v1/related, POST /v1/recompute, GET /v1/jobs/{id}, GET /v1/health, \
            GET /metrics.
            Try: curl --unix-socket Data/sila.sock http://localhost/v1/health

            Access: the socket file gets --socket-mode (0660: sila's user and group may connect); its directory must \
            not be writable by everyone. With --token-file, every request needs `Authorization: Bearer TOKEN`.
            Every response carries X-Request-Id (the caller's, when it sends one); failed requests are logged with \
            it, and every request at --log-level debug.
            SIGINT/SIGTERM stop it gracefully and remove the socket file.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerArguments

    func run() async throws {
        try await server.serve(store: try database.open())
    }
}

struct ServerArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Unix socket path.", valueName: "path"))
    var socket = "Data/sila.sock"

    @Option(help: ArgumentHelp("Permission bits of the socket file, octal.", valueName: "mode"))
    var socketMode = "0660"

    @Option(help: ArgumentHelp("Also listen on TCP (loopback unless --allow-remote).", valueName: "host:port"))
    var tcp: String?

    @Flag(help: "Allow --tcp on a non-loopback address.")
    var allowRemote = false

    @Option(help: ArgumentHelp(
        "Require `Authorization: Bearer TOKEN` on every request; TOKEN is the first line of the file (mode 600, 16+ characters).",
        valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Close a connection idle (or stalled mid-request) for this many seconds.", valueName: "seconds"))
    var idleTimeout = 30

    @Option(help: ArgumentHelp("Log level: debug (one line per request), info, notice, warning, error.", valueName: "level"))
    var logLevel = "info"

    @Option(help: ArgumentHelp(
        "Memory for the encoded answers of GET related kept to answer repeated requests, MiB; 0 turns the cache off.",
        valueName: "MiB"))
    var answerCacheMib = 128

    func validate() throws {
        guard UInt16(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode must be octal, e.g. 0660") }
        if let tcp, parsedTCP(tcp) == nil { throw ValidationError("--tcp must be HOST:PORT, e.g. 127.0.0.1:8377") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1 to 3600 seconds") }
        guard (0...65536).contains(answerCacheMib) else { throw ValidationError("--answer-cache-mib must be 0 to 65536") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func parsedTCP(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    func serve(store: SilaStore) async throws {
        var configuration = ServerConfiguration(socketPath: socket)
        configuration.socketMode = UInt16(socketMode, radix: 8) ?? 0o660
        configuration.tcp = tcp.flatMap(parsedTCP)
        configuration.allowRemote = allowRemote
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.answerCacheBytes = answerCacheMib << 20
        configuration.accessToken = try tokenFile.map { try AccessToken(file: $0) }
        let server = try SilaServer(store: store, configuration: configuration)
        let path = socket
        var logger = Logger(label: "sila")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        try await server.run(logger: logger) {
            printError("sila: serving on \(path) — try: curl --unix-socket \(path) http://localhost/v1/health")
        }
    }
}
