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

// ───── Wiring place for the analyzer and vectorizer benchmarks ─────────────────────────────────────────────────
// AnalyzerBench.swift and VectorizerBench.swift (other engineers' files) provide
//     func runAnalyzerBench(corpusPath: String) -> AnalyzerBenchResult
//     func runVectorizerBench(tokensPath: String) -> VectorizerBenchResult
// Once those files exist, uncomment the two registrations below. run.sh runs `SilaBench analyzer --corpus FILE
// --json OUT` and `SilaBench vectorizer --tokens FILE --json OUT` when `SilaBench list` shows them. To put figures in
// the final table, write them as rows with `writeTableRows(_:name:outDirectory:)` (see BenchSupport.swift): the
// report appends every DIR/table/*.json.
//
// benchCommands["analyzer"] = { arguments in
//     let result = runAnalyzerBench(corpusPath: try arguments.string("corpus"))
//     print(result)
//     // try writeTableRows([TableRow(...)], name: "analyzer", outDirectory: try arguments.string("out"))
// }
// benchCommands["vectorizer"] = { arguments in
//     let result = runVectorizerBench(tokensPath: try arguments.string("tokens"))
//     print(result)
//     // try writeTableRows([TableRow(...)], name: "vectorizer", outDirectory: try arguments.string("out"))
// }
// ────────────────────────────────────────────────────────────────────────────────────────────────────────────────

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
