import Foundation

// What the soak client prints at the end: request and error counts by kind, the server processes it saw and their
// memory, the recompute's story, the journal's outcomes and the read-back through the socket.

struct SoakSummary {
    let minutes: Double
    let counts: SoakCounts
    let writes: [SoakWrite]
    let memory: [SoakMemoryMonitor.Incarnation]
    let recompute: [String]
    let recomputeCompleted: Bool
    let readBack: SoakReadBack

    private func sorted(_ dictionary: [String: Int]) -> String {
        dictionary.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
    }

    private var outcomes: [String: Int] {
        var result = [String: Int]()
        for write in writes { result["\(write.operation.rawValue) \(write.outcome.rawValue)", default: 0] += 1 }
        return result
    }

    var lines: [String] {
        var lines = [
            "soak client: \(minutes) min, \(counts.requests.values.reduce(0, +)) requests: \(sorted(counts.requests))",
            "answers: \(sorted(counts.answers))",
            "errors by kind: \(counts.errors.isEmpty ? "none" : sorted(counts.errors))",
            "server errors (5xx answers): \(serverErrors)",
            "writes journaled: \(writes.count) (\(sorted(outcomes)))",
            "server processes seen: \(memory.count) (restarts seen: \(max(memory.count - 1, 0)))",
        ]
        for (number, incarnation) in memory.enumerated() {
            lines.append(
                String(
                    format: "  server %d (pid %d, %.0f s sampled): RSS first %.0f MiB, last %.0f MiB, max %.0f MiB, peak (VmHWM) %.0f MiB, "
                        + "second-half slope %+.2f MiB/min",
                    number + 1, incarnation.pid, incarnation.seconds, incarnation.first, incarnation.last, incarnation.max, incarnation.peak,
                    incarnation.secondHalfSlope))
        }
        if let all = allMemory {
            lines.append(String(format: "RSS over the whole run: first %.0f MiB, last %.0f MiB, max %.0f MiB", all.first, all.last, all.max))
        }
        lines.append("recompute: " + (recompute.isEmpty ? "not requested" : recompute.joined(separator: "; ")))
        lines.append("recompute completed: \(recomputeCompleted ? "yes" : "no")")
        lines.append(
            "read-your-writes during the run: \(counts.readYourWritesViolations.count) violations"
                + (counts.readYourWritesViolations.isEmpty ? "" : ", e.g. \(counts.readYourWritesViolations.prefix(3))"))
        lines.append(
            "read-back through the socket: \(readBack.checked) written ids, \(readBack.uncertain) with a write of unknown outcome, "
                + "\(readBack.violations.count) violations" + (readBack.violations.isEmpty ? "" : ", e.g. \(readBack.violations.prefix(3))"))
        return lines
    }

    /// Answers with a 5xx status: the server failed a request it accepted.
    var serverErrors: Int {
        counts.answers.filter { $0.key.split(separator: " ").last.map { $0.hasPrefix("5") } ?? false }.values.reduce(0, +)
    }

    private var allMemory: (first: Double, last: Double, max: Double)? {
        guard let first = memory.first, let last = memory.last else { return nil }
        return (first.first, last.last, memory.map(\.max).max() ?? 0)
    }

    var json: Data {
        let object: [String: Any] = [
            "minutes": minutes, "requests": counts.requests, "answers": counts.answers, "errors": counts.errors,
            "writes": writes.count, "outcomes": outcomes, "server_processes": memory.count,
            "memory": memory.map {
                ["pid": Int($0.pid), "seconds": $0.seconds, "first_mb": $0.first, "last_mb": $0.last, "max_mb": $0.max, "hwm_mb": $0.peak,
                 "second_half_slope_mb_per_min": $0.secondHalfSlope] as [String: Any]
            },
            "recompute": recompute, "recompute_completed": recomputeCompleted, "read_your_writes_violations": counts.readYourWritesViolations,
            "read_back_checked": readBack.checked, "read_back_uncertain": readBack.uncertain, "read_back_violations": readBack.violations,
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
