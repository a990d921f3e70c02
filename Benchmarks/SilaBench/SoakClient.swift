import Foundation
import SilaCore
import Store

#if canImport(Glibc)
    import Glibc
#endif

// `SilaBench soak`: the client side of scripts/soak.sh (issue 9). For a bounded time it sends mixed traffic to the
// server — paced reads, closed-loop upserts and deletes, one recompute whose job it polls — while the script kills
// the server with SIGKILL and restarts it. It journals every write with its outcome (SoakJournal.swift), samples the server's
// memory once a second, and at the end reads back every written id through the socket.

struct SoakOptions {
    var socket: String
    var corpus: String
    var minutes: Double
    var journal: String
    var pidFile: String?
    var rssOut: String?
    var summary: String?
    var seed: UInt64 = 9
    /// Reader connections and the GET rate they offer together (paced).
    var readers = 4
    var rate = 100.0
    /// Writer connections: each sends one write at a time (closed loop) with a pause after each, so writes go as
    /// fast as the server takes them, never piling up (one PUT costs seconds of CPU on the dev corpus).
    var writers = 1
    var writePause = 0.2
    /// Share of PUTs among writes (the rest are DELETEs).
    var putShare = 0.7
    /// When the recompute is requested, as a fraction of the run.
    var recomputeAt = 0.3

    init(_ arguments: BenchArguments) throws {
        socket = try arguments.string("socket")
        corpus = try arguments.string("corpus")
        minutes = try arguments.double("minutes", default: 10)
        journal = try arguments.string("journal")
        pidFile = arguments.optionalString("pid-file")
        rssOut = arguments.optionalString("rss-out")
        summary = arguments.optionalString("summary")
        seed = UInt64(try arguments.int("seed", default: Int(seed)))
        readers = try arguments.int("readers", default: readers)
        rate = try arguments.double("rate", default: rate)
        writers = try arguments.int("writers", default: writers)
        writePause = try arguments.double("write-pause", default: writePause)
        putShare = try arguments.double("put-share", default: putShare)
        recomputeAt = try arguments.double("recompute-at", default: recomputeAt)
    }
}

/// Counts of one client thread (merged at the end).
struct SoakCounts {
    /// Requests sent, by kind (GET, PUT, DELETE, recompute, job).
    var requests = [String: Int]()
    /// Answers by "KIND STATUS".
    var answers = [String: Int]()
    /// Failures by kind ("connect: Connection refused", "broken: …", "timeout", …).
    var errors = [String: Int]()
    /// A GET of an id this thread had written contradicted its acknowledged write (200 after an acknowledged
    /// DELETE, 404 after an acknowledged PUT).
    var readYourWritesViolations = [String]()

    mutating func merge(_ other: SoakCounts) {
        requests.merge(other.requests, uniquingKeysWith: +)
        answers.merge(other.answers, uniquingKeysWith: +)
        errors.merge(other.errors, uniquingKeysWith: +)
        readYourWritesViolations += other.readYourWritesViolations
    }
}

/// Sends one request, counting it; nil when it failed before an answer (the failure counted by kind).
func soakRequest(
    _ connection: BlockingHTTPConnection, kind: String, method: String, target: String, body: [UInt8]? = nil, counts: inout SoakCounts
) -> (status: Int, body: [UInt8], failure: BlockingHTTPConnection.Failure?) {
    counts.requests[kind, default: 0] += 1
    do {
        let answer = try connection.request(httpRequestBytes(method: method, target: target, body: body))
        counts.answers["\(kind) \(answer.status)", default: 0] += 1
        return (answer.status, answer.body, nil)
    } catch {
        let name: String
        switch error {
        case .connect(let code): name = "connect: " + String(cString: strerror(code))
        case .broken(let why): name = "broken: " + why
        case .timeout: name = "timeout"
        case .malformed: name = "malformed response"
        }
        counts.errors[name, default: 0] += 1
        return (0, [], error)
    }
}

