import Foundation
import SilaCore
import Store

#if canImport(Glibc)
    import Glibc
#endif

// The soak client's threads: traffic workers (one keep-alive connection each), the recompute driver and the
// memory monitor. Each object is used by its own thread until the run ends; the main thread reads it afterwards.

/// One traffic thread. A reader sends GETs of random corpus articles at its share of the read rate. A writer sends
/// one write at a time — PUTs (new articles, edits of its own) and DELETEs — reads each acknowledged write back
/// (read-your-writes), and pauses. A writer alone writes its ids (new ids `soak-W-N`, and the corpus articles whose
/// index ≡ W mod writers), so the writes of an id are ordered and never concurrent.
final class SoakWorker: @unchecked Sendable {
    enum Role { case reader, writer }
    let thread: Int
    let role: Role
    let options: SoakOptions
    let corpus: [CorpusArticle]
    let started: Double
    let deadline: Double
    private(set) var counts = SoakCounts()
    private(set) var writes = [SoakWrite]()
    private var random: SeededGenerator
    /// Ids of this thread's articles and whether its last acknowledged write left them present (removed after a
    /// write of unknown outcome: nothing can be asserted about them then).
    private var known = [String: Bool]()
    /// Every id this thread wrote, for reads and further writes.
    private var written = [String]()
    private var owned: [Int]
    private var created = 0

    init(thread: Int, role: Role, options: SoakOptions, corpus: [CorpusArticle], started: Double, deadline: Double) {
        self.thread = thread
        self.role = role
        self.options = options
        self.corpus = corpus
        self.started = started
        self.deadline = deadline
        random = SeededGenerator(seed: options.seed &* 1_000_003 &+ UInt64(thread) &+ (role == .writer ? 0 : 0x5EAD))
        owned = role == .writer ? Array(stride(from: thread, to: corpus.count, by: max(options.writers, 1))) : []
    }

    func run() {
        // Writes can take seconds (and queue behind a recompute): a generous timeout, so that "unknown" means killed.
        let connection = BlockingHTTPConnection(socketPath: options.socket, timeoutSeconds: role == .writer ? 120 : 30)
        if role == .writer {
            while benchSeconds() < deadline {
                if random.unit() < options.putShare { put(connection) } else { delete(connection) }
                usleep(useconds_t(options.writePause * 1e6))
            }
            return
        }
        let interval = Double(max(options.readers, 1)) / options.rate
        var next = benchSeconds() + random.unit() * interval
        while true {
            let now = benchSeconds()
            if now >= deadline { break }
            if next > now {
                usleep(useconds_t(min(next - now, 0.2) * 1e6))
                continue
            }
            // After an outage (server restarting) go on at the normal rate instead of bursting to catch up.
            next = max(next + interval, now - 1)
            read(connection, id: corpus[random.below(corpus.count)].id)
        }
    }

    /// GET of `id`; for a writer's own id, checks the answer against its last acknowledged write.
    private func read(_ connection: BlockingHTTPConnection, id: String) {
        let answer = soakRequest(
            connection, kind: "GET", method: "GET", target: "/v1/articles/\(LoadRequests.pathEncoded(id))/related?k=10", counts: &counts)
        guard role == .writer, answer.failure == nil, let present = known[id], answer.status == 200 || answer.status == 404 else { return }
        if present != (answer.status == 200) {
            counts.readYourWritesViolations.append(
                String(format: "%.1f s: GET %@ answered %d after an acknowledged %@", benchSeconds() - started, id, answer.status, present ? "PUT" : "DELETE"))
        }
    }

