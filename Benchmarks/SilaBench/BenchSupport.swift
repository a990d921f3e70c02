import Foundation
import Store

// Shared helpers of the benchmark executable: clocks, peak memory, seeded randomness, `.npy` files, JSON results,
// and the small argument parser the subcommands use. Nothing here is timed.

// MARK: - Clocks and memory

/// Monotonic time in seconds.
@inline(__always)
func benchSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// Monotonic time in nanoseconds (for per-query latencies).
@inline(__always)
func benchNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// A field of /proc/self/status in MiB (`VmHWM` is the peak resident set, `VmRSS` the current one); -1 if unknown.
func procStatusMiB(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if parts.count >= 2, let kib = Double(parts[1]) { return kib / 1024 }
    }
    return -1
}

/// Peak resident set size of this process so far, in MiB (VmHWM): comparable with Python's `ru_maxrss`.
func peakRSSMiB() -> Double { procStatusMiB("VmHWM") }

/// Percentile of sorted values (nearest rank, as numpy's `percentile(..., method="inverted_cdf")`).
func nearestRankPercentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

// MARK: - Seeded randomness

/// SplitMix64: small, fast and the same on every platform, so a seed names one benchmark input for good.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}

// MARK: - Errors and arguments

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// `--name value` options and bare flags, as the subcommands take them.
struct BenchArguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positional: [String] = []

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument.hasPrefix("--") {
                let name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    values[String(name[..<equals])] = String(name[name.index(after: equals)...])
                } else if Self.flagNames.contains(name) {
                    flags.insert(name)
                } else if let value = iterator.next() {
                    values[name] = value
                } else {
                    flags.insert(name)
                }
            } else {
                positional.append(argument)
            }
        }
    }

    /// Options that take no value.
    static let flagNames: Set<String> = ["quick", "help"]

    func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw BenchError("missing --\(name)") }
        return value
    }
    func string(_ name: String, default fallback: String) -> String { values[name] ?? fallback }
    func optionalString(_ name: String) -> String? { values[name] }
    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { throw BenchError("--\(name) needs an integer, got \(text)") }
        return value
    }
    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text) else { throw BenchError("--\(name) needs a number, got \(text)") }
        return value
    }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

// MARK: - JSON results

/// Writes a result object as one JSON line to stdout and, when given, to `path` (pretty-printed).
func emitResult(_ object: [String: Any], to path: String?) throws {
    let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(line + Data("\n".utf8))
    if let path {
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        try pretty.write(to: URL(fileURLWithPath: path))
    }
}

func readJSONObject(_ path: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return object
}

/// Rounds for readable JSON.
func jsonRounded(_ value: Double, _ digits: Int = 4) -> Double {
    guard value.isFinite else { return value }
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}

func benchNote(_ message: String) {
    FileHandle.standardError.write(Data(("silabench: " + message + "\n").utf8))
}

// MARK: - .npy files (NumPy format 1.0, little-endian, C order)

protocol NpyScalar {
    static var npyDescr: String { get }
}
extension Int64: NpyScalar { static var npyDescr: String { "<i8" } }
extension Int32: NpyScalar { static var npyDescr: String { "<i4" } }
extension Float: NpyScalar { static var npyDescr: String { "<f4" } }

enum Npy {
    /// Writes `values` with the given shape (product of shape = count).
    static func write<T: NpyScalar>(_ values: [T], shape: [Int], to path: String) throws {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the element count")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(T.npyDescr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let prefix = 10  // magic (6) + version (2) + header length (2)
        let padding = (64 - (prefix + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * MemoryLayout<T>.size)) }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Reads a 1-D or n-D array of type `T` (little-endian, C order); returns the values and the shape.
    static func read<T: NpyScalar>(_ type: T.Type, from path: String) throws -> (values: [T], shape: [Int]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw BenchError("\(path) is not a .npy file")
        }
        let major = data[data.startIndex + 6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            headerStart = 10
        } else {
            headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
            headerStart = 12
        }
        let header = String(decoding: data[(data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '\(T.npyDescr)'") else { throw BenchError("\(path): expected dtype \(T.npyDescr), header \(header)") }
        guard header.contains("'fortran_order': False") else { throw BenchError("\(path): Fortran order is not supported") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw BenchError("\(path): no shape in header \(header)")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let bodyStart = data.startIndex + headerStart + headerLength
        guard data.count - (bodyStart - data.startIndex) >= count * MemoryLayout<T>.size else { throw BenchError("\(path) is truncated") }
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[(bodyStart - data.startIndex)...])
                memcpy(buffer.baseAddress!, source.baseAddress!, count * MemoryLayout<T>.size)
            }
            initialized = count
        }
        return (values, shape)
    }
}

