/// Why a model could not be built, read or written.
public enum VectorizerError: Error, CustomStringConvertible, Equatable {
    case invalidParameters(String)
    case cannotRead(path: String)
    case cannotWrite(path: String, reason: String)
    case notAModel(path: String)
    /// A model file of a format version this Sila does not read.
    case unsupportedFormat(path: String, version: Int, supported: Int)
    /// The file is shorter than its header says (`expectedByteCount` is nil when even the header is cut).
    case truncated(path: String, byteCount: Int, expectedByteCount: Int?)
    case corrupt(path: String, reason: String)
    case analyzerMismatch(path: String, modelVersion: String, currentVersion: String)
    case termTooLong(term: String)
    /// Saving would replace a file that is not a Sila model (a mistyped `--model` name, another tool's file).
    case wouldOverwriteForeignFile(path: String)

    public var description: String {
        switch self {
        case .invalidParameters(let problem): return "invalid TF-IDF parameters: \(problem)"
        case .cannotRead(let path): return "\(path): cannot read the model file (does it exist?)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write the model file: \(reason)"
        case .notAModel(let path): return "\(path): not a Sila model file (no SILAMODL header)"
        case .unsupportedFormat(let path, let version, let supported):
            return "\(path): model file format \(version), this Sila reads formats up to \(supported); refit with "
                + "`sila index --refit`"
        case .truncated(let path, let byteCount, let expectedByteCount):
            return "\(path): truncated model file: \(byteCount) bytes"
                + (expectedByteCount.map { " of \($0)" } ?? ", shorter than its header")
        case .corrupt(let path, let reason): return "\(path): corrupt model file: \(reason)"
        case .analyzerMismatch(let path, let modelVersion, let currentVersion):
            return "\(path): model was fitted with analyzer '\(modelVersion)', this Sila analyzes with "
                + "'\(currentVersion)'; refit it with `sila index --refit`"
        case .termTooLong(let term): return "term too long to store: \(term)…"
        case .wouldOverwriteForeignFile(let path):
            return "\(path): exists and is not a Sila model file; refusing to overwrite it — choose another --model name "
                + "or move the file"
        }
    }
}
