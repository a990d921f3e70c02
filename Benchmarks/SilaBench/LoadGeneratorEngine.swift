import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// The load generator's engine: a few client threads, each driving its share of keep-alive connections with one
// poll(2) loop (no thread per connection, no async runtime), so that the client takes as little of the 2 shared
// cores as possible. Each connection has at most one request in flight. (poll, not epoll: Swift's Glibc module
// does not export <sys/epoll.h>, and for 64 descriptors the difference is a few hundred nanoseconds per wake-up.)
//
// Closed loop (default): a connection sends its next request as soon as the previous answer is complete — the
// load is as high as the server sustains with that many connections, and by Little's law the mean latency is
// connections ÷ throughput. Paced (open loop): each connection sends on a fixed schedule so that all of them
// together offer `pacedRate` requests/s; when the server is behind (the previous answer came after the next
// request was due), the latency is counted from the due time, so a slow server cannot hide queueing delay
// (coordinated omission).

/// Builds the requests of one client thread: a kind (index into `LoadPhase.kindNames`) and the request bytes.
final class LoadRequestSource {
    let next: () -> (kind: Int, bytes: [UInt8])
    init(_ next: @escaping () -> (kind: Int, bytes: [UInt8])) { self.next = next }
}

/// One timed phase of load.
struct LoadPhase {
    var name: String
    var kindNames: [String]
    var connections = 64
    var clientThreads = 1
    var warmupSeconds = 3.0
    var seconds = 20.0
    /// Requests/s offered by all connections together (open loop); nil: closed loop.
    var pacedRate: Double? = nil
    /// How long in-flight requests may take to finish after the window.
    var drainSeconds = 5.0
}

/// What one phase measured (requests completed inside the measurement window only; errors over the whole phase).
struct LoadPhaseResult {
    var phase: LoadPhase
    var windowSeconds: Double
    /// Per kind: latencies in nanoseconds, sorted.
    var latencies: [[UInt64]]
    /// Per kind: count by HTTP status.
    var statuses: [[Int: Int]]
    /// Transport errors by kind (connect refused, reset, malformed, …).
    var errors: [String: Int]
    /// CPU seconds of this (client) process during the window.
    var clientCPUSeconds: Double
    /// Per kind: requests still unanswered when the phase ended (window and drain time over).
    var unfinished: [Int]

    var completed: Int { latencies.reduce(0) { $0 + $1.count } }
    var requestsPerSecond: Double { Double(completed) / windowSeconds }
    /// Answers that were not 2xx, plus transport errors.
    var errorCount: Int {
        statuses.reduce(0) { total, byStatus in total + byStatus.filter { !(200..<300).contains($0.key) }.values.reduce(0, +) }
            + errors.values.reduce(0, +)
    }

    /// Latency percentile of a kind (all kinds when nil), milliseconds.
    func percentileMS(_ p: Double, kind: Int? = nil) -> Double {
        let values = kind.map { latencies[$0] } ?? latencies.flatMap { $0 }.sorted()
        return nearestRankPercentile(values.map { Double($0) / 1e6 }, p)
    }
    func maxMS(kind: Int? = nil) -> Double {
        let values = kind.map { latencies[$0] } ?? latencies.flatMap { $0 }
        return Double(values.max() ?? 0) / 1e6
    }
    func count(kind: Int) -> Int { latencies[kind].count }

    /// The same over several kinds together (all PUTs, new and edited).
    func percentileMS(_ p: Double, kinds: [Int]) -> Double {
        nearestRankPercentile(kinds.flatMap { latencies[$0] }.sorted().map { Double($0) / 1e6 }, p)
    }
    func maxMS(kinds: [Int]) -> Double { kinds.map { maxMS(kind: $0) }.max() ?? 0 }
    func count(kinds: [Int]) -> Int { kinds.reduce(0) { $0 + count(kind: $1) } }
}

/// Process CPU time (user + system) of this process, seconds.
func processCPUSecondsNow() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) * 1e-6
}

