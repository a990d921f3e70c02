import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// The ingest/index benchmark (issue 6): the real `sila` binary (release), run as a child process on a fresh
// database. Wall time and peak RSS of each child come from `wait4`'s rusage — the figures `/usr/bin/time -v`
// prints, measured the same way, per child.

/// What one child process did.
struct ChildRun {
    var status: Int32
    var seconds: Double
    var peakRSSMiB: Double
    var userSeconds: Double
    var systemSeconds: Double
    var stdout: String
    var stderr: String
}

/// Runs `arguments[0]` with `arguments[1...]`, its stdout and stderr into files beside `logPrefix`, and waits.
func runChild(_ arguments: [String], logPrefix: String, timeoutSeconds: Int? = nil) throws -> ChildRun {
    let outPath = logPrefix + ".stdout.log"
    let errPath = logPrefix + ".stderr.log"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    defer { for pointer in argv { free(pointer) } }

    var pid: pid_t = 0
    let start = benchSeconds()
    let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }

    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    if let timeoutSeconds {
        // Poll so that a runaway child is stopped instead of hanging the benchmark.
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            if benchSeconds() - start > Double(timeoutSeconds) {
                kill(pid, SIGKILL)
                timedOut = true
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(20_000)
        }
    } else {
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
    }
    let seconds = benchSeconds() - start
    let exitCode: Int32 = timedOut ? 124 : ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
    func timeval(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) * 1e-6 }
    return ChildRun(
        status: exitCode, seconds: seconds, peakRSSMiB: Double(usage.ru_maxrss) / 1024,
        userSeconds: timeval(usage.ru_utime), systemSeconds: timeval(usage.ru_stime),
        stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// `SilaBench ingest-index --sila PATH --corpus FILE.jsonl --work DIR [--threads 2] [--timeout 1800] [--json FILE]`
///
/// In DIR: removes any previous `bench.sqlite`, runs `sila ingest CORPUS` into it (timed: articles/s) and then
/// `sila index --threads N --models-dir DIR/models` with the product's default options (timed, its own phase
/// timings quoted from its output).
func runIngestIndex(_ arguments: BenchArguments) throws {
    let sila = try arguments.string("sila")
    let corpus = try arguments.string("corpus")
    let work = try arguments.string("work")
    let threads = try arguments.int("threads", default: 2)
    let timeout = try arguments.int("timeout", default: 1800)
    let fileManager = FileManager.default
    try fileManager.createDirectory(atPath: work + "/models", withIntermediateDirectories: true)
    let database = work + "/bench.sqlite"
    for suffix in ["", "-wal", "-shm", "-journal"] { try? fileManager.removeItem(atPath: database + suffix) }
    for file in (try? fileManager.contentsOfDirectory(atPath: work + "/models")) ?? [] {
        try? fileManager.removeItem(atPath: work + "/models/" + file)
    }

    guard let corpusData = fileManager.contents(atPath: corpus) else { throw BenchError("cannot read \(corpus)") }
    let articles = corpusData.split(separator: UInt8(ascii: "\n")).count
    let corpusBytes = corpusData.count

    benchNote("sila ingest \(corpus) (\(articles) articles) → \(database)")
    let ingest = try runChild([sila, "ingest", "--db", database, "--quiet", corpus], logPrefix: work + "/ingest", timeoutSeconds: timeout)
    benchNote("  \(String(format: "%.2f", ingest.seconds)) s, exit \(ingest.status): \(lastLine(ingest.stdout))")
    var result: [String: Any] = [
        "benchmark": "ingest-index", "corpus": corpus, "articles": articles, "corpus_mb": jsonRounded(Double(corpusBytes) / 1_048_576, 1),
        "threads": threads,
        "ingest_status": Int(ingest.status), "ingest_s": jsonRounded(ingest.seconds, 3),
        "ingest_articles_per_s": jsonRounded(Double(articles) / ingest.seconds, 0),
        "ingest_peak_rss_mb": jsonRounded(ingest.peakRSSMiB, 1), "ingest_cpu_s": jsonRounded(ingest.userSeconds + ingest.systemSeconds, 2),
        "ingest_summary": lastLine(ingest.stdout),
    ]
    if ingest.status != 0 {
        result["ingest_error"] = String(ingest.stderr.suffix(2000))
    } else {
        benchNote("sila index --threads \(threads)")
        let index = try runChild(
            [sila, "index", "--db", database, "--threads", String(threads), "--models-dir", work + "/models"],
            logPrefix: work + "/index", timeoutSeconds: timeout)
        let timings = index.stdout.split(separator: "\n").first { $0.hasPrefix("timings:") }.map(String.init) ?? ""
        benchNote("  \(String(format: "%.2f", index.seconds)) s, exit \(index.status): \(timings)")
        result["index_status"] = Int(index.status)
        result["index_s"] = jsonRounded(index.seconds, 3)
        result["index_peak_rss_mb"] = jsonRounded(index.peakRSSMiB, 1)
        result["index_cpu_s"] = jsonRounded(index.userSeconds + index.systemSeconds, 2)
        result["index_timings"] = timings
        result["index_phases"] = parsePhases(timings)
        result["index_summary"] = index.stdout.split(separator: "\n").first.map(String.init) ?? ""
        if index.status != 0 { result["index_error"] = String(index.stderr.suffix(2000)) }
    }
    try emitResult(result, to: arguments.optionalString("json"))
}

private func lastLine(_ text: String) -> String {
    text.split(separator: "\n").last.map(String.init) ?? ""
}

/// "timings: fit model 1.20s, vectorize 3.40s, …; total 9.9s" → ["fit model": 1.2, …].
private func parsePhases(_ timings: String) -> [String: Double] {
    guard timings.hasPrefix("timings: ") else { return [:] }
    let body = timings.dropFirst("timings: ".count).split(separator: ";").first ?? ""
    var phases = [String: Double]()
    for part in body.split(separator: ",") {
        let trimmed = part.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.lastIndex(of: " ") else { continue }
        let name = String(trimmed[..<space])
        let value = trimmed[trimmed.index(after: space)...].replacingOccurrences(of: "s", with: "")
        if let seconds = Double(value) { phases[name] = seconds }
    }
    return phases
}