/// `SilaBench soak --socket PATH --corpus FILE --minutes M --journal FILE [--pid-file F] [--rss-out F] [--summary F]`
func runSoak(_ arguments: BenchArguments) throws {
    let options = try SoakOptions(arguments)
    let corpus = try readBenchCorpus(options.corpus)
    benchNote(
        "soak: \(corpus.count) corpus articles; \(options.readers) readers at \(Int(options.rate)) GET/s in all, \(options.writers) writer(s) "
            + "one write at a time; \(options.minutes) min")
    try waitForServer(socket: options.socket, seconds: 180)

    let started = benchSeconds()
    let deadline = started + options.minutes * 60
    let monitor = SoakMemoryMonitor(pidFile: options.pidFile)
    let recompute = SoakRecomputeDriver(socket: options.socket, started: started, at: started + options.minutes * 60 * options.recomputeAt, deadline: deadline)
    let workers = (0..<options.writers).map { SoakWorker(thread: $0, role: .writer, options: options, corpus: corpus, started: started, deadline: deadline) }
        + (0..<options.readers).map { SoakWorker(thread: $0, role: .reader, options: options, corpus: corpus, started: started, deadline: deadline) }
    let group = DispatchGroup()
    for task in [monitor.run, recompute.run] + workers.map({ $0.run }) {
        group.enter()
        Thread.detachNewThread {
            task()
            group.leave()
        }
    }
    // The monitor runs until told; the others stop at the deadline.
    while benchSeconds() < deadline + 1 { usleep(200_000) }
    monitor.stop()
    group.wait()

    var counts = SoakCounts()
    var writes = [SoakWrite]()
    for worker in workers {
        counts.merge(worker.counts)
        writes += worker.writes
    }
    counts.merge(recompute.counts)
    try SoakJournal.write(writes, to: options.journal)

    // Every written id, read back through the socket once the server is up.
    try waitForServer(socket: options.socket, seconds: 180)
    let readBack = readBackWrites(writes, corpusIDs: Set(corpus.map(\.id)), socket: options.socket)
    if let path = options.rssOut { try monitor.csv().write(toFile: path, atomically: true, encoding: .utf8) }

    let summary = SoakSummary(
        minutes: options.minutes, counts: counts, writes: writes, memory: monitor.incarnations(), recompute: recompute.log,
        recomputeCompleted: recompute.completed,
        readBack: readBack)
    for line in summary.lines { print(line) }
    if let path = options.summary { try summary.json.write(to: URL(fileURLWithPath: path)) }
}

/// Polls GET /v1/health until it answers 200.
func waitForServer(socket: String, seconds: Double) throws {
    let deadline = benchSeconds() + seconds
    let health = httpRequestBytes(method: "GET", target: "/v1/health")
    while benchSeconds() < deadline {
        if let answer = try? BlockingHTTPConnection(socketPath: socket, timeoutSeconds: 5).request(health), answer.status == 200 { return }
        usleep(100_000)
    }
    throw BenchError("the server at \(socket) did not answer /v1/health within \(Int(seconds)) s")
}

/// GET /v1/articles/{id}/related for every journaled id: 200 where the journal says it must be present, 404 where
/// it must be absent (either, where a write's outcome is unknown).
struct SoakReadBack {
    var checked = 0
    var uncertain = 0
    var violations = [String]()
}

func readBackWrites(_ writes: [SoakWrite], corpusIDs: Set<String>, socket: String) -> SoakReadBack {
    var result = SoakReadBack()
    let connection = BlockingHTTPConnection(socketPath: socket)
    var counts = SoakCounts()
    for (id, expectation) in SoakJournal.expectations(writes, corpusIDs: corpusIDs).sorted(by: { $0.key < $1.key }) {
        let answer = soakRequest(
            connection, kind: "GET", method: "GET", target: "/v1/articles/\(LoadRequests.pathEncoded(id))/related?k=10", counts: &counts)
        result.checked += 1
        if expectation.uncertain { result.uncertain += 1 }
        let present = answer.status == 200
        let allowed = expectation.allowed.contains { $0 == .absent ? answer.status == 404 : present }
        if !allowed {
            result.violations.append("\(id): GET answered \(answer.status), allowed \(expectation.allowed.sorted { $0.description < $1.description })")
        }
    }
    return result
}
