import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// The `sila serve` child process of the server benchmarks, and what /proc tells about any process by pid:
// its resident memory and its CPU time. Reading the server's own figures from /proc keeps the load generator
// out of the server's way (no /metrics requests during a timed window).

/// A field of /proc/PID/status in MiB (`VmRSS` current resident set, `VmHWM` its peak); nil when the process is gone.
func procStatusMiB(pid: Int32, _ field: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if parts.count >= 2, let kib = Double(parts[1]) { return kib / 1024 }
    }
    return nil
}

/// User + system CPU seconds of a process so far (/proc/PID/stat), nil when it is gone.
func procCPUSeconds(pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return nil }
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Number of threads of a process (/proc/PID/status `Threads:`).
func procThreadCount(pid: Int32) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("Threads:") {
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces))
    }
    return nil
}

/// `sila serve --db DB --socket SOCKET` as a child process, its output in log files, its working directory
/// `directory` (so a recompute's model file lands there, never in the repository's Models/).
final class ServerChild {
    let process = Process()
    let socketPath: String
    /// Seconds from start until /v1/health answered 200.
    private(set) var startupSeconds = 0.0

    init(sila: String, database: String, socketPath: String, directory: String, logPrefix: String) throws {
        self.socketPath = socketPath
        process.executableURL = URL(fileURLWithPath: sila)
        process.arguments = ["serve", "--db", database, "--socket", socketPath]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        for suffix in [".stdout.log", ".stderr.log"] { _ = FileManager.default.createFile(atPath: logPrefix + suffix, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPrefix + ".stdout.log"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPrefix + ".stderr.log"))
        process.standardInput = FileHandle.nullDevice
        let started = benchSeconds()
        try process.run()
        try waitUntilReady(timeoutSeconds: 180)
        startupSeconds = benchSeconds() - started
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls GET /v1/health until it answers 200.
    private func waitUntilReady(timeoutSeconds: Double) throws {
        let deadline = benchSeconds() + timeoutSeconds
        let health = httpRequestBytes(method: "GET", target: "/v1/health")
        while benchSeconds() < deadline {
            guard process.isRunning else { throw BenchError("sila serve exited with status \(process.terminationStatus) before serving") }
            let connection = BlockingHTTPConnection(socketPath: socketPath, timeoutSeconds: 5)
            if let answer = try? connection.request(health), answer.status == 200 { return }
            usleep(50_000)
        }
        throw BenchError("sila serve did not answer /v1/health within \(Int(timeoutSeconds)) s")
    }

    /// Waits until the server's log says its candidate pools are warm (a one-time job after start that takes one
    /// core for a few seconds on the dev corpus) and returns the seconds the server reported for it; nil when the
    /// line did not appear in time (an older server, or no index).
    func waitForPoolWarmUp(logPath: String, timeoutSeconds: Double) -> Double? {
        let deadline = benchSeconds() + timeoutSeconds
        while benchSeconds() < deadline && process.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("ready for live writes (") }),
                let open = line.lastIndex(of: "(")
            {
                return Double(line[line.index(after: open)...].prefix { $0 != " " }) ?? 0
            }
            usleep(100_000)
        }
        return nil
    }

    var residentMiB: Double? { procStatusMiB(pid: pid, "VmRSS") }
    var peakResidentMiB: Double? { procStatusMiB(pid: pid, "VmHWM") }
    var cpuSeconds: Double? { procCPUSeconds(pid: pid) }

    /// SIGTERM (graceful: in-flight requests finish, the socket file is removed), SIGKILL after `graceSeconds`.
    func stop(graceSeconds: Double = 15) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = benchSeconds() + graceSeconds
        while process.isRunning && benchSeconds() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}
