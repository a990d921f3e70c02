import ArgumentParser
import Foundation
import SilaCore
import Store

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored data as JSONL.",
        subcommands: [ExportRelated.self])
}

struct ExportRelated: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "related",
        abstract: "Every article's related list: {\"id\": ..., \"related\": [{\"id\": ..., \"score\": ...}]} per line, by id.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Line: Encodable {
            let id: String
            let related: [RelatedEntry]
        }
        var output = Data()
        try store.forEachRelatedList { id, entries in
            output.append(try encoder.encode(Line(id: id, related: entries)))
            output.append(0x0A)
            if output.count > 1 << 20 {
                FileHandle.standardOutput.write(output)
                output.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(output)
    }
}
