import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// `SilaBench loadgen`: the server benchmark (issue 7). The release `sila` ingests and indexes the corpus into a
// database under WORK, `sila serve` runs on a Unix socket as a child process, and this process loads it over
// HTTP/1.1 keep-alive connections (LoadGeneratorEngine.swift):
//   (a) GET /v1/articles/{id}/related?k=10, closed loop over 64 connections: requests/s and latency;
//   (a′) the same GETs paced at a fixed rate (open loop): latency at a load below saturation;
//   (b0) PUTs one at a time on an idle server (new articles and edits): a PUT's own service time;
//   (b) 95% GET / 5% PUT (edited re-PUTs of stored articles and new articles), closed loop over 64 connections,
//   then (b′) paced at a rate that keeps the serialized writes half busy: PUT and GET latency;
//   (c) the server's resident memory from /proc;
//   (d) the same lists through the CLI, one `sila related ID` process per call.
// The client runs on the same 2 cores as the server: every figure is the pair's, and the notes say how much CPU
// each side used.

/// The subcommand's options, with the benchmark's defaults.
struct LoadGenOptions {
    var sila: String
    var corpus: String
    var work: String
    var out: String?
    var connections = 64
    var clientThreads = 1
    var warmup = 3.0
    var seconds = 20.0
    var mixedSeconds = 20.0
    var putShare = 0.05
    /// Paced GET phase: requests/s (0: half the closed-loop throughput; negative: skip).
    var pacedRate = 0.0
    var pacedSeconds = 10.0
    var cliCalls = 200
    /// PUTs sent one at a time on an otherwise idle server before the mixed run: a PUT's own service time.
    var singlePuts = 20
    /// Paced mixed phase: requests/s (0: the rate at which PUTs take half of the writer's time, from the single
    /// PUTs' mean; negative: skip).
    var mixedPacedRate = 0.0
    var seed: UInt64 = 42
    var reuseDatabase = false
    var threads = 2
    /// Profiling aid: load a server that is already running on this socket (GET phase only, nothing else).
    var attach: String?

    init(_ arguments: BenchArguments) throws {
        // Absolute: the server runs in WORK as its working directory.
        sila = absolutePath(try arguments.string("sila"))
        corpus = absolutePath(try arguments.string("corpus"))
        work = absolutePath(try arguments.string("work"))
        out = arguments.optionalString("out").map(absolutePath)
        connections = try arguments.int("connections", default: connections)
        clientThreads = try arguments.int("client-threads", default: clientThreads)
        warmup = try arguments.double("warmup", default: warmup)
        seconds = try arguments.double("seconds", default: seconds)
        mixedSeconds = try arguments.double("mixed-seconds", default: mixedSeconds)
        putShare = try arguments.double("put-share", default: putShare)
        pacedRate = try arguments.double("paced-rate", default: pacedRate)
        pacedSeconds = try arguments.double("paced-seconds", default: pacedSeconds)
        cliCalls = try arguments.int("cli-calls", default: cliCalls)
        singlePuts = try arguments.int("single-puts", default: singlePuts)
        mixedPacedRate = try arguments.double("mixed-paced-rate", default: mixedPacedRate)
        seed = UInt64(try arguments.int("seed", default: Int(seed)))
        reuseDatabase = arguments.string("reuse-db", default: "no") == "yes"
        threads = try arguments.int("threads", default: threads)
        attach = arguments.optionalString("attach")
    }
}

