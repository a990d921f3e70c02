/// Why a Sila use case failed, in words a site engineer can act on.
public enum CoreError: Error, CustomStringConvertible {
    case cannotReadInput(path: String, reason: String)
    case unknownFormat(path: String)
    case unknownArticle(id: String)
    case noModel
    case invalidOption(String)
    case modelMismatch(String)

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
        }
    }
}
