import ArabicText
import Dispatch
import Foundation
import Similarity
import Vectorizer

// The similarity benchmark (issue 5). One input for both sides: `csr` turns a corpus into Sila's TF-IDF matrix once
// and writes it as CSR `.npy` files; `similarity-all` and `similarity-one` (Sila) and the Python anchors then read
// that same matrix, each in its own process so that every peak RSS belongs to one side only.

/// The files of one exported matrix in `dir`.
struct CSRFiles {
    let directory: String
    var indptr: String { directory + "/indptr.npy" }  // int64, rows + 1
    var indices: String { directory + "/indices.npy" }  // int32, nnz (term ids: decreasing df order)
    var data: String { directory + "/data.npy" }  // float32, nnz (L2-normalized TF-IDF weights)
    var shape: String { directory + "/shape.npy" }  // int64 [rows, vocabulary]
    var dates: String { directory + "/dates.npy" }  // int64 published_at seconds (Int64.min: none), tie keys
    var ids: String { directory + "/ids.txt" }  // one article id per line
    var queries: String { directory + "/queries.npy" }  // int64: the seeded query rows of the single-query benchmark
    var meta: String { directory + "/meta.json" }
}

/// The TF-IDF parameters of the benchmark: titleWeight 1 (so that the matrix equals scikit-learn's on the same
/// tokens), sublinear tf, minDF 2, maxDF 0.5.
let benchParameters = TFIDFParameters(titleWeight: 1, sublinearTF: true, minDF: 2, maxDF: 0.5)

// MARK: - csr: corpus → TF-IDF matrix

/// `SilaBench csr --corpus FILE --out DIR [--threads 2] [--queries 2000] [--seed 42]`
func runCSRExport(_ arguments: BenchArguments) throws {
    let corpusPath = try arguments.string("corpus")
    let files = CSRFiles(directory: try arguments.string("out"))
    let threads = try arguments.int("threads", default: 2)
    let queryCount = try arguments.int("queries", default: 2000)
    let seed = UInt64(try arguments.int("seed", default: 42))
    try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)

    var clock = benchSeconds()
    let articles = try readBenchCorpus(corpusPath)
    let readSeconds = benchSeconds() - clock

    clock = benchSeconds()
    let analyzer = Analyzer()
    let documents = analyzeInParallel(articles, analyzer: analyzer, threads: threads)
    let analyzeSeconds = benchSeconds() - clock

    clock = benchSeconds()
    let counter = DocumentFrequencyCounter(parameters: benchParameters, counting: documents, threads: threads)
    let model = TFIDFModel(
        name: "bench", analyzerVersion: analyzer.version, analyzerConfiguration: analyzer.configuration, counter: counter)
    let vectors = model.vectorize(documents, threads: threads)
    let vectorizeSeconds = benchSeconds() - clock

    let nnz = vectors.reduce(0) { $0 + $1.nonZeroCount }
    var indptr = [Int64](repeating: 0, count: vectors.count + 1)
    var indices = [Int32]()
    var data = [Float]()
    indices.reserveCapacity(nnz)
    data.reserveCapacity(nnz)
    for (row, vector) in vectors.enumerated() {
        indices.append(contentsOf: vector.termIDs.map { Int32(bitPattern: $0) })
        data.append(contentsOf: vector.weights)
        indptr[row + 1] = Int64(indices.count)
    }
    try Npy.write(indptr, shape: [indptr.count], to: files.indptr)
    try Npy.write(indices, shape: [indices.count], to: files.indices)
    try Npy.write(data, shape: [data.count], to: files.data)
    try Npy.write([Int64(vectors.count), Int64(model.vocabularySize)], shape: [2], to: files.shape)
    try Npy.write(articles.map { epochSeconds(iso: $0.publishedAt) ?? Int64.min }, shape: [articles.count], to: files.dates)
    try (articles.map(\.id).joined(separator: "\n") + "\n").write(toFile: files.ids, atomically: true, encoding: .utf8)

    // The query rows of the single-query benchmark: distinct, seeded, the same for Sila and the scipy anchor.
    var generator = SeededGenerator(seed: seed)
    var rows = Array(0..<vectors.count)
    let chosen = min(queryCount, rows.count)
    for index in 0..<chosen { rows.swapAt(index, index + generator.below(rows.count - index)) }
    try Npy.write(rows.prefix(chosen).map(Int64.init), shape: [chosen], to: files.queries)

    let zeroRows = vectors.filter(\.isZero).count
    let result: [String: Any] = [
        "benchmark": "csr", "corpus": corpusPath, "rows": vectors.count, "vocabulary": model.vocabularySize,
        "nnz": nnz, "nnz_per_row": jsonRounded(Double(nnz) / Double(max(vectors.count, 1)), 1), "zero_rows": zeroRows,
        "analyzer_version": analyzer.version, "model_id": model.id,
        "parameters": "titleWeight 1, sublinear tf, minDF 2, maxDF 0.5",
        "read_s": jsonRounded(readSeconds), "analyze_s": jsonRounded(analyzeSeconds), "fit_vectorize_s": jsonRounded(vectorizeSeconds),
        "threads": threads, "queries": chosen, "seed": Int(seed),
    ]
    try emitResult(result, to: files.meta)
}

