import ArabicText
import Foundation
import Vectorizer

/// Sila's side of the TF-IDF benchmark; Benchmarks/vectorizer/sklearn_tfidf.py is scikit-learn's.
///
/// Both read the token lists `sila analyze --jsonl` prints and time fit + transform only (not reading the file),
/// with DESIGN.md's defaults except the title weight, which is 1 (title tokens are body tokens), scikit-learn's only
/// choice: min_df 2, max_df 0.5, sublinear tf, smooth idf, L2 norm. Both sides repeat their fit + transform
/// `repeats` times in one process and report the fastest run: each side's first run pays for a cold heap and
/// caches, and on a shared machine the fastest run is the one least disturbed by other work.
struct VectorizerBenchResult: Codable {
    /// `TFIDFModel.fitTransform` with `threads` threads, fastest of `repeats` runs: one pass over the tokens, like
    /// scikit-learn's fit_transform.
    var seconds: Double
    /// Every run of `seconds`, in order.
    var runs: [Double]
    var repeats: Int
    /// Fit, then transform (two passes, each token looked up twice: the shape `sila index` streams) with `threads`.
    var twoPassSeconds: Double
    var fitSeconds: Double
    var transformSeconds: Double
    /// Fit + transform on one thread (`add` and `vectorize` one document at a time).
    var singleThreadSeconds: Double
    /// The same run's process CPU time: the steadier figure on a loaded machine.
    var singleThreadCPUSeconds: Double
    /// Process CPU time of `fitTransform` on one thread, least of `repeats` runs (compare with scikit-learn's
    /// `cpu_seconds`, also one thread).
    var fitTransformCPUSeconds: Double
    var threads: Int
    var documents: Int
    var vocabulary: Int
    /// Stored (non-zero) weights over all vectors.
    var nonZeros: Int
    /// The process's peak resident set (VmHWM), input included, in MiB.
    var peakRSSMB: Double
}

/// Reads the token JSONL at `tokensPath`, then times fitting (`DocumentFrequencyCounter`) and vectorizing every
/// document, once on one thread and once on `threads` threads.
func runVectorizerBench(
    tokensPath: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount, repeats: Int = 3
) -> VectorizerBenchResult {
    let documents = readTokenLists(path: tokensPath)
    let parameters = TFIDFParameters(titleWeight: 1)

    // One thread, one document at a time: the streaming path the indexer takes.
    var start = monotonicSeconds()
    let startCPU = processCPUSeconds()
    var counter = DocumentFrequencyCounter(parameters: parameters)
    for document in documents { counter.add(document) }
    let sequentialModel = makeBenchModel(counter)
    var vectors = documents.map(sequentialModel.vectorize)
    let singleThreadSeconds = monotonicSeconds() - start
    let singleThreadCPUSeconds = processCPUSeconds() - startCPU
    vectors = []

    start = monotonicSeconds()
    let model = makeBenchModel(DocumentFrequencyCounter(parameters: parameters, counting: documents, threads: threads))
    let fitSeconds = monotonicSeconds() - start
    vectors = model.vectorize(documents, threads: threads)
    let twoPassSeconds = monotonicSeconds() - start
    precondition(model.id == sequentialModel.id, "parallel and sequential fits differ")
    let twoPassVectors = vectors
    vectors = []

    var runs = [Double]()
    for _ in 0..<max(1, repeats) {
        vectors = []  // the previous run's vectors are freed first, as scikit-learn's side drops its matrix
        start = monotonicSeconds()
        let fused = TFIDFModel.fitTransform(
            documents, name: "bench", analyzerVersion: "bench", parameters: parameters, threads: threads,
            createdAt: Date(timeIntervalSince1970: 0))
        runs.append(monotonicSeconds() - start)
        precondition(fused.model.id == model.id && fused.vectors == twoPassVectors, "fitTransform differs from fit + vectorize")
        vectors = fused.vectors
    }
    let seconds = runs.min()!
    let fusedVectors = vectors
    vectors = []

    var fitTransformCPUSeconds = Double.infinity
    for _ in 0..<max(1, repeats) {
        let fusedStartCPU = processCPUSeconds()
        let oneThread = TFIDFModel.fitTransform(
            documents, name: "bench", analyzerVersion: "bench", parameters: parameters, threads: 1,
            createdAt: Date(timeIntervalSince1970: 0))
        fitTransformCPUSeconds = min(fitTransformCPUSeconds, processCPUSeconds() - fusedStartCPU)
        precondition(oneThread.model.id == model.id, "one-thread fitTransform differs")
    }
    vectors = fusedVectors

    return VectorizerBenchResult(
        seconds: seconds, runs: runs, repeats: max(1, repeats), twoPassSeconds: twoPassSeconds, fitSeconds: fitSeconds, transformSeconds: twoPassSeconds - fitSeconds,
        singleThreadSeconds: singleThreadSeconds, singleThreadCPUSeconds: singleThreadCPUSeconds, fitTransformCPUSeconds: fitTransformCPUSeconds, threads: threads, documents: vectors.count,
        vocabulary: model.vocabularySize, nonZeros: vectors.reduce(0) { $0 + $1.nonZeroCount },
        peakRSSMB: peakResidentMegabytes())
}