// MARK: - Corpus records

/// One article of a JSONL corpus, as far as the benchmarks need it.
struct CorpusArticle {
    var id: String
    var title: String
    var body: String
    var category: String
    var publishedAt: String
}

/// Reads a JSONL corpus (id and body required; title, category, published_at optional).
func readBenchCorpus(_ path: String) throws -> [CorpusArticle] {
    guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read corpus \(path)") }
    var articles = [CorpusArticle]()
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
        lineNumber += 1
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let id = object["id"] as? String, let body = object["body"] as? String
        else { throw BenchError("\(path):\(lineNumber): not an article with id and body") }
        articles.append(
            CorpusArticle(
                id: id, title: object["title"] as? String ?? "", body: body,
                category: object["category"] as? String ?? "", publishedAt: object["published_at"] as? String ?? ""))
    }
    return articles
}

/// Seconds since 1970 of an ISO-8601 date as Sila stores or accepts it (Store's parser, so the benchmark reads
/// dates exactly as Sila does).
func epochSeconds(iso text: String) -> Int64? { ISODate.epochSeconds(text) }

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since 1970 (UTC), as Sila stores dates.
func isoString(epochSeconds value: Int64) -> String { ISODate.format(value) }

/// A JSON string literal of `text`.
func jsonString(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

// MARK: - The final table

/// One row of the final table: benchmark | Sila | anchor | ratio | target | met?
struct TableRow {
    var benchmark: String
    var sila: String
    var anchor: String = "—"
    var ratio: String = "—"
    var target: String = "—"
    var met: String = "—"

    var dictionary: [String: String] {
        ["benchmark": benchmark, "sila": sila, "anchor": anchor, "ratio": ratio, "target": target, "met": met]
    }
}

/// Writes rows for the report to OUT/table/NAME.json (for benchmarks the report does not know: analyzer, vectorizer).
func writeTableRows(_ rows: [TableRow], name: String, outDirectory: String) throws {
    let directory = outDirectory + "/table"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let data = try JSONSerialization.data(withJSONObject: rows.map(\.dictionary), options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: directory + "/\(name).json"))
}

private func number(_ object: [String: Any]?, _ key: String) -> Double? {
    guard let value = object?[key] else { return nil }
    if let double = value as? Double { return double }
    if let int = value as? Int { return Double(int) }
    return nil
}

private func fmt(_ value: Double?, _ digits: Int = 2) -> String {
    guard let value, value.isFinite else { return "—" }
    return String(format: "%.\(digits)f", value)
}

private func ratioText(_ sila: Double?, _ anchor: Double?) -> String {
    guard let sila, let anchor, anchor > 0 else { return "—" }
    return String(format: "%.2f×", sila / anchor)
}

private func metText(_ condition: Bool?) -> String {
    guard let condition else { return "n/a" }
    return condition ? "yes" : "NO"
}