/// Analyzes title and body of every article on `threads` threads, in order.
func analyzeInParallel(_ articles: [CorpusArticle], analyzer: Analyzer, threads: Int) -> [AnalyzedDocument] {
    let chunkCount = max(1, min(threads * 8, articles.count))
    let chunkSize = (articles.count + chunkCount - 1) / chunkCount
    let slots = SlotBuffer<AnalyzedDocument>(count: articles.count)
    DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
        let start = chunk * chunkSize
        let end = min(articles.count, start + chunkSize)
        guard start < end else { return }
        for index in start..<end {
            let article = articles[index]
            slots.set(index, AnalyzedDocument(titleTerms: analyzer.terms(article.title), bodyTerms: analyzer.terms(article.body)))
        }
    }
    return slots.values()
}

/// Result slots that worker threads fill at distinct indices (each index written once, read after all finish).
final class SlotBuffer<Element>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element?>
    init(count: Int) {
        base = UnsafeMutablePointer<Element?>.allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
        self.count = count
    }
    let count: Int
    func set(_ index: Int, _ value: Element) { base[index] = value }
    func values() -> [Element] { (0..<count).map { base[$0]! } }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

// MARK: - Loading the matrix into Sila's index

struct LoadedMatrix {
    var rows: Int
    var vocabulary: Int
    var indptr: [Int64]
    var indices: [Int32]
    var data: [Float]
    var ids: [String]
    var dates: [Int64]

    init(_ files: CSRFiles) throws {
        let shape = try Npy.read(Int64.self, from: files.shape).values
        guard shape.count == 2 else { throw BenchError("\(files.shape): expected [rows, vocabulary]") }
        rows = Int(shape[0])
        vocabulary = Int(shape[1])
        indptr = try Npy.read(Int64.self, from: files.indptr).values
        indices = try Npy.read(Int32.self, from: files.indices).values
        data = try Npy.read(Float.self, from: files.data).values
        dates = try Npy.read(Int64.self, from: files.dates).values
        guard let idText = try? String(contentsOfFile: files.ids, encoding: .utf8) else { throw BenchError("cannot read \(files.ids)") }
        ids = idText.split(separator: "\n").map(String.init)
        guard indptr.count == rows + 1, ids.count == rows, dates.count == rows, Int(indptr[rows]) == indices.count,
            indices.count == data.count
        else { throw BenchError("\(files.directory): inconsistent CSR files") }
    }

    func vector(_ row: Int) -> SparseVector {
        let range = Int(indptr[row])..<Int(indptr[row + 1])
        return SparseVector(termIDs: indices[range].map { UInt32(bitPattern: $0) }, weights: Array(data[range]))
    }

    func tieKey(_ row: Int) -> TieKey {
        TieKey(publishedAt: dates[row] == Int64.min ? nil : dates[row], id: ids[row])
    }

    /// A `SimilarityIndex` with every row added in order (row i of the matrix is row i of the index).
    func makeIndex(configuration: SearchConfiguration) -> SimilarityIndex {
        var index = SimilarityIndex(vocabularySize: vocabulary, configuration: configuration)
        index.reserveCapacity(rows: rows, nonZeros: indices.count)
        for row in 0..<rows { index.add(vector(row), key: tieKey(row)) }
        return index
    }
}

