import Foundation
import SilaCore
import Store
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, faults: the real `sila serve` binary, killed with SIGKILL at seeded random moments while PUTs and
/// DELETEs are in flight on its socket, 10 times, restarted after each kill.
///
/// After every kill, with the database opened as Sila opens it: `PRAGMA integrity_check` is ok; every acknowledged
/// write is there (an upsert with exactly the content sent, a delete absent) — a write whose answer never came may
/// have happened or not; no article is half-written (each is its ingested version or one of the versions sent);
/// no list is half-written (every article has a vector and, when the vector is not empty, a list; no list names a
/// missing article, itself, or one article twice, or is longer than k). After every restart the server serves
/// again, and at the end every written id answers 200 or 404 as the journal says.
///
/// Three writers, each the only writer of its ids (new `cdw-W-N` articles and the sample articles whose index is
/// W mod 3), so the writes of an id are ordered. The corpus is the repository's sample (67 articles); one cycle
/// takes about 2 s on a debug build.
@Suite(.serialized) struct CrashDuringWriteTests {
    let directory = TemporaryDirectory()

    @Test func killingTheServerDuringWritesKeepsEveryAcknowledgedWriteAndNothingHalfWritten() async throws {
        var random = SeededGenerator(seed: 0x5151_0909)
        let db = directory.path("crash.sqlite")
        let socket = directory.path("c.sock")
        for arguments in [
            ["ingest", "--db", db, RepositoryFiles.sampleArticles.path],
            ["index", "--db", db, "--models-dir", directory.path("Models"), "--threads", "2", "--quiet"],
        ] {
            let run = try await CommandRunner.run(arguments, environment: [:])
            try #require(run.status == 0, "sila \(arguments[0]): \(run.stderr)")
        }
        let sample = CrashSample.load()
        try #require(sample.count == 67)
        let writers = (0..<3).map { CrashWriter(number: $0, sample: sample, writers: 3) }
        var outcomes = [String]()  // per cycle: acknowledged / unknown writes

        for cycle in 0..<10 {
            let server = try await CrashServer.start(db: db, socket: socket, directory: directory.url, log: "serve-\(cycle)")
            try await server.waitUntilServing()
            try await expectServedStates(writers: writers, sample: sample, socket: socket, context: "cycle \(cycle), after the restart")

            let stop = StopFlag()
            let delay = Double.random(in: 0.2...1.2, using: &random)
            let seeds = (0..<writers.count).map { _ in random.next() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (writer, seed) in zip(writers, seeds) {
                    group.addTask { try await writer.write(socket: socket, seed: seed, until: stop) }
                }
                try await Task.sleep(for: .seconds(delay))
                kill(server.process.processIdentifier, SIGKILL)
                await server.waitForExit()
                stop.set()
                try await group.waitForAll()
            }
            #expect(server.process.terminationReason == .uncaughtSignal, "cycle \(cycle): the server was killed")
            let journal = writers.flatMap(\.journal)
            outcomes.append("\(journal.filter { $0.cycle == cycle && $0.outcome == .acknowledged }.count)/\(journal.filter { $0.cycle == cycle && $0.outcome == .unknown }.count)")
            try checkDatabase(db: db, writers: writers, sample: sample, context: "cycle \(cycle), killed after \(String(format: "%.2f", delay)) s")
        }

        // The server serves again, and every written id answers as the journal says.
        let server = try await CrashServer.start(db: db, socket: socket, directory: directory.url, log: "serve-final")
        try await server.waitUntilServing()
        try await expectServedStates(writers: writers, sample: sample, socket: socket, context: "after the last restart")
        kill(server.process.processIdentifier, SIGTERM)
        await server.waitForExit()
        let total = writers.flatMap(\.journal)
        #expect(total.contains { $0.outcome == .acknowledged && $0.method == "PUT" }, "some upserts were acknowledged")
        #expect(total.contains { $0.outcome == .acknowledged && $0.method == "DELETE" }, "some deletes were acknowledged")
        print("server kills (writes acknowledged/unknown per cycle): \(outcomes.joined(separator: " "))")
    }