/// The rows of one corpus from DIR/NAME/results/*.json.
private func corpusRows(out: String, set name: String, label: String, p99TargetMicros: Double) -> (rows: [TableRow], notes: [String]) {
    let results = out + "/" + name + "/results/"
    func load(_ file: String) -> [String: Any]? { readJSONObject(results + file + ".json") }
    let csr = load("csr"), silaAll = load("sila_all"), sdt = load("sdt"), faissSVD = load("faiss_svd"),
        faiss = load("faiss"), silaOne = load("sila_one"), scipyOne = load("scipy_one"), ingest = load("ingest_index")
    var rows = [TableRow]()
    var notes = [String]()
    if let csr {
        notes.append(
            "\(label): \(csr["rows"] ?? "?") articles, vocabulary \(csr["vocabulary"] ?? "?"), "
                + "\(csr["nnz_per_row"] ?? "?") non-zeros/article (\(csr["analyzer_version"] ?? "?")); "
                + "CSR export: analyze \(fmt(number(csr, "analyze_s")))s, fit+vectorize \(fmt(number(csr, "fit_vectorize_s")))s")
    } else {
        notes.append("\(label): no matrix (the csr step failed or did not run)")
    }
    guard csr != nil || ingest != nil else { return (rows, notes) }

    let silaSeconds = number(silaAll, "search_s")
    let sdtSeconds = number(sdt, "search_s")
    rows.append(
        TableRow(
            benchmark: "\(label): all-pairs top-10, s (vs sparse_dot_topn)", sila: fmt(silaSeconds), anchor: fmt(sdtSeconds),
            ratio: ratioText(silaSeconds, sdtSeconds), target: "≤ 0.50×",
            met: metText(silaSeconds.flatMap { s in sdtSeconds.map { s <= 0.5 * $0 } })))
    let silaPeak = number(silaAll, "peak_rss_mb")
    let sdtPeak = number(sdt, "peak_rss_mb")
    rows.append(
        TableRow(
            benchmark: "\(label): all-pairs peak RSS, MiB (vs sparse_dot_topn)", sila: fmt(silaPeak, 0), anchor: fmt(sdtPeak, 0),
            ratio: ratioText(silaPeak, sdtPeak), target: "≤ 1.00×",
            met: metText(silaPeak.flatMap { s in sdtPeak.map { s <= $0 } })))
    if let exactness = sdt?["exactness"] as? [String: Any] {
        let agree = number(exactness, "agree_fraction")
        let mismatch = number(exactness, "mismatch") ?? 0
        rows.append(
            TableRow(
                benchmark: "\(label): rows whose top-10 = sparse_dot_topn's (ties ±1e-6 aside)",
                sila: agree.map { String(format: "%.4f%%", $0 * 100) } ?? "—", anchor: "exact",
                target: "100%", met: metText(mismatch == 0)))
        if mismatch > 0 { notes.append("\(label): \(Int(mismatch)) rows differ from sparse_dot_topn; examples: \(exactness["mismatch_examples"] ?? [])") }
    } else if silaAll != nil, sdt != nil {
        rows.append(TableRow(benchmark: "\(label): rows whose top-10 = sparse_dot_topn's", sila: "not compared", met: "n/a"))
    }
    let faissSeconds = number(faiss, "search_s")
    let svdSeconds = number(faissSVD, "svd_s")
    rows.append(
        TableRow(
            benchmark: "\(label): all-pairs top-10, s (vs faiss FlatIP on LSA-256; SVD apart)", sila: fmt(silaSeconds),
            anchor: faiss == nil ? "—" : "\(fmt(faissSeconds)) (+SVD \(fmt(svdSeconds)))", ratio: ratioText(silaSeconds, faissSeconds)))
    let faissPeak = max(number(faiss, "peak_rss_mb") ?? -1, number(faissSVD, "peak_rss_mb") ?? -1)
    rows.append(
        TableRow(
            benchmark: "\(label): all-pairs peak RSS, MiB (vs faiss; max of SVD and search)", sila: fmt(silaPeak, 0),
            anchor: faissPeak > 0 ? fmt(faissPeak, 0) : "—", ratio: ratioText(silaPeak, faissPeak > 0 ? faissPeak : nil)))
    let silaRecall = (sdt?["exactness"] as? [String: Any]).flatMap { number($0, "sila_recall_at_k") }
    rows.append(
        TableRow(
            benchmark: "\(label): recall@10 vs exact top-10 (faiss: LSA-256)", sila: fmt(silaRecall, 4),
            anchor: fmt(number(faiss, "recall_at_k"), 4)))
    let silaP50 = number(silaOne, "p50_us"), scipyP50 = number(scipyOne, "p50_us")
    let silaP99 = number(silaOne, "p99_us"), scipyP99 = number(scipyOne, "p99_us")
    rows.append(
        TableRow(
            benchmark: "\(label): one article top-10 p50, µs (vs scipy)", sila: fmt(silaP50, 0), anchor: fmt(scipyP50, 0),
            ratio: ratioText(silaP50, scipyP50)))
    rows.append(
        TableRow(
            benchmark: "\(label): one article top-10 p99, µs (vs scipy)", sila: fmt(silaP99, 0), anchor: fmt(scipyP99, 0),
            ratio: ratioText(silaP99, scipyP99), target: "≤ \(Int(p99TargetMicros)) µs",
            met: metText(silaP99.map { $0 <= p99TargetMicros })))
    if let silaAll {
        notes.append(
            "\(label): Sila index load (CSR → SimilarityIndex) \(fmt(number(silaAll, "load_s")))s, "
                + "RSS after load \(fmt(number(silaAll, "rss_after_load_mb"), 0)) MiB; \(silaAll["configuration"] ?? "")")
    }
    if let ingest {
        let rate = number(ingest, "ingest_articles_per_s")
        let ingestOK = number(ingest, "ingest_status") == 0
        rows.append(
            TableRow(
                benchmark: "\(label): sila ingest JSONL, articles/s", sila: ingestOK ? fmt(rate, 0) : "failed",
                target: name == "dev" ? "≥ 5000/s" : "—", met: name == "dev" ? metText(ingestOK && (rate ?? 0) >= 5000) : "—"))
        let indexOK = number(ingest, "index_status") == 0
        rows.append(
            TableRow(
                benchmark: "\(label): sila index wall s / peak RSS MiB",
                sila: indexOK ? "\(fmt(number(ingest, "index_s"))) / \(fmt(number(ingest, "index_peak_rss_mb"), 0))" : "failed",
                target: "completes", met: metText(indexOK)))
        notes.append(
            "\(label): sila ingest \(fmt(number(ingest, "ingest_s")))s (peak RSS \(fmt(number(ingest, "ingest_peak_rss_mb"), 0)) MiB): "
                + "\(ingest["ingest_summary"] ?? "")")
        if let timings = ingest["index_timings"] as? String, !timings.isEmpty { notes.append("\(label): sila index \(timings)") }
        if let error = ingest["ingest_error"] ?? ingest["index_error"] { notes.append("\(label): error: \(error)") }
    }
    return (rows, notes)
}