/// The search configuration of the benchmark: the product's defaults with `--threads`, and optional overrides
/// for measuring alternatives (`--head`, `--head-fraction`, `--block-rows`, `--block-columns`, `--split-work`: the
/// postings from which a single query is split across two threads).
func benchSearchConfiguration(_ arguments: BenchArguments) throws -> SearchConfiguration {
    var configuration = SearchConfiguration.standard
    configuration.threads = try arguments.int("threads", default: 2)
    configuration.denseHeadTerms = try arguments.int("head", default: configuration.denseHeadTerms)
    if let fraction = arguments.optionalString("head-fraction").flatMap(Double.init) {
        configuration.denseHeadMinDocumentFraction = fraction
    }
    configuration.blockRows = try arguments.int("block-rows", default: configuration.blockRows)
    configuration.blockColumns = try arguments.int("block-columns", default: configuration.blockColumns)
    configuration.singleQueryParallelMinimumWork = try arguments.int(
        "split-work", default: configuration.singleQueryParallelMinimumWork)
    return configuration
}

// MARK: - similarity-all: the nightly recompute

/// User + system CPU seconds of this process so far (every thread): less sensitive than wall time to other load.
private func similaritySearchCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// `SilaBench similarity-all --csr DIR [--k 10] [--threads 2] [--out-topk FILE.npy] [--json FILE]`
func runSimilarityAll(_ arguments: BenchArguments) throws {
    let files = CSRFiles(directory: try arguments.string("csr"))
    let k = try arguments.int("k", default: 10)
    let threads = try arguments.int("threads", default: 2)
    let topkPath = arguments.string("out-topk", default: files.directory + "/sila_topk.npy")

    let configuration = try benchSearchConfiguration(arguments)

    // The matrix is read, copied into the index, and released before the search: the index holds the vectors
    // (as the anchor's process holds its matrix), the benchmark keeps no second copy.
    var clock = benchSeconds()
    var readSeconds = 0.0
    var buildSeconds = 0.0
    let (index, rowCount, vocabulary, nnz) = try { () throws -> (SimilarityIndex, Int, Int, Int) in
        let matrix = try LoadedMatrix(files)
        readSeconds = benchSeconds() - clock
        clock = benchSeconds()
        let index = matrix.makeIndex(configuration: configuration)
        buildSeconds = benchSeconds() - clock
        return (index, matrix.rows, matrix.vocabulary, matrix.indices.count)
    }()
    let rssAfterLoad = procStatusMiB("VmRSS")

    // Timed: the inverted lists (the transpose, built on first use) and the search, as sparse_dot_topn's call
    // includes its own handling of A.T.
    clock = benchSeconds()
    let cpuBefore = similaritySearchCPUSeconds()
    index.prepareForSearch()
    let postingsSeconds = benchSeconds() - clock
    let results = index.searchAll(k: k)
    let searchSeconds = benchSeconds() - clock
    let searchCPUSeconds = similaritySearchCPUSeconds() - cpuBefore
    let peak = peakRSSMiB()

    // Top-k row ids (-1 padded) and scores, for the exactness and recall checks in the anchors.
    var topRows = [Int32](repeating: -1, count: rowCount * k)
    var topScores = [Float](repeating: 0, count: rowCount * k)
    var emptyLists = 0
    for query in 0..<results.queryCount {
        let matches = results.matches(ofQuery: query)
        if matches.isEmpty { emptyLists += 1 }
        for (rank, match) in matches.prefix(k).enumerated() {
            topRows[query * k + rank] = match.row
            topScores[query * k + rank] = match.score
        }
    }
    try Npy.write(topRows, shape: [rowCount, k], to: topkPath)
    try Npy.write(topScores, shape: [rowCount, k], to: topkPath.replacingOccurrences(of: ".npy", with: "_scores.npy"))

    try emitResult(
        [
            "benchmark": "similarity-all", "side": "sila", "rows": rowCount, "vocabulary": vocabulary,
            "nnz": nnz, "k": k, "threads": threads,
            "configuration": index.configurationSummary,
            "read_s": jsonRounded(readSeconds), "load_s": jsonRounded(buildSeconds), "search_s": jsonRounded(searchSeconds),
            "postings_s": jsonRounded(postingsSeconds), "search_cpu_s": jsonRounded(searchCPUSeconds),
            "rss_after_load_mb": jsonRounded(rssAfterLoad, 1), "peak_rss_mb": jsonRounded(peak, 1), "empty_lists": emptyLists,
            "topk_file": topkPath,
        ], to: arguments.optionalString("json"))
}