/// Fitting from raw text, analyzer included: articles (JSONL with "title" and "body") analyzed and counted in
/// batches on `threads` threads, as `sila index --refit` does; returns articles per second (JSON parsing excluded).
func runVectorizerTextFitBench(
    articlesPath: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount
) -> (articlesPerSecond: Double, articles: Int, vocabulary: Int) {
    struct RawArticle: Decodable, Sendable {
        var title: String?
        var body: String
    }
    let articles = readJSONLines(path: articlesPath, as: RawArticle.self)
    let analyzer = Analyzer()
    let start = monotonicSeconds()
    var counter = DocumentFrequencyCounter(parameters: TFIDFParameters())
    for batchStart in stride(from: 0, to: articles.count, by: 2000) {
        let batch = Array(articles[batchStart..<min(articles.count, batchStart + 2000)])
        let analyzed = analyzeConcurrently(batch.map { ($0.title ?? "", $0.body) }, analyzer: analyzer, threads: threads)
        for document in analyzed { counter.add(document) }
    }
    let model = makeBenchModel(counter)
    let seconds = monotonicSeconds() - start
    return (Double(articles.count) / seconds, articles.count, model.vocabularySize)
}

private func makeBenchModel(_ counter: DocumentFrequencyCounter) -> TFIDFModel {
    TFIDFModel(
        name: "bench", analyzerVersion: "bench", analyzerConfiguration: .standard, counter: counter,
        createdAt: Date(timeIntervalSince1970: 0))
}

private func analyzeConcurrently(_ texts: [(String, String)], analyzer: Analyzer, threads: Int) -> [AnalyzedDocument] {
    let chunks = max(1, min(threads, texts.count))
    let lock = NSLock()
    nonisolated(unsafe) var parts = [[AnalyzedDocument]](repeating: [], count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let range = (chunk * texts.count / chunks)..<((chunk + 1) * texts.count / chunks)
        let part = texts[range].map { AnalyzedDocument(titleTerms: analyzer.terms($0.0), bodyTerms: analyzer.terms($0.1)) }
        lock.withLock { parts[chunk] = part }
    }
    return parts.flatMap { $0 }
}

/// The token lists of `sila analyze --jsonl` output.
private func readTokenLists(path: String) -> [AnalyzedDocument] {
    struct TokenLine: Decodable {
        var title_tokens: [String]
        var body_tokens: [String]
    }
    return readJSONLines(path: path, as: TokenLine.self).map {
        AnalyzedDocument(titleTerms: $0.title_tokens, bodyTerms: $0.body_tokens)
    }
}

private func readJSONLines<Line: Decodable>(path: String, as type: Line.Type) -> [Line] {
    guard let data = FileManager.default.contents(atPath: path) else { fatalError("\(path): cannot read") }
    let decoder = JSONDecoder()
    var lines = [Line]()
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
        lineNumber += 1
        do {
            lines.append(try decoder.decode(Line.self, from: line))
        } catch {
            fatalError("\(path):\(lineNumber): \(error)")
        }
    }
    return lines
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private func processCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// VmHWM from /proc/self/status, in MiB (0 where there is no /proc).
private func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return kilobytes / 1024
    }
    return 0
}

/// `TFIDFModel.fitTransform` alone, `repeats` times on the same token lists (for profiling the kernel, e.g. under
/// `perf record`): wall and process CPU seconds of each run.
func runVectorizerKernel(tokensPath: String, threads: Int, repeats: Int) -> [(seconds: Double, cpuSeconds: Double)] {
    let documents = readTokenLists(path: tokensPath)
    return (0..<repeats).map { _ in
        let (start, startCPU) = (monotonicSeconds(), processCPUSeconds())
        let fitted = TFIDFModel.fitTransform(
            documents, name: "bench", analyzerVersion: "bench", parameters: TFIDFParameters(titleWeight: 1), threads: threads,
            createdAt: Date(timeIntervalSince1970: 0))
        let times = (monotonicSeconds() - start, processCPUSeconds() - startCPU)
        precondition(fitted.vectors.count == documents.count)
        return times
    }
}
