/// How `sila serve` listens.
public struct ServerConfiguration: Sendable {
    /// The Unix domain socket path (default `Data/sila.sock`).
    public var socketPath: String
    /// Permission bits of the socket file (default 0660: the owner and its group may connect).
    public var socketMode: UInt16 = 0o660
    /// Optional TCP listener, `HOST:PORT`; only loopback unless `allowRemote`.
    public var tcp: (host: String, port: Int)? = nil
    public var allowRemote = false
    /// Request body limit.
    public var maxBodyBytes = 2 << 20
    /// Largest k a client may ask for.
    public var maxK = 100
    /// Header block limit (431 above it) and request-target limit (414 above it).
    public var maxHeaderBytes = 16 << 10
    public var maxTargetBytes = 8 << 10
    /// A connection with no complete request for this long is closed: a client that stalls mid-request cannot
    /// hold a connection (and its memory) forever.
    public var idleTimeoutSeconds = 30
    /// Most connections served at once; more wait in the listen backlog.
    public var maxConnections = 4096
    /// How often the server checks whether another process (a nightly `sila index`) changed the model or swapped
    /// the lists, and reloads its index when it did.
    public var reloadCheckSeconds = 1.0
    /// Memory for encoded GET answers (`AnswerCache`); 0 turns the cache off. The answers of the 12k-article dev
    /// corpus (k=10) take about 60 MiB.
    public var answerCacheBytes = 128 << 20
    /// When set, every request must carry `Authorization: Bearer` with this token (`--token-file`).
    public var accessToken: AccessToken? = nil

    public init(socketPath: String) {
        self.socketPath = socketPath
    }
}
