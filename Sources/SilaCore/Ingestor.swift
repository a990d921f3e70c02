import Foundation
import Store

/// What `sila ingest` did.
public struct IngestReport: Sendable {
    public var counts = UpsertCounts()
    public var rejected: [RecordError] = []
    public var seconds: Double = 0

    public var total: Int { counts.inserted + counts.updated + counts.unchanged + rejected.count }

    public var summary: String {
        "inserted \(counts.inserted), updated \(counts.updated), unchanged \(counts.unchanged), "
            + "rejected \(rejected.count)"
    }
}

/// Loads article files into the store: validates each record, upserts in batched transactions, and reports bad
/// records with file and line instead of stopping at the first one.
public struct Ingestor: Sendable {
    public let store: SilaStore
    public var batchSize = 1000

    public init(store: SilaStore) {
        self.store = store
    }

    /// Ingests the files in order; `rejected` is called for each bad record as it is found.
    public func ingest(
        paths: [String], format: InputFormat?, rejected: (RecordError) -> Void = { _ in },
        progress: (Int) -> Void = { _ in }
    ) throws -> IngestReport {
        let start = Date()
        var report = IngestReport()
        for path in paths {
            guard let fileFormat = format ?? (path == "-" ? .jsonl : InputFormat.guess(fromPath: path)) else {
                throw CoreError.unknownFormat(path: path)
            }
            var batch = [Article]()
            func flush() throws {
                guard !batch.isEmpty else { return }
                report.counts = report.counts + (try store.upsert(batch))
                batch.removeAll(keepingCapacity: true)
                progress(report.total)
            }
            try ArticleReader.read(path: path, format: fileFormat) { record in
                switch record {
                case .success(let article):
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
