import Foundation

// SilaBench: Sila's side of the benchmarks. Benchmarks/run.sh drives it together with the Python anchors and prints
// the one table; each subcommand is one measurement in its own process, printing one JSON line (and writing it to
// --json FILE when given). See Benchmarks/README.md.

let benchUsage = """
    usage: SilaBench COMMAND [options]
      csr            --corpus FILE.jsonl --out DIR [--threads 2] [--queries 2000] [--seed 42]
                     TF-IDF matrix of the corpus (Sila's analyzer + vectorizer, titleWeight 1, minDF 2, maxDF 0.5,
                     sublinear) written once as CSR .npy files: the one input of every similarity benchmark
      similarity-all --csr DIR [--k 10] [--threads 2] [--out-topk FILE.npy] [--json FILE]
                     all-pairs exact top-k (SimilarityIndex.searchAll): time, load time, peak RSS
      similarity-one --csr DIR [--k 10] [--threads 2] [--warmup 100] [--json FILE]
                     single-article exact top-k, vector given, for the seeded rows of DIR/queries.npy: p50/p99
      synth          --from CORPUS --count N --seed S --out FILE.jsonl [--template-share 0.7] [--jitter-days 30]
                     synthetic corpus with real term statistics and topic structure
      ingest-index   --sila PATH --corpus FILE.jsonl --work DIR [--threads 2] [--timeout 1800] [--json FILE]
                     `sila ingest` then `sila index` on a fresh database: wall time, peak RSS, phase timings
      loadgen        --sila PATH --corpus FILE.jsonl --work DIR [--out DIR] [--json FILE] [--connections 64]
                     [--seconds 20] [--warmup 3] [--mixed-seconds 20] [--put-share 0.05] [--paced-rate R]
                     [--client-threads 1] [--single-puts 5] [--cli-calls 200] [--seed 42] [--reuse-db yes]
                     the server benchmark: `sila serve` as a child, GET / mixed GET+PUT load over keep-alive
                     connections on its Unix socket, its RSS, and `sila related` per process for comparison;
                     with --attach SOCKET only the GET load on a server started by hand (profiling)
      soak           --socket PATH --corpus FILE.jsonl --minutes M --journal FILE [--pid-file FILE] [--seed 9]
                     [--readers 4] [--rate 100] [--writers 1] [--rss-out FILE] [--summary FILE]
                     the soak client (scripts/soak.sh): paced reads, one-at-a-time upserts and deletes, one
                     recompute, while the server is killed and restarted; journals every write's outcome
      soak-verify    --db PATH --journal FILE --corpus FILE.jsonl --sila PATH --work DIR [--json FILE]
                     the soak's checks: acknowledged writes, integrity, lists vs a fresh recompute
      vectorizer     --tokens FILE.jsonl [--corpus FILE.jsonl] --out DIR [--threads 2] [--repeat 3] [--json FILE]
                     TF-IDF fit + transform from token lists, fastest of --repeat runs, vs scikit-learn's (child
                     process, same repeats); fit from raw text, analyzer included
      vectorizer-kernel --tokens FILE.jsonl [--threads 2] [--repeat 10]
                     TFIDFModel.fitTransform alone, repeated: wall and CPU seconds of each run (profiling)
      report         --out DIR [--sets dev,syn100k]
                     the final table from the JSON results under DIR
      list           the subcommands of this build, one per line (run.sh probes optional ones with it)
    """

/// Subcommands, by name. Optional benchmarks register here.
var benchCommands: [String: (BenchArguments) throws -> Void] = [
    "csr": runCSRExport,
    "similarity-all": runSimilarityAll,
    "similarity-one": runSimilarityOne,
    "synth": runSynth,
    "ingest-index": runIngestIndex,
    "report": runReport,
]
benchCommands["loadgen"] = runLoadGenerator  // LoadGenerator.swift (issue 7)
benchCommands["soak"] = runSoak  // SoakClient.swift (issue 9, scripts/soak.sh)
benchCommands["soak-verify"] = runSoakVerify  // SoakVerify.swift

// ───── The analyzer and vectorizer benchmarks (AnalyzerBench.swift, VectorizerBench.swift) ─────────────────────
// Each runs Sila's side in this process and the Python anchor as a child process on the same input, and writes
// its rows for the final table to OUT/table/NAME.json.

benchCommands["analyzer"] = { arguments in
    let corpus = try arguments.string("corpus")
    let result = runAnalyzerBench(corpusPath: corpus)
    print(result)
    let python = runPythonAnalyzerBench(scriptPath: "Benchmarks/analyzer/python_analyzer.py", corpusPath: corpus)
    let ratio = python.map { result.megabytesPerSecond / $0 }
    if let python { print(String(format: "python analyzer: %.2f MB/s (cpu, one core); sila/python %.1f×", python, ratio ?? 0)) }
    for row in runAnalyzerAblation(corpusPath: corpus) {
        print("ablation \(row.configuration): \(row.tokens) terms, \(row.distinctTokens) distinct")
    }
    try writeTableRows(
        [
            TableRow(
                benchmark: "dev: analyzer MB/s, one core (vs Python re + str.translate)",
                sila: String(format: "%.1f", result.megabytesPerSecond), anchor: python.map { String(format: "%.2f", $0) } ?? "—",
                ratio: ratio.map { String(format: "%.1f×", $0) } ?? "—", target: "≥ 10×",
                met: ratio.map { $0 >= 10 ? "yes" : "NO" } ?? "—")
        ], name: "analyzer", outDirectory: try arguments.string("out"))
}

