import Foundation
import TestSupport

/// A small tmpfs mounted for one test: a real file system that fills up (disk full) or turns read-only, which
/// SQLite's own knobs cannot imitate. Needs root (or CAP_SYS_ADMIN); the tests that use it are skipped with
/// `skipReason` where mounting is not allowed.
final class TmpfsMount: @unchecked Sendable {
    let url: URL
    private let holder = TemporaryDirectory()

    /// Whether this process may mount a tmpfs (tried once, on a throwaway directory).
    static let isAvailable: Bool = {
        guard getuid() == 0 else { return false }
        return (try? TmpfsMount(kilobytes: 64)) != nil
    }()

    static let skipReason = "skipped: needs root to mount a small tmpfs (disk-full and read-only file-system tests)"

    init(kilobytes: Int) throws {
        url = holder.url.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", url.path])
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Remounts it read-only: every write fails with EROFS, for root too.
    func remountReadOnly() throws { try Self.run("/bin/mount", ["-o", "remount,ro", url.path]) }

    deinit { try? Self.run("/bin/umount", ["-l", url.path]) }

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(of: process)
        try process.run()
        exit.wait()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}