/// `SilaBench report --out DIR [--sets dev,syn100k]`: prints the final table.
func runReport(_ arguments: BenchArguments) throws {
    let out = try arguments.string("out")
    let sets = arguments.string("sets", default: "dev,syn100k").split(separator: ",").map(String.init)
    var rows = [TableRow]()
    var notes = [String]()
    for name in sets {
        let isDev = name == "dev"
        let label = isDev ? "dev" : name.replacingOccurrences(of: "syn", with: "synthetic ")
        let part = corpusRows(out: out, set: name, label: label, p99TargetMicros: isDev ? 200 : 1000)
        rows += part.rows
        notes += part.notes
    }
    let tableDirectory = out + "/table"
    for file in ((try? FileManager.default.contentsOfDirectory(atPath: tableDirectory)) ?? []).sorted() where file.hasSuffix(".json") {
        guard let data = FileManager.default.contents(atPath: tableDirectory + "/" + file),
            let extra = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { continue }
        for row in extra {
            rows.append(
                TableRow(
                    benchmark: row["benchmark"] as? String ?? file, sila: row["sila"] as? String ?? "—",
                    anchor: row["anchor"] as? String ?? "—", ratio: row["ratio"] as? String ?? "—",
                    target: row["target"] as? String ?? "—", met: row["met"] as? String ?? "—"))
        }
    }
    let header = TableRow(benchmark: "benchmark", sila: "Sila", anchor: "anchor", ratio: "ratio", target: "target", met: "met?")
    let all = [header] + rows
    func width(_ key: KeyPath<TableRow, String>) -> Int { all.map { $0[keyPath: key].count }.max() ?? 0 }
    let widths = [width(\.benchmark), width(\.sila), width(\.anchor), width(\.ratio), width(\.target), width(\.met)]
    func line(_ row: TableRow) -> String {
        let cells = [row.benchmark, row.sila, row.anchor, row.ratio, row.target, row.met]
        return "| " + zip(cells, widths).enumerated().map { index, pair in
            let padding = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index == 0 ? pair.0 + padding : padding + pair.0
        }.joined(separator: " | ") + " |"
    }
    print(line(header))
    print("|" + widths.enumerated().map { index, width in
        index == 0 ? String(repeating: "-", count: width + 2) : String(repeating: "-", count: width + 1) + ":"
    }.joined(separator: "|") + "|")
    for row in rows { print(line(row)) }
    print("")
    for note in notes { print("- " + note) }
}