/// `path` made absolute against the current directory.
func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// `SilaBench loadgen --sila PATH --corpus FILE.jsonl --work DIR [--out OUT] [--json FILE] [options]`
func runLoadGenerator(_ arguments: BenchArguments) throws {
    let options = try LoadGenOptions(arguments)
    if let socket = options.attach { return try loadAttached(socket: socket, options: options) }
    let fileManager = FileManager.default
    try fileManager.createDirectory(atPath: options.work + "/models", withIntermediateDirectories: true)
    let split = LoadCorpusSplit(try readBenchCorpus(options.corpus))
    let database = try prepareLoadDatabase(options)

    // Every run starts from the freshly indexed database: PUTs change it.
    let served = options.work + "/served.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: served + suffix) }
    try fileManager.copyItem(atPath: database, toPath: served)
    let socket = options.work + "/sila.sock"
    benchNote("sila serve --db \(served) --socket \(socket)")
    let server = try ServerChild(
        sila: options.sila, database: served, socketPath: socket, directory: options.work, logPrefix: options.work + "/serve")
    defer { server.stop() }
    benchNote(String(format: "  serving after %.2f s (pid %d, RSS %.0f MiB)", server.startupSeconds, server.pid, server.residentMiB ?? -1))
    let rssAtStart = server.residentMiB ?? -1
    // The phases measure the server in service, not its start: the pool warm-up's seconds of one core would fall
    // into the first GET phase's window. It is reported here instead.
    let warmUp = server.waitForPoolWarmUp(logPath: options.work + "/serve.stderr.log", timeoutSeconds: 300)
    benchNote(
        warmUp.map { String(format: "  candidate pools warm after %.1f s (one-time start-up job; the phases start after it)", $0) }
            ?? "  no pool warm-up line in the server log; the phases start now")

    let requests = LoadRequests(split: split, k: 10, putSample: 2000, seed: options.seed)
    // Held-out articles per phase, so that no phase PUTs an article another one stored: single PUTs, closed, paced.
    let middle = options.singlePuts + (split.heldOut.count - options.singlePuts) / 2
    let newPerPhase = [0..<options.singlePuts, options.singlePuts..<middle, middle..<split.heldOut.count]
    var loadAverages = [String]()
    func measure(_ phase: LoadPhase, source: @escaping (Int) -> LoadRequestSource) -> (LoadPhaseResult, serverCPU: Double) {
        let cpuBefore = server.cpuSeconds ?? 0
        let result = runLoadPhase(phase, socketPath: socket, makeSource: source)
        // Server CPU over the whole phase (warm-up and drain included), per second of phase.
        let cpuAfter = server.cpuSeconds ?? 0
        let serverCPU = (cpuAfter - cpuBefore) / (phase.warmupSeconds + phase.seconds)
        // Other processes on the machine (builds) take cores from both sides: the 1-minute load average says how many.
        loadAverages.append("\(phase.name) \(machineLoadAverage())")
        benchNote(
            describe(result)
                + String(format: "; server CPU %.2f cores, client %.2f cores; load average %@", serverCPU, result.clientCPUSeconds / result.windowSeconds, machineLoadAverage()))
        return (result, serverCPU)
    }

    // (a) GETs, closed loop.
    var getPhase = LoadPhase(name: "GET closed loop", kindNames: ["GET"])
    getPhase.connections = options.connections
    getPhase.clientThreads = options.clientThreads
    getPhase.warmupSeconds = options.warmup
    getPhase.seconds = options.seconds
    let (gets, getServerCPU) = measure(getPhase) { requests.getSource(seed: options.seed &+ UInt64($0)) }

    // (a′) GETs paced below saturation.
    var paced: (LoadPhaseResult, serverCPU: Double)? = nil
    if options.pacedRate >= 0 {
        var phase = getPhase
        phase.name = "GET paced"
        phase.pacedRate = options.pacedRate > 0 ? options.pacedRate : (gets.requestsPerSecond / 2).rounded()
        phase.seconds = options.pacedSeconds
        phase.warmupSeconds = 1
        paced = measure(phase) { requests.getSource(seed: options.seed &+ 100 &+ UInt64($0)) }
    }

    // (b0) PUTs alone, one at a time: what one costs without queueing.
    let single = try timeSinglePuts(requests: requests, socket: socket, count: options.singlePuts, seed: options.seed, server: server)
    benchNote(String(format: "single PUTs (one at a time, idle server, %d, new and edits alternating): p50 %.1f ms, max %.1f ms, %.3f server CPU-s each", single.millis.count, single.p50, single.max, single.cpuEach))

    // (b) 95% GET / 5% PUT.
    var mixedPhase = getPhase
    mixedPhase.name = "mixed GET/PUT"
    mixedPhase.kindNames = LoadKind.mixedNames
    mixedPhase.seconds = options.mixedSeconds
    let threads = options.clientThreads
    let (mixed, mixedServerCPU) = measure(mixedPhase) {
        requests.mixedSource(
            seed: options.seed &+ 200 &+ UInt64($0), putShare: options.putShare, newArticles: newPerPhase[1].lowerBound + $0..<newPerPhase[1].upperBound,
            stride: threads)
    }

    // (b′) the same mix paced: PUTs at half of what the serialized writes can take (from the single PUTs' mean).
    var mixedPaced: (LoadPhaseResult, serverCPU: Double)? = nil
    if options.mixedPacedRate >= 0, !single.millis.isEmpty {
        var phase = mixedPhase
        phase.name = "mixed GET/PUT paced"
        phase.pacedRate = options.mixedPacedRate > 0 ? options.mixedPacedRate : (0.5 / (single.mean / 1000) / options.putShare).rounded()
        phase.warmupSeconds = 1
        mixedPaced = measure(phase) {
            requests.mixedSource(
                seed: options.seed &+ 300 &+ UInt64($0), putShare: options.putShare,
                newArticles: newPerPhase[2].lowerBound + $0..<newPerPhase[2].upperBound, stride: threads)
        }
    }

    // (c) the server's memory at the end.
    let rss = server.residentMiB ?? -1
    let hwm = server.peakResidentMiB ?? -1
    let serverThreads = procThreadCount(pid: server.pid) ?? -1
    benchNote(String(format: "server RSS %.0f MiB at the end (peak %.0f MiB, %.0f MiB after start), %d threads", rss, hwm, rssAtStart, serverThreads))
    server.stop()

    // (d) the CLI: one process per list, on the same (now idle) database.
    let cli = try timeCLIRelated(options: options, database: served, ids: split.indexed.map(\.id))
    benchNote(String(format: "sila related (one process per call, %d calls): mean %.1f ms, p50 %.1f ms, p99 %.1f ms", cli.count, cli.mean, cli.p50, cli.p99))

    let report = LoadGenReport(
        options: options, articles: split.indexed.count, heldOut: split.heldOut.count, startup: server.startupSeconds, gets: gets,
        getServerCPU: getServerCPU, paced: paced, mixed: mixed, mixedServerCPU: mixedServerCPU, mixedPaced: mixedPaced, rssStart: rssAtStart, rss: rss, hwm: hwm,
        serverThreads: serverThreads, cli: cli, loadAverages: loadAverages, single: single)
    try emitResult(report.json, to: arguments.optionalString("json"))
    for note in report.notes { print("note: " + note) }
    if let out = options.out {
        try writeTableRows(report.rows, name: "server", outDirectory: out)
        try (report.notes.joined(separator: "\n") + "\n").write(toFile: out + "/table/server.notes", atomically: true, encoding: .utf8)
    }
}

