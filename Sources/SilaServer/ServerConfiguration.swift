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

    public init(socketPath: String) {
        self.socketPath = socketPath
    }
}