benchCommands["vectorizer"] = { arguments in
    let tokens = try arguments.string("tokens")
    let repeats = try arguments.int("repeat", default: 3)
    let result = runVectorizerBench(tokensPath: tokens, threads: try arguments.int("threads", default: 2), repeats: repeats)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(result), as: UTF8.self))
    // scikit-learn on the same token file, in its own process (its own peak RSS).
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments.string("python", default: "Benchmarks/.venv/bin/python"))
    process.arguments = ["Benchmarks/vectorizer/sklearn_tfidf.py", tokens, "--repeat", String(repeats)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let anchor = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    let anchorSeconds = anchor?["seconds"] as? Double
    let anchorRSS = anchor?["peak_rss_mb"] as? Double
    let anchorCPUSeconds = anchor?["cpu_seconds"] as? Double
    print("scikit-learn: \(String(decoding: data, as: UTF8.self))")
    let speedup = anchorSeconds.map { $0 / result.seconds }
    // Fitting from raw text (analyzer included), measured after the peak RSS above was taken.
    var textRows = [TableRow]()
    if let corpus = arguments.optionalString("corpus") {
        let text = runVectorizerTextFitBench(articlesPath: corpus, threads: try arguments.int("threads", default: 2))
        print("fit from raw text: \(text.articles) articles, vocabulary \(text.vocabulary), \(Int(text.articlesPerSecond)) articles/s")
        textRows.append(
            TableRow(
                benchmark: "dev: TF-IDF fit from raw text (analyzer included), articles/s", sila: String(format: "%.0f", text.articlesPerSecond),
                anchor: "—", ratio: "—", target: "—", met: "—"))
    }
    try writeTableRows(
        [
            TableRow(
                benchmark: "dev: TF-IDF fit_transform from tokens, s, best of \(repeats) (vs scikit-learn fit_transform)",
                sila: String(format: "%.3f", result.seconds), anchor: anchorSeconds.map { String(format: "%.3f", $0) } ?? "—",
                ratio: speedup.map { String(format: "%.1f× faster", $0) } ?? "—", target: "≥ 5× faster",
                met: speedup.map { $0 >= 5 ? "yes" : "NO" } ?? "—"),
            TableRow(
                benchmark: "dev: TF-IDF fit_transform CPU s, one thread, best of \(repeats) (vs scikit-learn CPU s)",
                sila: String(format: "%.3f", result.fitTransformCPUSeconds),
                anchor: anchorCPUSeconds.map { String(format: "%.3f", $0) } ?? "—",
                ratio: anchorCPUSeconds.map { String(format: "%.1f× less", $0 / result.fitTransformCPUSeconds) } ?? "—",
                target: "—", met: "—"),
            TableRow(
                benchmark: "dev: TF-IDF fit, then transform (two passes, as `sila index` streams), s",
                sila: String(format: "%.3f", result.twoPassSeconds), anchor: anchorSeconds.map { String(format: "%.3f", $0) } ?? "—",
                ratio: anchorSeconds.map { String(format: "%.1f× faster", $0 / result.twoPassSeconds) } ?? "—", target: "—",
                met: "—"),
            TableRow(
                benchmark: "dev: TF-IDF peak RSS, MiB (vs scikit-learn)", sila: String(format: "%.0f", result.peakRSSMB),
                anchor: anchorRSS.map { String(format: "%.0f", $0) } ?? "—",
                ratio: anchorRSS.map { String(format: "%.2f×", result.peakRSSMB / $0) } ?? "—", target: "below",
                met: anchorRSS.map { result.peakRSSMB < $0 ? "yes" : "NO" } ?? "—"),
        ] + textRows, name: "vectorizer", outDirectory: try arguments.string("out"))
}

benchCommands["vectorizer-kernel"] = { arguments in
    let runs = runVectorizerKernel(
        tokensPath: try arguments.string("tokens"), threads: try arguments.int("threads", default: 2),
        repeats: try arguments.int("repeat", default: 10))
    print("fitTransform seconds: " + runs.map { String(format: "%.4f", $0.seconds) }.joined(separator: " ")
        + String(format: "; best %.4f", runs.map(\.seconds).min() ?? 0))
    print("fitTransform CPU seconds: " + runs.map { String(format: "%.4f", $0.cpuSeconds) }.joined(separator: " ")
        + String(format: "; best %.4f", runs.map(\.cpuSeconds).min() ?? 0))
}

let benchArgv = CommandLine.arguments
guard benchArgv.count >= 2, benchArgv[1] != "help", benchArgv[1] != "--help" else {
    print(benchUsage)
    exit(benchArgv.count >= 2 ? 0 : 64)
}
if benchArgv[1] == "list" {
    for name in benchCommands.keys.sorted() { print(name) }
    exit(0)
}
guard let benchCommand = benchCommands[benchArgv[1]] else {
    FileHandle.standardError.write(Data("silabench: unknown command \(benchArgv[1])\n\(benchUsage)\n".utf8))
    exit(64)
}
do {
    try benchCommand(BenchArguments(benchArgv.dropFirst(2)))
} catch {
    FileHandle.standardError.write(Data("silabench \(benchArgv[1]): \(error)\n".utf8))
    exit(1)
}