/// Latencies of PUTs sent one at a time (new articles and edits alternating), and the server CPU each took.
struct SinglePutTimes {
    var millis: [Double]
    var cpuEach: Double
    var p50: Double { nearestRankPercentile(millis.sorted(), 50) }
    var mean: Double { millis.isEmpty ? .nan : millis.reduce(0, +) / Double(millis.count) }
    var max: Double { millis.max() ?? .nan }
}

private func timeSinglePuts(requests: LoadRequests, socket: String, count: Int, seed: UInt64, server: ServerChild) throws -> SinglePutTimes {
    var random = SeededGenerator(seed: seed ^ 0x51)
    let connection = BlockingHTTPConnection(socketPath: socket, timeoutSeconds: 600)
    var millis = [Double]()
    let cpuBefore = server.cpuSeconds ?? 0
    for number in 0..<count {
        let bytes = number.isMultiple(of: 2)
            ? requests.newArticle(number / 2, in: 0..<count)
            : requests.edit(template: random.below(requests.putTemplates.count), editNumber: number, random: &random)
        let start = benchSeconds()
        let answer = try connection.request(bytes)
        guard answer.status == 201 || answer.status == 200 else { throw BenchError("PUT answered \(answer.status)") }
        millis.append((benchSeconds() - start) * 1000)
    }
    return SinglePutTimes(millis: millis, cpuEach: ((server.cpuSeconds ?? 0) - cpuBefore) / Double(max(count, 1)))
}

/// `--attach SOCKET`: the closed-loop GET phase against a server started by hand (e.g. under `perf record`).
private func loadAttached(socket: String, options: LoadGenOptions) throws {
    let requests = LoadRequests(split: LoadCorpusSplit(try readBenchCorpus(options.corpus)), k: 10, putSample: 2000, seed: options.seed)
    var phase = LoadPhase(name: "GET closed loop (attached)", kindNames: ["GET"])
    phase.connections = options.connections
    phase.clientThreads = options.clientThreads
    phase.warmupSeconds = options.warmup
    phase.seconds = options.seconds
    let result = runLoadPhase(phase, socketPath: socket) { requests.getSource(seed: options.seed &+ UInt64($0)) }
    print(describe(result) + String(format: "; client %.2f cores", result.clientCPUSeconds / result.windowSeconds))
}