    /// The database after a kill: integrity, the journal's writes, whole articles, whole lists.
    func checkDatabase(db: String, writers: [CrashWriter], sample: CrashSample, context: String) throws {
        let store = try SilaStore.open(path: db, createIfMissing: false)
        defer { try? store.close() }
        #expect(try store.integrityCheck() == "ok", "\(context)")

        let journal = writers.flatMap(\.journal)
        var missing = [String]()
        for (id, allowed) in CrashJournal.expectations(journal, sample: sample) {
            let stored = try store.article(id: id)?.contentHash
            if !allowed.contains(stored) { missing.append("\(id): stored \(stored ?? "nothing"), allowed \(allowed.map { $0 ?? "nothing" })") }
        }
        #expect(missing.isEmpty, "\(context): acknowledged writes not in the database: \(missing.prefix(5))")

        // Whole articles: each stored article is its ingested version or one that was sent.
        var sent = [String: Set<String>]()
        for write in journal { if let hash = write.contentHash { sent[write.id, default: []].insert(hash) } }
        var halfWritten = [String]()
        try store.forEachArticleBatch { batch in
            for article in batch where article.contentHash != sample.hashes[article.id] && !(sent[article.id]?.contains(article.contentHash) ?? false) {
                halfWritten.append(article.id)
            }
        }
        #expect(halfWritten.isEmpty, "\(context): articles equal to no version written: \(halfWritten.prefix(5))")

        // Whole lists: an article, its vector and its list are written in one transaction; a delete refills the
        // lists that showed the article in the same transaction.
        let ids = Set(try store.articleIDs())
        let model = try #require(try store.currentModel(), "\(context): the model is gone")
        let vectors = try store.loadVectors(modelID: model.id)
        #expect(Set(vectors.map(\.articleID)) == ids, "\(context): every article has a vector of the current model, and only those")
        var lists = [String: [RelatedEntry]]()
        try store.forEachRelatedList { id, entries in lists[id] = entries }
        var broken = [String]()
        for stored in vectors where lists[stored.articleID] == nil && !stored.vector.isZero { broken.append("\(stored.articleID): no list") }
        for (id, entries) in lists {
            let listed = entries.map(\.id)
            if !ids.contains(id) { broken.append("\(id): a list without its article") }
            if listed.contains(id) { broken.append("\(id) lists itself") }
            if Set(listed).count != listed.count { broken.append("\(id) lists an article twice") }
            if entries.count > 10 { broken.append("\(id): \(entries.count) entries") }
            for other in listed where !ids.contains(other) { broken.append("\(id) → missing \(other)") }
        }
        #expect(broken.isEmpty, "\(context): half-written lists: \(broken.prefix(5))")
    }

    /// Through the socket: ids the journal says are present answer 200, absent ones 404 (unknown outcomes: either).
    func expectServedStates(writers: [CrashWriter], sample: CrashSample, socket: String, context: String) async throws {
        var wrong = [String]()
        for (id, allowed) in CrashJournal.expectations(writers.flatMap(\.journal), sample: sample) {
            let response = try await UnixHTTPClient.send(
                socket: socket, method: "GET", target: "/v1/articles/\(CrashWriter.pathEncoded(id))/related?k=10")
            let present = allowed.contains { $0 != nil }
            let absent = allowed.contains(nil)
            let fine = (response.status == 200 && present) || (response.status == 404 && absent)
            if !fine { wrong.append("\(id): \(response.status)") }
        }
        #expect(wrong.isEmpty, "\(context): served states differ from the journal: \(wrong.prefix(5))")
    }
}

/// The sample corpus as records, and the content hash of each article as `sila ingest` stored it.
struct CrashSample: Sendable {
    var records: [[String: String]]
    var hashes: [String: String]
    var count: Int { records.count }

    static func load() -> CrashSample {
        let lines = (try? Data(contentsOf: RepositoryFiles.sampleArticles))?.split(separator: 0x0A) ?? []
        var records = [[String: String]]()
        var hashes = [String: String]()
        for line in lines {
            guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else { continue }
            if case .success(let article) = ArticleValidation.article(from: object) { hashes[article.id] = article.contentHash }
            var record = [String: String]()
            for key in ["id", "title", "body", "category", "published_at"] { if let value = object[key] as? String { record[key] = value } }
            records.append(record)
        }
        return CrashSample(records: records, hashes: hashes)
    }
}

/// One journaled write.
struct CrashWrite: Sendable {
    enum Outcome: Sendable { case acknowledged, notThere, rejected, unknown }
    var cycle: Int
    var method: String
    var id: String
    var outcome: Outcome
    /// PUT: the content hash the server must store.
    var contentHash: String?
}

enum CrashJournal {
    /// Per written id: the content hashes it may have at the end (nil: absent). Writes of an id are ordered (one
    /// writer per id); an acknowledged write fixes the state, a write of unknown outcome adds its effect.
    static func expectations(_ journal: [CrashWrite], sample: CrashSample) -> [String: Set<String?>] {
        var allowed = [String: Set<String?>]()
        for write in journal {
            var states = allowed[write.id] ?? [sample.hashes[write.id]]
            let effect: String? = write.method == "PUT" ? write.contentHash : nil
            switch write.outcome {
            case .acknowledged, .notThere: states = [effect]
            case .rejected: break
            case .unknown: states.insert(effect)
            }
            allowed[write.id] = states
        }
        return allowed
    }
}

/// A stop signal shared by the writers.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    func set() { lock.withLock { stopped = true } }
    var isSet: Bool { lock.withLock { stopped } }
}

