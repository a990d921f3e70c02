import Foundation

/// Runs the built `sila` executable as a child process, the way a user or a cron job would.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum CommandRunner {
    /// Runs `sila ARGUMENTS` in `directory` with `stdin` as standard input and waits for it.
    public static func sila(
        _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:]
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = RepositoryFiles.silaExecutable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? RepositoryFiles.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        let exit = ProcessExit(of: process)
        try process.run()
        let writer = Thread {
            if let stdin { input.fileHandleForWriting.write(stdin) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        exit.wait()
        while errReader.isExecuting || !errReader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `sila` on a thread of its own, so that an async test waiting for a child process never blocks the
    /// cooperative thread pool that in-process servers of other tests need.
    public static func run(
        _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:]
    ) async throws -> CommandResult {
        try await onOwnThread { try sila(arguments, in: directory, stdin: stdin, environment: environment) }
    }

    /// Starts `sila ARGUMENTS` without waiting (servers); the caller terminates it.
    public static func start(_ arguments: [String], in directory: URL? = nil) throws -> (Process, ProcessExit) {
        let process = Process()
        process.executableURL = RepositoryFiles.silaExecutable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? RepositoryFiles.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(of: process)
        try process.run()
        return (process, exit)
    }
}
