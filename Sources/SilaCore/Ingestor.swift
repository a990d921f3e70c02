import Foundation
import Store

/// What `sila ingest` did.
public struct IngestReport: Sendable {
    public var counts = UpsertCounts()
    public var rejected: [RecordError] = []
    /// Records whose id an earlier record of the same file had: stored (the last one wins), but worth a warning.
    public var duplicates: [RecordError] = []
    public var seconds: Double = 0

    public var total: Int { counts.inserted + counts.updated + counts.unchanged + rejected.count }

    public var summary: String {
        "inserted \(counts.inserted), updated \(counts.updated), unchanged \(counts.unchanged), "
            + "rejected \(rejected.count)" + (duplicates.isEmpty ? "" : ", duplicate ids \(duplicates.count) (the last record of each wins)")
    }
}

/// Loads article files into the store: validates each record, upserts in batched transactions, and reports bad
/// records with file and line instead of stopping at the first one.
///
/// Duplicate ids inside one file: a file is a sequence of upserts, so the last record with an id wins; each later
/// record that replaces an earlier one is reported to `warning` (`FILE:LINE: duplicate id …`) but is not a rejection.
public struct Ingestor: Sendable {
    public let store: SilaStore
    public var batchSize = 1000

    public init(store: SilaStore) {
        self.store = store
    }

    /// Ingests the files in order; `rejected` is called for each bad record as it is found.
    public func ingest(
        paths: [String], format: InputFormat?, rejected: (RecordError) -> Void = { _ in },
        warning: (RecordError) -> Void = { _ in }, progress: (Int) -> Void = { _ in }
    ) throws -> IngestReport {
        let start = Date()
        var report = IngestReport()
        for path in paths {
            guard let fileFormat = format ?? (path == "-" ? .jsonl : InputFormat.guess(fromPath: path)) else {
                throw CoreError.unknownFormat(path: path)
            }
            let name = path == "-" ? "<stdin>" : path
            var batch = [Article]()
            var batchLines = 0...0
            func flush() throws {
                guard !batch.isEmpty else { return }
                do {
                    report.counts = report.counts + (try store.upsert(batch))
                } catch {
                    let stored = report.counts.inserted + report.counts.updated + report.counts.unchanged
                    throw CoreError.ingestStopped(file: name, batchLines: batchLines, stored: stored, cause: error)
                }
                batch.removeAll(keepingCapacity: true)
                progress(report.total)
            }
            var firstLines = [String: Int]()
            try ArticleReader.readLocated(path: path, format: fileFormat) { line, record in
                switch record {
                case .success(let article):
                    if let earlier = firstLines.updateValue(line, forKey: article.id) {
                        let duplicate = RecordError(
                            file: name, line: line,
                            reason: "duplicate id '\(article.id.prefix(80))' (also on line \(earlier)): this later record replaces it")
                        report.duplicates.append(duplicate)
                        warning(duplicate)
                    }
                    batchLines = (batch.isEmpty ? line : batchLines.lowerBound)...line
                    batch.append(article)
                    if batch.count >= batchSize { try flush() }
                case .failure(let error):
                    report.rejected.append(error)
                    rejected(error)
                }
            }
            try flush()
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}
