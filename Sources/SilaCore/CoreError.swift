/// Why a Sila use case failed, in words a site engineer can act on.
public enum CoreError: Error, CustomStringConvertible {
    case cannotReadInput(path: String, reason: String)
    case unknownFormat(path: String)
    case unknownArticle(id: String)
    case noModel
    case invalidOption(String)
    case modelMismatch(String)
    /// A line or record over `ArticleReader.maximumRecordBytes`, where a reader cannot skip it.
    case recordTooLarge(line: Int, byteCount: Int)
    /// The store refused a batch of ingested records (disk full, read-only, locked): that batch was rolled back,
    /// the ones before it are stored.
    case ingestStopped(file: String, batchLines: ClosedRange<Int>, stored: Int, cause: Error)

    public var description: String {
        switch self {
        case .cannotReadInput(let path, let reason): return "\(path): cannot read: \(reason)"
        case .unknownFormat(let path):
            return "\(path): cannot tell the format from the extension; pass --format jsonl|csv|wxr"
        case .unknownArticle(let id):
            return "no article with id '\(id)' (see `sila stats` for what the database holds)"
        case .noModel: return "the database has no model and no vectors yet: run `sila index` first"
        case .invalidOption(let message): return message
        case .modelMismatch(let message): return message
        case .recordTooLarge(let line, let byteCount): return "line \(line): \(RecordSize.tooLarge(byteCount, what: "a line"))"
        case .ingestStopped(let file, let lines, let stored, let cause):
            return "\(cause)\n\(file): ingest stopped: the batch of lines \(lines.lowerBound)–\(lines.upperBound) was rolled back; "
                + "the \(stored) records before it are stored. Run the same ingest again once this is fixed: stored records "
                + "are skipped as unchanged."
        }
    }
}
