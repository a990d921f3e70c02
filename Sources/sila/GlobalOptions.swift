import ArgumentParser
import Foundation
import Store

/// Options every command that touches the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("SQLite database file.", discussion: "Default: $SILA_DB, else Data/sila.sqlite.", valueName: "path"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["SILA_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "Data/sila.sqlite"
    }

    /// Opens the database; only ingest and demo may create it.
    func open(create: Bool = false) throws -> SilaStore {
        try SilaStore.open(path: path, createIfMissing: create)
    }
}

/// Writes a line to standard error (diagnostics and progress never mix with the data on stdout).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Whether standard error is a terminal (progress bars) or a log (plain periodic lines).
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