/// Runs one phase against the server at `socketPath`; `makeSource(thread)` gives each client thread its requests.
func runLoadPhase(_ phase: LoadPhase, socketPath: String, makeSource: (Int) -> LoadRequestSource) -> LoadPhaseResult {
    let threads = max(1, min(phase.clientThreads, phase.connections))
    let start = benchNanoseconds()
    let measureStart = start + UInt64(phase.warmupSeconds * 1e9)
    let measureEnd = measureStart + UInt64(phase.seconds * 1e9)
    let workers = (0..<threads).map { thread in
        LoadWorker(
            socketPath: socketPath, connections: phase.connections / threads + (thread < phase.connections % threads ? 1 : 0),
            kinds: phase.kindNames.count, source: makeSource(thread),
            pacedInterval: phase.pacedRate.map { UInt64(Double(phase.connections) / $0 * 1e9) },
            window: (measureStart, measureEnd), drainUntil: measureEnd + UInt64(phase.drainSeconds * 1e9))
    }
    let group = DispatchGroup()
    for worker in workers {
        group.enter()
        Thread.detachNewThread {
            worker.run()
            group.leave()
        }
    }
    // CPU time over the measurement window (sampled by this thread at its edges).
    let sleepUntil: (UInt64) -> Void = { deadline in
        while true {
            let now = benchNanoseconds()
            if now >= deadline { return }
            usleep(useconds_t(min(100_000, (deadline - now) / 1000)))
        }
    }
    sleepUntil(measureStart)
    let cpuAtStart = processCPUSecondsNow()
    sleepUntil(measureEnd)
    let cpuAtEnd = processCPUSecondsNow()
    group.wait()

    var latencies = [[UInt64]](repeating: [], count: phase.kindNames.count)
    var statuses = [[Int: Int]](repeating: [:], count: phase.kindNames.count)
    var errors = [String: Int]()
    var unfinished = [Int](repeating: 0, count: phase.kindNames.count)
    for worker in workers {
        for connection in worker.connections where connection.inFlight { unfinished[connection.kind] += 1 }
        for kind in 0..<phase.kindNames.count {
            latencies[kind] += worker.latencies[kind]
            statuses[kind].merge(worker.statuses[kind], uniquingKeysWith: +)
        }
        errors.merge(worker.errors, uniquingKeysWith: +)
    }
    for kind in latencies.indices { latencies[kind].sort() }
    return LoadPhaseResult(
        phase: phase, windowSeconds: phase.seconds, latencies: latencies, statuses: statuses, errors: errors,
        clientCPUSeconds: cpuAtEnd - cpuAtStart, unfinished: unfinished)
}

/// One client thread: its connections and one poll loop. Touched by that thread only until `run` returns.
final class LoadWorker: @unchecked Sendable {
    /// One keep-alive connection and its request in flight.
    final class Connection {
        var fd: Int32 = -1
        let buffer = ReceiveBuffer()
        var pending: [UInt8] = []
        var pendingOffset = 0
        var inFlight = false
        var kind = 0
        /// When the request in flight counts from (its send time, or its due time when the server was behind).
        var startedAt: UInt64 = 0
        /// Paced mode: when the next request is due.
        var nextDue: UInt64 = 0
        /// After a failed connect: when to try again.
        var retryAt: UInt64 = 0
        var wantsWrite = false
    }

    let socketPath: String
    let source: LoadRequestSource
    let pacedInterval: UInt64?
    let window: (start: UInt64, end: UInt64)
    let drainUntil: UInt64
    var connections: [Connection]
    var latencies: [[UInt64]]
    var statuses: [[Int: Int]]
    var errors = [String: Int]()
    /// One entry per connection (fd -1: not connected, ignored by poll).
    private var polled: [pollfd]

    init(
        socketPath: String, connections: Int, kinds: Int, source: LoadRequestSource, pacedInterval: UInt64?,
        window: (UInt64, UInt64), drainUntil: UInt64
    ) {
        self.socketPath = socketPath
        self.source = source
        self.pacedInterval = pacedInterval
        self.window = window
        self.drainUntil = drainUntil
        self.connections = (0..<connections).map { _ in Connection() }
        polled = Array(repeating: pollfd(fd: -1, events: Int16(POLLIN), revents: 0), count: connections)
        latencies = Array(repeating: [], count: kinds)
        statuses = Array(repeating: [:], count: kinds)
        for kind in 0..<kinds { latencies[kind].reserveCapacity(1 << 18) }
    }

    func run() {
        defer {
            // In-flight flags stay as they are: the phase reports requests left unanswered.
            for connection in connections where connection.fd >= 0 { close(connection.fd) }
        }
        let begin = benchNanoseconds()
        for (index, connection) in connections.enumerated() {
            // Paced: spread the connections' schedules over one interval.
            if let interval = pacedInterval { connection.nextDue = begin + interval * UInt64(index) / UInt64(connections.count) }
            open(index)
        }
        while true {
            let now = benchNanoseconds()
            let stopping = now >= window.end
            if stopping && (now >= drainUntil || !connections.contains(where: { $0.inFlight })) { break }
            var timeoutMS: Int32 = 50
            if !stopping {
                for (index, connection) in connections.enumerated() where !connection.inFlight {
                    if connection.fd < 0 {
                        if now >= connection.retryAt { open(index) }
                        timeoutMS = min(timeoutMS, 10)
                        continue
                    }
                    let due = pacedInterval == nil ? now : connection.nextDue
                    if due <= now {
                        send(index, now: now, late: false)
                    } else {
                        timeoutMS = min(timeoutMS, Int32((due - now + 999_999) / 1_000_000))
                    }
                }
            }
            let ready = poll(&polled, nfds_t(polled.count), timeoutMS)
            guard ready > 0 else { continue }
            for index in polled.indices where polled[index].revents != 0 && polled[index].fd >= 0 {
                let revents = Int32(polled[index].revents)
                polled[index].revents = 0
                let connection = connections[index]
                if revents & Int32(POLLOUT) != 0, connection.wantsWrite { flush(index) }
                if connection.fd >= 0, revents & Int32(POLLIN | POLLERR | POLLHUP) != 0 { readAnswers(index) }
            }
        }
    }

