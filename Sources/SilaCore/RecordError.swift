/// A rejected input record: where it is (file and line) and what was wrong with it.
public struct RecordError: Error, CustomStringConvertible, Hashable, Sendable {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `FILE:LINE: reason`, the shape editors and CI logs link to.
    public var description: String { "\(file):\(line): \(reason)" }
}
