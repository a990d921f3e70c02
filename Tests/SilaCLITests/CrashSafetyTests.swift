import Foundation
import SilaCore
import Store
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, "Crash safety": `kill -9` of `sila ingest` and of `sila index` at random (seeded) moments, 20 times each,
/// with the real binary as a child process. After every kill `PRAGMA integrity_check` is ok, the database holds
/// exactly a state some prefix of committed work explains (whole articles only; the previous lists or the new ones,
/// never a mix), and re-runs finish the job.
///
/// The corpora are synthetic (sentences of the sample corpus recombined under new ids) and small enough for a debug
/// build on 2 cores, yet large enough that a kill lands inside the work: ingest writes 1,600 articles in two
/// transactions (batches of 1,000), index writes 500 lists through the shadow table. Runs that were not killed in
/// time (the delay drawn is past the run's end) must have exited 0 with the complete result.
@Suite(.serialized) struct CrashSafetyTests {
    let directory = TemporaryDirectory()

    // MARK: - ingest

    /// Each round of five kills starts from an empty database; each run ingests the one of two versions of the corpus
    /// (every field of every article differs between them) that fewer stored articles have, so the kills interrupt
    /// inserts and updates alike. A round ends with a re-run that must finish with every article present.
    @Test func killingIngestLeavesWholeArticlesAndARerunFinishes() async throws {
        var random = SeededGenerator(seed: 0x5151_0006)
        let corpus = SyntheticCorpus(count: 1600, random: &random)
        let files = try (0..<2).map { version in
            let path = directory.path("articles-v\(version).jsonl")
            try corpus.jsonl(version: version).write(to: URL(fileURLWithPath: path))
            return path
        }
        let db = directory.path("ingest.sqlite")

        // How long a whole ingest takes here, inserting and updating: the kills are drawn within it.
        var durations = [Double]()
        for file in files {
            let started = ContinuousClock.now
            let full = try await BuiltSila.run(["ingest", "--db", directory.path("timing.sqlite"), file])
            durations.append((ContinuousClock.now - started).seconds)
            #expect(full.status == 0, "\(full.stderr)")
        }

        var expected = [String: Int]()  // id → version the database must hold
        var outcomes = [String]()  // where each kill landed, printed at the end
        for iteration in 0..<20 {
            if iteration % 5 == 0 {
                removeDatabase(db)
                expected = [:]
            }
            // The version fewer stored articles have, so that the run has work to do: inserts, then updates.
            let version = expected.values.filter { $0 == 0 }.count > expected.count / 2 ? 1 : 0
            let kind = expected.isEmpty ? 0 : 1  // inserting or updating
            let duration = durations[kind]
            // Half uniform over the whole run, half in its second half, where the batches are committed (the first
            // 1,000 records are parsed before anything is written).
            let delay = iteration % 2 == 0
                ? Double.random(in: 0...(duration * 1.1), using: &random)
                : Double.random(in: (duration * 0.5)...(duration * 1.05), using: &random)
            let run = try await KilledRun.start(["ingest", "--db", db, files[version]], killAfter: delay)
            let context = "iteration \(iteration), version \(version), killed after \(String(format: "%.2f", delay)) s of \(String(format: "%.2f", duration)) s"
            if !run.killed { #expect(run.status == 0, "\(context): a run that was not killed must succeed") }
            // The machine's load changes (other builds): a run that finished tells how long runs take now.
            if let measured = run.duration { durations[kind] = measured }

            let (committed, observed) = try checkIngestedArticles(db: db, corpus: corpus, version: version, before: expected, context: context)
            if !run.killed { #expect(committed == corpus.count, "\(context): a finished run stores every article") }
            outcomes.append(run.killed ? "\(committed)" : "done")
            expected = observed

            if iteration % 5 == 4 {
                let rerun = try await BuiltSila.run(["ingest", "--db", db, files[version]])
                #expect(rerun.status == 0, "\(context): re-run: \(rerun.stderr)")
                let (after, observed) = try checkIngestedArticles(db: db, corpus: corpus, version: version, before: expected, context: "\(context), re-run")
                #expect(after == corpus.count, "\(context): the re-run stores every article")
                expected = observed
            }
        }
        print("ingest kills (articles of the run committed; whole runs \(durations.map { String(format: "%.2f", $0) }) s): \(outcomes.joined(separator: " "))")
    }

    /// Opens the database as Sila does, checks its integrity and that it holds exactly `before` with the first m
    /// articles of the file (for some m) replaced by `version`: whole articles only, committed in file order, nothing
    /// committed earlier lost. Returns m and the stored version of every article.
    func checkIngestedArticles(
        db: String, corpus: SyntheticCorpus, version: Int, before: [String: Int], context: String
    ) throws -> (committed: Int, observed: [String: Int]) {
        guard FileManager.default.fileExists(atPath: db) else {
            #expect(before.isEmpty, "\(context): the database disappeared")
            return (0, [:])
        }
        let store = try SilaStore.open(path: db, createIfMissing: false)
        defer { try? store.close() }
        #expect(try store.integrityCheck() == "ok", "\(context)")
        var observed = [String: Int]()
        var broken = [String]()
        try store.forEachArticleBatch { batch in
            for article in batch {
                if let found = corpus.version(of: article) { observed[article.id] = found } else { broken.append(article.id) }
            }
        }
        #expect(broken.isEmpty, "\(context): \(broken.count) stored articles equal no version of their record, e.g. \(broken.prefix(3))")
        let committed = corpus.ids.prefix { observed[$0] == version }.count
        var explained = before
        for id in corpus.ids.prefix(committed) { explained[id] = version }
        #expect(observed == explained, "\(context): not the earlier state with the first \(committed) articles replaced (\(observed.count) stored, \(explained.count) expected)")
        return (committed, observed)
    }

    // MARK: - index

    /// Two sets of options with different lists (the plain top-10 and the re-ranked top-6) alternate, so the lists a
    /// kill leaves can be told apart: they must be exactly the previous set or exactly the new one. Half the kills are
    /// aimed at the second half of the run, where the lists are written and swapped. Every fifth kill is followed by a re-run
    /// that must finish with the complete lists.
    @Test func killingIndexKeepsThePreviousListsWholeAndARerunFinishes() async throws {
        var random = SeededGenerator(seed: 0x5151_0009)
        let corpus = SyntheticCorpus(count: 500, random: &random)
        let file = directory.path("index-articles.jsonl")
        try corpus.jsonl(version: 0).write(to: URL(fileURLWithPath: file))
        let db = directory.path("index.sqlite")
        let ingest = try await BuiltSila.run(["ingest", "--db", db, file])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let base = ["index", "--db", db, "--models-dir", directory.path("Models"), "--threads", "2"]
        let optionSets = [["--plain", "-k", "10"], ["-k", "6"]]
        let listLengths = [10, 6]

        // Reference lists of each option set from uninterrupted runs (the first also fits the model), and timings.
        var references = [[String: [RelatedEntry]]]()
        var durations = [Double]()  // per option set, updated by every run that finishes by itself
        var writeWindows = [Double]()
        for options in optionSets + [optionSets[0]] {
            let started = ContinuousClock.now
            let run = try await BuiltSila.run(base + options)
            let elapsed = (ContinuousClock.now - started).seconds
            #expect(run.status == 0, "\(run.stderr)")
            let lists = try storedLists(db: db)
            if references.count < 2 {
                references.append(lists)
                durations.append(elapsed)
                writeWindows.append(Self.phaseSeconds("write lists", in: run.stdout) ?? elapsed / 4)
            } else {
                #expect(lists == references[0], "an index run is deterministic: the lists of the same options are identical")
                durations[0] = elapsed  // without the fit, as in the loop
            }
        }
        for (set, reference) in references.enumerated() {
            #expect(reference.count == corpus.count, "every article has a list")
            #expect(reference.values.allSatisfy { $0.count == listLengths[set] }, "every list is full")
        }
        #expect(references[0] != references[1])

        var current = references[0]
        var outcomes = [String]()  // where each kill landed, printed at the end
        for iteration in 0..<20 {
            let set = (iteration + 1) % 2
            let duration = durations[set]
            // Half uniform over the whole run, half within its second half, where the lists are written and swapped.
            let delay = iteration % 4 < 2
                ? Double.random(in: 0...(duration * 1.05), using: &random)
                : Double.random(in: min(duration * 0.5, duration - writeWindows[set] * 2)...duration, using: &random)
            let run = try await KilledRun.start(base + optionSets[set] + ["--quiet"], killAfter: delay)
            let context = "iteration \(iteration), options \(optionSets[set]), killed after \(String(format: "%.2f", delay)) s of \(String(format: "%.2f", duration)) s"
            if !run.killed { #expect(run.status == 0, "\(context): a run that was not killed must succeed") }
            // The machine's load changes (other builds): a run that finished tells how long runs take now.
            if let measured = run.duration { durations[set] = measured }

            let lists = try storedLists(db: db, context: context)
            let isPrevious = lists == current
            let isNew = lists == references[set]
            #expect(isPrevious || isNew, "\(context): the lists are neither the previous complete set nor the new one (\(lists.count) articles with a list)")
            if !run.killed { #expect(isNew, "\(context): a finished run swapped its lists in") }
            outcomes.append(!run.killed ? "done" : isNew && !isPrevious ? "new" : "old")

            // The lists are served: `sila related` answers from them.
            let id = corpus.ids[Int.random(in: 0..<corpus.count, using: &random)]
            // As long as the stored list: a longer -k would be computed live, not served from it.
            let related = try await BuiltSila.run(["related", "--db", db, id, "--json", "-k", "\(max(lists[id]?.count ?? 10, 1))"])
            #expect(related.status == 0, "\(context): \(related.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(related.stdout.utf8)) as? [String: Any]
            let served = (object?["related"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(served == lists[id]?.map(\.id), "\(context): `sila related \(id)` serves the stored list")
            current = lists

            if iteration % 5 == 4 {
                let rerun = try await BuiltSila.run(base + optionSets[set] + ["--quiet"])
                #expect(rerun.status == 0, "\(context): re-run: \(rerun.stderr)")
                current = try storedLists(db: db, context: "\(context), re-run")
                #expect(current == references[set], "\(context): the re-run leaves the complete new lists")
            }
        }
        print("index kills (lists left: old, new, or the run was done; whole runs \(durations.map { String(format: "%.2f", $0) }) s): \(outcomes.joined(separator: " "))")
    }

    /// Every stored list, after checking the database's integrity; the store is closed again before returning.
    func storedLists(db: String, context: String = "") throws -> [String: [RelatedEntry]] {
        let store = try SilaStore.open(path: db, createIfMissing: false)
        defer { try? store.close() }
        #expect(try store.integrityCheck() == "ok", "\(context)")
        var lists = [String: [RelatedEntry]]()
        try store.forEachRelatedList { id, entries in lists[id] = entries }
        return lists
    }

    /// The seconds of one phase in the "timings: …" line `sila index` prints.
    static func phaseSeconds(_ phase: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("timings:") }),
            let range = line.range(of: "\(phase) ")
        else { return nil }
        return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// A `sila` child process killed with SIGKILL after a delay.
struct KilledRun {
    /// Whether the kill ended it (false: it had already exited by itself).
    var killed: Bool
    var status: Int32
    /// Seconds from start to exit, when it exited by itself.
    var duration: Double?

    /// Starts `sila ARGUMENTS`, sleeps `delay` seconds without blocking a thread, sends SIGKILL (harmless when the
    /// process has already exited) and waits for the end on a thread of its own.
    static func start(_ arguments: [String], killAfter delay: Double) async throws -> KilledRun {
        let started = ContinuousClock.now
        let (process, exit) = try BuiltSila.start(arguments, output: nil)
        try await Task.sleep(for: .seconds(delay))
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let ended = await exit.waitAsync()
        let killed = process.terminationReason == .uncaughtSignal
        return KilledRun(killed: killed, status: process.terminationStatus, duration: killed ? nil : (ended - started).seconds)
    }
}

/// The `sila` of this build, run as a child process.
///
/// Not `CommandRunner`: `RepositoryFiles.silaExecutable` looks for `sila` one directory above the test binary's,
/// which on Linux (where `Bundle.main.bundleURL` is the build directory itself) misses and falls back to
/// `.build/debug/sila` — another build's binary, possibly stale or being relinked ("Text file busy").
enum BuiltSila {
    static var executable: URL {
        let beside = Bundle.main.bundleURL.appendingPathComponent("sila")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : RepositoryFiles.silaExecutable
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `sila ARGUMENTS` with its output going to the files of `output` (or nowhere).
    static func start(_ arguments: [String], output: (stdout: URL, stderr: URL)?) throws -> (Process, ProcessExit) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = RepositoryFiles.root
        process.standardInput = FileHandle.nullDevice
        if let output {
            for url in [output.stdout, output.stderr] { FileManager.default.createFile(atPath: url.path, contents: nil) }
            process.standardOutput = try FileHandle(forWritingTo: output.stdout)
            process.standardError = try FileHandle(forWritingTo: output.stderr)
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        let exit = ProcessExit(of: process)
        try process.run()
        return (process, exit)
    }

    /// Runs `sila ARGUMENTS` to the end (output through files, so a chatty child never blocks on a pipe).
    static func run(_ arguments: [String]) async throws -> Result {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sila-crash-\(UUID().uuidString)")
        let output = (stdout: base.appendingPathExtension("out"), stderr: base.appendingPathExtension("err"))
        defer { for url in [output.stdout, output.stderr] { try? FileManager.default.removeItem(at: url) } }
        let (process, exit) = try start(arguments, output: output)
        await exit.waitAsync()
        return Result(
            status: process.terminationStatus, stdout: (try? String(contentsOf: output.stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: output.stderr, encoding: .utf8)) ?? "")
    }
}

/// Synthetic Arabic news articles for the crash tests: the sample corpus's sentences recombined under new ids, in
/// two versions that differ in every field. Nothing but the repository's own sample corpus is used.
struct SyntheticCorpus {
    struct Base {
        var id: String
        var title: String
        var paragraphs: [String]
        var category: String
        var tags: [String]
        /// Seconds since 1970.
        var published: Double
    }

    let bases: [Base]
    var ids: [String] { bases.map(\.id) }
    var count: Int { bases.count }
    private let articlesByVersion: [[String: Article]]

    init(count: Int, random: inout SeededGenerator) {
        let sample = (try? Data(contentsOf: RepositoryFiles.sampleArticles))?.split(separator: 0x0A).compactMap {
            (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any]
        } ?? []
        // Plain-text sentences only (two sample bodies are HTML).
        let sentences = sample.flatMap { record -> [String] in
            let body = record["body"] as? String ?? ""
            guard !HTMLText.looksLikeHTML(body) else { return [] }
            return body.split(separator: "\n").flatMap { $0.split(separator: ". ") }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count > 20 }
                .map { $0.hasSuffix(".") ? $0 : $0 + "." }
        }
        precondition(sentences.count > 100 && !sample.isEmpty, "the sample corpus is missing")
        var bases = [Base]()
        for number in 0..<count {
            let topic = sample[Int.random(in: 0..<sample.count, using: &random)]
            let paragraphs = (0..<Int.random(in: 1...2, using: &random)).map { _ in
                (0..<2).map { _ in sentences[Int.random(in: 0..<sentences.count, using: &random)] }.joined(separator: " ")
            }
            let day = Int.random(in: 0..<365, using: &random)
            bases.append(Base(
                id: String(format: "syn-%05d", number), title: topic["title"] as? String ?? "", paragraphs: paragraphs,
                category: topic["category"] as? String ?? "general", tags: topic["tags"] as? [String] ?? [],
                published: 1_704_067_200 + Double(day * 86_400 + Int.random(in: 0..<86_400, using: &random))))
        }
        self.bases = bases
        articlesByVersion = (0..<2).map { version in
            Dictionary(uniqueKeysWithValues: bases.map { ($0.id, Self.article($0, version: version)) })
        }
    }

    /// Version 1 changes every field but the id: title, body (paragraphs reversed, a sentence added), category,
    /// tags, url and date.
    static func article(_ base: Base, version: Int) -> Article {
        guard version == 1 else {
            return Article(
                id: base.id, title: base.title, body: base.paragraphs.joined(separator: "\n"), category: base.category,
                tags: base.tags, url: "https://sila-synthetic.example/\(base.id)", publishedAt: date(base.published))
        }
        return Article(
            id: base.id, title: base.title + " (محدث)",
            body: (base.paragraphs.reversed() + ["وتابعت الصحيفة تطورات الخبر في تحديث لاحق."]).joined(separator: "\n"),
            category: base.category + "-updated", tags: base.tags + ["تحديث"],
            url: "https://sila-synthetic.example/updated/\(base.id)",
            publishedAt: date(base.published + 3600))
    }

    static func date(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    /// Which version `article` is exactly (every field), or nil for anything else — a half-written article.
    func version(of article: Article) -> Int? {
        (0..<2).first { articlesByVersion[$0][article.id] == article }
    }

    func jsonl(version: Int) -> Data {
        var data = Data()
        for base in bases {
            let article = articlesByVersion[version][base.id]!
            let object: [String: Any] = [
                "id": article.id, "title": article.title, "body": article.body, "category": article.category!,
                "tags": article.tags, "url": article.url!, "published_at": article.publishedAt!,
            ]
            data.append(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            data.append(0x0A)
        }
        return data
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