    private func count(error: String) { errors[error, default: 0] += 1 }

    /// Connects connection `index` and adds it to the poll set.
    private func open(_ index: Int) {
        let connection = connections[index]
        let fd = unixSocketConnect(socketPath, nonBlocking: true)
        guard fd >= 0 else {
            count(error: "connect: " + String(cString: strerror(-fd)))
            connection.retryAt = benchNanoseconds() + 10_000_000
            return
        }
        connection.fd = fd
        connection.buffer.count = 0
        polled[index] = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    }

    private func drop(_ index: Int, because reason: String) {
        let connection = connections[index]
        count(error: reason)
        polled[index] = pollfd(fd: -1, events: Int16(POLLIN), revents: 0)
        close(connection.fd)
        connection.fd = -1
        connection.inFlight = false
        connection.wantsWrite = false
        connection.retryAt = benchNanoseconds()
    }

    /// Sends the next request on an idle connection. `late`: paced, and the server's previous answer came after
    /// this request was due — its latency then counts from the due time.
    private func send(_ index: Int, now: UInt64, late: Bool) {
        let connection = connections[index]
        let request = source.next()
        connection.kind = request.kind
        connection.pending = request.bytes
        connection.pendingOffset = 0
        connection.inFlight = true
        connection.startedAt = late ? connection.nextDue : now
        if let interval = pacedInterval { connection.nextDue += interval }
        flush(index)
    }

    /// Writes what is left of the request; waits for POLLOUT when the socket buffer is full.
    private func flush(_ index: Int) {
        let connection = connections[index]
        let remaining = connection.pending.count - connection.pendingOffset
        let sent = connection.pending.withUnsafeBytes { raw in
            Glibc.send(connection.fd, raw.baseAddress! + connection.pendingOffset, remaining, Int32(MSG_NOSIGNAL))
        }
        if sent < 0 {
            if errno == EAGAIN || errno == EINTR { setWantsWrite(index, true); return }
            drop(index, because: "send: " + String(cString: strerror(errno)))
            return
        }
        connection.pendingOffset += sent
        setWantsWrite(index, connection.pendingOffset < connection.pending.count)
    }

    private func setWantsWrite(_ index: Int, _ wants: Bool) {
        let connection = connections[index]
        guard connection.wantsWrite != wants else { return }
        connection.wantsWrite = wants
        polled[index].events = Int16(wants ? POLLIN | POLLOUT : POLLIN)
    }

    /// Reads what the socket holds; each complete answer is recorded and, in closed loop, followed by the next request.
    private func readAnswers(_ index: Int) {
        let connection = connections[index]
        while true {
            let received = connection.buffer.receive(from: connection.fd)
            if received == -Int(EAGAIN) { break }
            if received == -Int(EINTR) { continue }
            if received <= 0 {
                drop(index, because: received == 0 ? "closed by server" : "recv: " + String(cString: strerror(Int32(-received))))
                return
            }
            while connection.inFlight {
                let frame: HTTPResponseFrame?
                do {
                    frame = try parseHTTPResponse(connection.buffer.base, count: connection.buffer.count)
                } catch {
                    drop(index, because: "malformed response")
                    return
                }
                guard let frame else { break }
                let now = benchNanoseconds()
                connection.buffer.consume(frame.length)
                connection.inFlight = false
                if now >= window.start && now < window.end {
                    latencies[connection.kind].append(now - connection.startedAt)
                    statuses[connection.kind][frame.status, default: 0] += 1
                } else if !(200..<300).contains(frame.status) {
                    count(error: "HTTP \(frame.status) outside the window")
                }
                if frame.closes {
                    drop(index, because: "server closed the connection")
                    return
                }
                guard now < window.end else { break }
                if pacedInterval == nil {
                    send(index, now: now, late: false)
                } else if connection.nextDue <= now {
                    send(index, now: now, late: true)
                }
            }
        }
    }
}
