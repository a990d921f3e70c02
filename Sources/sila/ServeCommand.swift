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
            Endpoints: GET /v1/articles/{id}/related?k=10, PUT /v1/articles/{id}, DELETE /v1/articles/{id}, \
            POST /v1/related, POST /v1/recompute, GET /v1/jobs/{id}, GET /v1/health.
            Try: curl --unix-socket Data/sila.sock http://localhost/v1/health
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

    func validate() throws {
        guard UInt16(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode must be octal, e.g. 0660") }
        if let tcp, parsedTCP(tcp) == nil { throw ValidationError("--tcp must be HOST:PORT, e.g. 127.0.0.1:8377") }
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
        let server = try SilaServer(store: store, configuration: configuration)
        let path = socket
        var logger = Logger(label: "sila")
        logger.logLevel = .info
        try await server.run(logger: logger) {
            printError("sila: serving on \(path) — try: curl --unix-socket \(path) http://localhost/v1/health")
        }
    }
}