    private func put(_ connection: BlockingHTTPConnection) {
        // Half new articles, half edits of this thread's articles (corpus ones or earlier new ones).
        let template = corpus[random.below(corpus.count)]
        var id: String
        var source = template
        if random.unit() < 0.5 || owned.isEmpty {
            created += 1
            id = "soak-\(thread)-\(created)"
        } else if !written.isEmpty, random.unit() < 0.5 {
            id = written[random.below(written.count)]
        } else {
            source = corpus[owned[random.below(owned.count)]]
            id = source.id
        }
        var fields: [String: Any] = [
            "title": source.title, "category": source.category,
            "body": source.body + " تحديث \(thread)-\(writes.count) " + template.title,
        ]
        if !source.publishedAt.isEmpty { fields["published_at"] = source.publishedAt }
        guard let body = try? JSONSerialization.data(withJSONObject: fields) else { return }
        fields["id"] = id
        // The article the server must store: the same validation as its PUT route.
        guard case .success(let expected) = ArticleValidation.article(from: fields) else { return }
        let answer = soakRequest(
            connection, kind: "PUT", method: "PUT", target: "/v1/articles/\(LoadRequests.pathEncoded(id))", body: Array(body), counts: &counts)
        journal(.put, id: id, answer: answer, hash: expected.contentHash, acknowledged: answer.status == 200 || answer.status == 201)
        if known[id] != nil { read(connection, id: id) }
    }

    private func delete(_ connection: BlockingHTTPConnection) {
        let candidates = written.filter { known[$0] == true }
        let id: String
        if !candidates.isEmpty, random.unit() < 0.7 {
            id = candidates[random.below(candidates.count)]
        } else if !owned.isEmpty {
            id = corpus[owned[random.below(owned.count)]].id
        } else {
            return
        }
        let answer = soakRequest(
            connection, kind: "DELETE", method: "DELETE", target: "/v1/articles/\(LoadRequests.pathEncoded(id))", counts: &counts)
        journal(.delete, id: id, answer: answer, hash: nil, acknowledged: answer.status == 204)
        if known[id] != nil { read(connection, id: id) }
    }

    /// Records a write. A connect failure sent nothing: not journaled.
    private func journal(
        _ operation: SoakWrite.Operation, id: String, answer: (status: Int, body: [UInt8], failure: BlockingHTTPConnection.Failure?),
        hash: String?, acknowledged: Bool
    ) {
        if case .connect = answer.failure { return }
        let outcome: SoakWrite.Outcome
        if acknowledged {
            outcome = .ack
        } else if operation == .delete && answer.status == 404 {
            outcome = .absent
        } else if (400..<500).contains(answer.status) {
            outcome = .rejected
        } else {
            outcome = .unknown
        }
        writes.append(
            SoakWrite(
                thread: thread, sequence: writes.count, operation: operation, id: id, outcome: outcome, status: answer.status,
                contentHash: hash, time: benchSeconds() - started))
        if !written.contains(id) { written.append(id) }
        switch outcome {
        case .ack, .absent: known[id] = operation == .put
        case .rejected: break
        case .unknown: known[id] = nil
        }
    }
}

/// Requests one recompute at a given moment and polls its job until it is done; a job that fails (the server was
/// killed under it) is requested again while there is time.
final class SoakRecomputeDriver: @unchecked Sendable {
    let socket: String
    let started: Double
    let at: Double
    let deadline: Double
    private(set) var counts = SoakCounts()
    /// What happened, in order: requests, job states, durations.
    private(set) var log = [String]()
    /// A recompute job reached `done`.
    private(set) var completed = false

    init(socket: String, started: Double, at: Double, deadline: Double) {
        self.socket = socket
        self.started = started
        self.at = at
        self.deadline = deadline
    }

    func run() {
        while benchSeconds() < at { usleep(200_000) }
        let connection = BlockingHTTPConnection(socketPath: socket, timeoutSeconds: 30)
        var attempts = 0
        while benchSeconds() < deadline - 5, attempts < 4 {
            let requested = benchSeconds()
            let answer = soakRequest(connection, kind: "recompute", method: "POST", target: "/v1/recompute", counts: &counts)
            guard answer.failure == nil else {
                usleep(1_000_000)
                continue
            }
            guard answer.status == 202, let job = jsonObject(answer.body)?["job"] as? Int else {
                log.append("POST /v1/recompute answered \(answer.status); again in 2 s")
                usleep(2_000_000)
                continue
            }
            attempts += 1
            log.append(String(format: "job %d requested at %.0f s", job, requested - started))
            let state = poll(job: job, connection: connection, since: requested)
            if state == "done" {
                completed = true
                return
            }
        }
    }