/// One writer: PUTs (new articles and edits of its own) and DELETEs, one at a time, journaled across cycles.
final class CrashWriter: @unchecked Sendable {
    let number: Int
    let sample: CrashSample
    let owned: [Int]
    private let lock = NSLock()
    private var writes = [CrashWrite]()
    private var created = 0
    private var cycle = -1

    init(number: Int, sample: CrashSample, writers: Int) {
        self.number = number
        self.sample = sample
        owned = Array(stride(from: number, to: sample.count, by: writers))
    }

    var journal: [CrashWrite] { lock.withLock { writes } }

    static func pathEncoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
    }

    /// Writes until `stop` is set (the server has been killed by then, so the last write may be unknown).
    func write(socket: String, seed: UInt64, until stop: StopFlag) async throws {
        var random = SeededGenerator(seed: seed)
        cycle += 1
        while !stop.isSet {
            // This writer's new articles that are surely stored (their last write acknowledged a PUT).
            let present = CrashJournal.expectations(journal, sample: sample)
                .filter { $0.key.hasPrefix("cdw-\(number)-") && $0.value.count == 1 && $0.value.first! != nil }.keys.sorted()
            if random.next() % 10 < 6 || present.isEmpty {
                try await put(socket: socket, random: &random)
            } else {
                let id = random.next() % 4 == 0
                    ? sample.records[owned[Int(random.next() % UInt64(owned.count))]]["id"]!
                    : present[Int(random.next() % UInt64(present.count))]
                await send(socket: socket, method: "DELETE", id: id, body: nil, contentHash: nil)
            }
        }
    }

    private func put(socket: String, random: inout SeededGenerator) async throws {
        let template = sample.records[Int(random.next() % UInt64(sample.count))]
        var id: String
        var source = template
        if random.next() % 2 == 0 {
            created += 1
            id = "cdw-\(number)-\(created)"
        } else {
            source = sample.records[owned[Int(random.next() % UInt64(owned.count))]]
            id = source["id"]!
        }
        var fields: [String: Any] = [
            "title": source["title"] ?? "", "body": (source["body"] ?? "") + " تحديث \(number)-\(journal.count) " + (template["title"] ?? ""),
        ]
        if let category = source["category"] { fields["category"] = category }
        if let date = source["published_at"] { fields["published_at"] = date }
        let body = try JSONSerialization.data(withJSONObject: fields)
        fields["id"] = id
        guard case .success(let expected) = ArticleValidation.article(from: fields) else { return }
        await send(socket: socket, method: "PUT", id: id, body: body, contentHash: expected.contentHash)
    }

    /// Sends one write and journals its outcome; a write whose connection was refused was never sent.
    private func send(socket: String, method: String, id: String, body: Data?, contentHash: String?) async {
        let outcome: CrashWrite.Outcome
        do {
            let response = try await UnixHTTPClient.send(socket: socket, method: method, target: "/v1/articles/\(Self.pathEncoded(id))", body: body)
            switch response.status {
            case 200, 201, 204: outcome = .acknowledged
            case 404 where method == "DELETE": outcome = .notThere
            case 400..<500: outcome = .rejected
            default: outcome = .unknown
            }
        } catch UnixHTTPClient.ClientError.connect {
            try? await Task.sleep(for: .milliseconds(20))
            return
        } catch {
            outcome = .unknown
        }
        let write = CrashWrite(cycle: cycle, method: method, id: id, outcome: outcome, contentHash: contentHash)
        lock.withLock { writes.append(write) }
    }
}

/// The `sila serve` child of one cycle.
struct CrashServer: @unchecked Sendable {
    let process: Process
    let exit: ProcessExit
    let socket: String

    /// The `sila` of this build (beside the test binary), else the one `RepositoryFiles` finds.
    static var executable: URL {
        let beside = Bundle.main.bundleURL.appendingPathComponent("sila")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : RepositoryFiles.silaExecutable
    }

    static func start(db: String, socket: String, directory: URL, log: String) async throws -> CrashServer {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--db", db, "--socket", socket]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let logURL = directory.appendingPathComponent(log + ".log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        let exit = ProcessExit(of: process)
        try process.run()
        return CrashServer(process: process, exit: exit, socket: socket)
    }

    /// Polls /v1/health until it answers 200 (120 s at most: a debug build starting beside the whole test suite on
    /// 2 cores took over 30 s in CI).
    func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            try #require(process.isRunning, "sila serve exited with status \(process.terminationStatus)")
            if let response = try? await UnixHTTPClient.send(socket: socket, method: "GET", target: "/v1/health"), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("sila serve did not answer /v1/health within 120 s")
    }

    /// Waits for the process on a thread of its own (never blocking the cooperative pool).
    func waitForExit() async {
        await exit.waitAsync()
    }
}