// MARK: - similarity-one: one article, vector given

/// `SilaBench similarity-one --csr DIR [--k 10] [--threads 2] [--warmup 100] [--json FILE]`
///
/// Times `search(_:k:excluding:)` for the seeded query rows of `queries.npy`, one call at a time, the query's
/// vector built beforehand (in-process, vector given, as the issue defines it). `cpu_p50_us`/`cpu_p99_us`: the
/// calling thread's CPU time per query (excludes time the thread was preempted by other load; with the two-thread
/// split, the helper's share is not in it).
func runSimilarityOne(_ arguments: BenchArguments) throws {
    let files = CSRFiles(directory: try arguments.string("csr"))
    let k = try arguments.int("k", default: 10)
    let warmup = try arguments.int("warmup", default: 100)

    var clock = benchSeconds()
    let matrix = try LoadedMatrix(files)
    let index = matrix.makeIndex(configuration: try benchSearchConfiguration(arguments))
    index.prepareForSearch()  // the inverted lists, as the scipy anchor builds A.T before timing
    let loadSeconds = benchSeconds() - clock
    let queryRows = try Npy.read(Int64.self, from: files.queries).values.map(Int.init)
    guard !queryRows.isEmpty else { throw BenchError("\(files.queries) holds no query rows") }
    let vectors = queryRows.map { matrix.vector($0) }

    var checksum = 0.0
    for position in 0..<min(warmup, queryRows.count) {
        checksum += Double(index.search(vectors[position], k: k, excluding: Int32(queryRows[position])).first?.score ?? 0)
    }
    var latencies = [Double]()
    var cpuTimes = [Double]()  // the calling thread's CPU time per query: what other load on the machine cannot add
    latencies.reserveCapacity(queryRows.count)
    cpuTimes.reserveCapacity(queryRows.count)
    clock = benchSeconds()
    for (position, row) in queryRows.enumerated() {
        let cpuStart = threadCPUNanoseconds()
        let start = benchNanoseconds()
        let matches = index.search(vectors[position], k: k, excluding: Int32(row))
        let end = benchNanoseconds()
        cpuTimes.append(Double(threadCPUNanoseconds() - cpuStart) / 1000)
        latencies.append(Double(end - start) / 1000)
        checksum += Double(matches.first?.score ?? 0)
    }
    let totalSeconds = benchSeconds() - clock
    latencies.sort()
    cpuTimes.sort()
    try emitResult(
        [
            "benchmark": "similarity-one", "side": "sila", "rows": matrix.rows, "queries": queryRows.count, "k": k,
            "warmup": min(warmup, queryRows.count), "load_s": jsonRounded(loadSeconds),
            "p50_us": jsonRounded(nearestRankPercentile(latencies, 50), 1), "p90_us": jsonRounded(nearestRankPercentile(latencies, 90), 1),
            "p99_us": jsonRounded(nearestRankPercentile(latencies, 99), 1), "max_us": jsonRounded(latencies.last ?? .nan, 1),
            "mean_us": jsonRounded(latencies.reduce(0, +) / Double(latencies.count), 1),
            "cpu_p50_us": jsonRounded(nearestRankPercentile(cpuTimes, 50), 1),
            "cpu_p99_us": jsonRounded(nearestRankPercentile(cpuTimes, 99), 1),
            "total_s": jsonRounded(totalSeconds), "peak_rss_mb": jsonRounded(peakRSSMiB(), 1), "checksum": jsonRounded(checksum, 3),
        ], to: arguments.optionalString("json"))
}

/// CPU time of the calling thread, in nanoseconds.
private func threadCPUNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}
