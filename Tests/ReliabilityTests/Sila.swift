import Foundation
import Store
import TestSupport

/// Runs the built `sila` for the fault tests, and reads back what a database holds.
enum Sila {
    /// `sila ARGUMENTS`, waited for.
    static func run(_ arguments: [String]) throws -> CommandResult {
        try CommandRunner.sila(arguments)
    }

    struct Measured {
        var status: Int32
        var seconds: Double
        /// The child's peak resident memory (`ru_maxrss`), in MiB.
        var peakMiB: Double
        var stderr: String
    }

    /// `sila ARGUMENTS` started by a small Python process that reports the child's peak memory.
    ///
    /// Not measured from this process: glibc starts children with vfork, and Linux carries the parent's peak into
    /// the child's `ru_maxrss` across exec, so a child of a large test process "peaks" at the test's own size.
    static func measured(_ arguments: [String], in directory: TemporaryDirectory) throws -> Measured {
        let script = """
            import resource, subprocess, sys
            with open(sys.argv[1], "w") as err:
                status = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err).returncode
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            sys.exit(status)
            """
        let errorPath = directory.path("measured-\(UUID().uuidString).stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, errorPath, RepositoryFiles.silaExecutable.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        let started = Date()
        let exit = ProcessExit(of: process)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        exit.wait()
        let kilobytes = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .infinity
        let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Measured(status: process.terminationStatus, seconds: Date().timeIntervalSince(started), peakMiB: kilobytes / 1024, stderr: stderr)
    }

    /// Whether `python3` is there to measure a child's memory.
    static let canMeasureMemory: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import resource"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(of: process)
        guard (try? process.run()) != nil else { return false }
        exit.wait()
        return process.terminationStatus == 0
    }()
}

/// Everything a reader of the database can see: articles and related lists.
struct DatabaseSnapshot: Equatable {
    var articles: [String: Article] = [:]
    var lists: [String: [RelatedEntry]] = [:]

    init(_ store: SilaStore) throws {
        try store.forEachArticleBatch { for article in $0 { articles[article.id] = article } }
        try store.forEachRelatedList { lists[$0] = $1 }
    }

    init(path: String) throws {
        let store = try SilaStore.open(path: path, createIfMissing: false)
        defer { try? store.close() }
        try self.init(store)
    }
}

/// The bytes of a file, to prove a refused file was not touched.
func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