    /// Polls GET /v1/jobs/ID once a second until done or failed (or the run ends); returns the last state.
    private func poll(job: Int, connection: BlockingHTTPConnection, since requested: Double) -> String {
        var lastProgress = -1.0
        while benchSeconds() < deadline {
            usleep(1_000_000)
            let answer = soakRequest(connection, kind: "job", method: "GET", target: "/v1/jobs/\(job)", counts: &counts)
            guard answer.failure == nil, answer.status == 200, let record = jsonObject(answer.body) else { continue }
            let state = record["state"] as? String ?? "?"
            let progress = record["progress"] as? Double ?? -1
            if state != "running" {
                let error = record["error"] as? String
                log.append(
                    String(format: "job %d %@ after %.1f s%@", job, state, benchSeconds() - requested, error.map { " (\($0))" } ?? ""))
                return state
            }
            if progress != lastProgress { lastProgress = progress }
        }
        log.append(String(format: "job %d still running at the end (progress %.2f)", job, lastProgress))
        return "running"
    }
}

func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
}

/// Samples the server's memory once a second; the server's pid is read from the pid file the soak script keeps
/// up to date across restarts.
final class SoakMemoryMonitor: @unchecked Sendable {
    struct Sample {
        var time: Double
        var pid: Int32
        var rss: Double
        var hwm: Double
    }

    let pidFile: String?
    private let lock = NSLock()
    private var stopped = false
    private var samples = [Sample]()
    private let started = benchSeconds()

    init(pidFile: String?) { self.pidFile = pidFile }

    func stop() { lock.withLock { stopped = true } }

    func run() {
        guard let pidFile else { return }
        while !lock.withLock({ stopped }) {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let rss = procStatusMiB(pid: pid, "VmRSS"), let hwm = procStatusMiB(pid: pid, "VmHWM")
            {
                let sample = Sample(time: benchSeconds() - started, pid: pid, rss: rss, hwm: hwm)
                lock.withLock { samples.append(sample) }
            }
            usleep(1_000_000)
        }
    }

    func csv() -> String {
        "seconds,pid,rss_mib,hwm_mib\n"
            + lock.withLock { samples }.map { String(format: "%.1f,%d,%.1f,%.1f", $0.time, $0.pid, $0.rss, $0.hwm) }.joined(separator: "\n") + "\n"
    }

    /// Per server process, in order: its samples' first, last and largest RSS, and the slope of RSS over the second
    /// half of its life (MiB per minute, least squares) — the figure that shows growth without bound.
    struct Incarnation {
        var pid: Int32
        var seconds: Double
        var first: Double
        var last: Double
        var max: Double
        var peak: Double
        var secondHalfSlope: Double
    }

    func incarnations() -> [Incarnation] {
        let all = lock.withLock { samples }
        var order = [Int32]()
        var byPID = [Int32: [Sample]]()
        for sample in all {
            if byPID[sample.pid] == nil { order.append(sample.pid) }
            byPID[sample.pid, default: []].append(sample)
        }
        return order.map { pid in
            let series = byPID[pid]!
            let half = Array(series.suffix(max(series.count / 2, 2)))
            return Incarnation(
                pid: pid, seconds: series.last!.time - series.first!.time, first: series.first!.rss, last: series.last!.rss,
                max: series.map(\.rss).max()!, peak: series.map(\.hwm).max()!, secondHalfSlope: slopePerMinute(half))
        }
    }

    private func slopePerMinute(_ series: [Sample]) -> Double {
        guard series.count >= 2 else { return 0 }
        let n = Double(series.count)
        let meanT = series.map(\.time).reduce(0, +) / n
        let meanR = series.map(\.rss).reduce(0, +) / n
        let covariance = series.reduce(0) { $0 + ($1.time - meanT) * ($1.rss - meanR) }
        let variance = series.reduce(0) { $0 + ($1.time - meanT) * ($1.time - meanT) }
        return variance > 0 ? covariance / variance * 60 : 0
    }
}