/// The indexed database in WORK (`indexed.sqlite`): made with `sila ingest` + `sila index --threads N` unless
/// `--reuse-db yes` and it exists from an earlier run on the same corpus.
private func prepareLoadDatabase(_ options: LoadGenOptions) throws -> String {
    let database = options.work + "/indexed.sqlite"
    let stamp = options.work + "/indexed.corpus"
    let stampText = "\(options.corpus) without 1 article in \(LoadCorpusSplit.heldOutEvery)"
    let fileManager = FileManager.default
    if options.reuseDatabase, fileManager.fileExists(atPath: database),
        (try? String(contentsOfFile: stamp, encoding: .utf8)) == stampText
    {
        benchNote("reusing \(database)")
        return database
    }
    for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: database + suffix) }
    try? fileManager.removeItem(atPath: stamp)
    benchNote("sila ingest + sila index → \(database) (held-out articles left out)")
    let indexedCorpus = options.work + "/indexed-corpus.jsonl"
    try writeIndexedLines(of: options.corpus, to: indexedCorpus)
    let ingest = try runChild([options.sila, "ingest", "--db", database, "--quiet", indexedCorpus], logPrefix: options.work + "/ingest")
    guard ingest.status == 0 else { throw BenchError("sila ingest failed (\(ingest.status)): \(ingest.stderr.suffix(500))") }
    let index = try runChild(
        [options.sila, "index", "--db", database, "--threads", String(options.threads), "--models-dir", options.work + "/models", "--quiet"],
        logPrefix: options.work + "/index")
    guard index.status == 0 else { throw BenchError("sila index failed (\(index.status)): \(index.stderr.suffix(500))") }
    try stampText.write(toFile: stamp, atomically: true, encoding: .utf8)
    return database
}

/// The lines of a JSONL corpus that `LoadCorpusSplit` indexes (the same positions: non-empty lines in order).
private func writeIndexedLines(of corpus: String, to path: String) throws {
    guard let data = FileManager.default.contents(atPath: corpus) else { throw BenchError("cannot read corpus \(corpus)") }
    var kept = Data()
    for (position, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).enumerated()
    where position % LoadCorpusSplit.heldOutEvery != LoadCorpusSplit.heldOutEvery / 2 {
        kept.append(contentsOf: line)
        kept.append(UInt8(ascii: "\n"))
    }
    try kept.write(to: URL(fileURLWithPath: path))
}

/// Per-call wall times of `sila related ID --db DB --json` (process start, database open, query, JSON out).
struct CLITimes {
    var count: Int
    var mean: Double
    var p50: Double
    var p99: Double
}

private func timeCLIRelated(options: LoadGenOptions, database: String, ids: [String]) throws -> CLITimes {
    var random = SeededGenerator(seed: options.seed ^ 0xC11)
    var millis = [Double]()
    for call in 0..<(options.cliCalls + 5) {
        let id = ids[random.below(ids.count)]
        let run = try runChild([options.sila, "related", id, "--db", database, "--json"], logPrefix: options.work + "/cli-related")
        guard run.status == 0 else { throw BenchError("sila related \(id) failed (\(run.status)): \(run.stderr.suffix(300))") }
        if call >= 5 { millis.append(run.seconds * 1000) }  // the first calls warm the page cache
    }
    let sorted = millis.sorted()
    return CLITimes(
        count: sorted.count, mean: sorted.reduce(0, +) / Double(max(sorted.count, 1)), p50: nearestRankPercentile(sorted, 50),
        p99: nearestRankPercentile(sorted, 99))
}

/// The 1-minute load average of the machine (/proc/loadavg).
func machineLoadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
}

/// One line per phase for the log.
func describe(_ result: LoadPhaseResult) -> String {
    var parts = [String(format: "%@: %.0f req/s over %.0f s", result.phase.name, result.requestsPerSecond, result.windowSeconds)]
    if let rate = result.phase.pacedRate { parts.append(String(format: "offered %.0f/s", rate)) }
    for (kind, name) in result.phase.kindNames.enumerated() where result.count(kind: kind) > 0 {
        parts.append(
            String(
                format: "%@ n=%d p50 %.2f ms p99 %.2f ms max %.1f ms", name, result.count(kind: kind), result.percentileMS(50, kind: kind),
                result.percentileMS(99, kind: kind), result.maxMS(kind: kind)))
    }
    let statuses = result.statuses.enumerated().flatMap { kind, counts in
        counts.sorted { $0.key < $1.key }.map { "\(result.phase.kindNames[kind]) \($0.key): \($0.value)" }
    }
    parts.append("statuses [" + statuses.joined(separator: ", ") + "]")
    if !result.errors.isEmpty { parts.append("errors \(result.errors)") }
    let unfinished = zip(result.phase.kindNames, result.unfinished).filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
    if !unfinished.isEmpty { parts.append("unanswered at the end: " + unfinished.joined(separator: ", ")) }
    return parts.joined(separator: "; ")
}
