/// Why a model could not be built, read or written.
public enum VectorizerError: Error, CustomStringConvertible, Equatable {
    case invalidParameters(String)
    case cannotRead(path: String)
    case cannotWrite(path: String, reason: String)
    case notAModel(path: String)
    case corrupt(path: String, reason: String)
    case analyzerMismatch(path: String, modelVersion: String, currentVersion: String)
    case termTooLong(term: String)

    public var description: String {
        switch self {
        case .invalidParameters(let problem): return "invalid TF-IDF parameters: \(problem)"
        case .cannotRead(let path): return "\(path): cannot read the model file (does it exist?)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write the model file: \(reason)"
        case .notAModel(let path): return "\(path): not a Sila model file (no SILAMODL header)"
        case .corrupt(let path, let reason): return "\(path): corrupt model file: \(reason)"
        case .analyzerMismatch(let path, let modelVersion, let currentVersion):
            return "\(path): model was fitted with analyzer '\(modelVersion)', this Sila analyzes with "
                + "'\(currentVersion)'; refit it with `sila index --refit`"
        case .termTooLong(let term): return "term too long to store: \(term)…"
        }
    }
}
