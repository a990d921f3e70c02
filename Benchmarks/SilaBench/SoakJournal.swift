import Foundation

// The soak's journal: every write the soak client sent, with what came of it. The soak verifier folds it into the
// states each article may be in at the end.
//
// Each article id is written by one client thread only, one request at a time, so the writes of an id are totally
// ordered. A write is `ack` (2xx: the server committed it), `absent` (DELETE answered 404: the article was not
// there, which is the state a DELETE leaves), `rejected` (another 4xx: nothing changed), or `unknown` (the
// connection broke or timed out — the server was killed — or a 5xx: committed or not, both are allowed).

/// One journaled write.
struct SoakWrite: Codable {
    enum Operation: String, Codable { case put, delete }
    enum Outcome: String, Codable { case ack, absent, rejected, unknown }

    var thread: Int
    var sequence: Int
    var operation: Operation
    var id: String
    var outcome: Outcome
    var status: Int
    /// PUT: `Article.contentHash` of the article the server must store (the request's fields after the same
    /// validation the server applies).
    var contentHash: String?
    /// Seconds since the soak started.
    var time: Double
}

/// What an article may be at the end: absent, or present with a content hash (nil: as the corpus had it, unchecked).
enum SoakArticleState: Hashable, CustomStringConvertible {
    case absent
    case present(String?)

    var description: String {
        switch self {
        case .absent: return "absent"
        case .present(let hash): return hash.map { "present(\($0.prefix(12)))" } ?? "present(as ingested)"
        }
    }

    /// Whether a stored article (nil: none) is this state.
    func admits(storedHash: String?) -> Bool {
        switch self {
        case .absent: return storedHash == nil
        case .present(let hash): return storedHash != nil && (hash == nil || hash == storedHash)
        }
    }
}

/// The states each journaled article may be in, and whether its last definite state came from an acknowledged
/// upsert or delete.
struct SoakExpectation {
    var allowed: Set<SoakArticleState>
    /// The last definite write was an acknowledged PUT (its content must be there) / DELETE (it must be gone).
    var lastAckedPut = false
    var lastAckedDelete = false
    /// Writes with an unknown outcome after the last definite one.
    var uncertain: Bool { allowed.count > 1 }
}

enum SoakJournal {
    static func write(_ writes: [SoakWrite], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for write in writes {
            data.append(try encoder.encode(write))
            data.append(0x0A)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [SoakWrite] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read the journal \(path)") }
        let decoder = JSONDecoder()
        return try data.split(separator: 0x0A).map { try decoder.decode(SoakWrite.self, from: Data($0)) }
    }

    /// Folds the writes of every id, in order, from its initial state (present as ingested for corpus ids).
    static func expectations(_ writes: [SoakWrite], corpusIDs: Set<String>) -> [String: SoakExpectation] {
        var result = [String: SoakExpectation]()
        let ordered = writes.sorted { ($0.thread, $0.sequence) < ($1.thread, $1.sequence) }
        for write in ordered {
            var expectation = result[write.id]
                ?? SoakExpectation(allowed: [corpusIDs.contains(write.id) ? .present(nil) : .absent])
            let effect: SoakArticleState = write.operation == .put ? .present(write.contentHash) : .absent
            switch write.outcome {
            case .ack, .absent:
                expectation = SoakExpectation(
                    allowed: [effect], lastAckedPut: write.operation == .put, lastAckedDelete: write.operation == .delete)
            case .rejected:
                break
            case .unknown:
                expectation.allowed.insert(effect)
            }
            result[write.id] = expectation
        }
        return result
    }
}
