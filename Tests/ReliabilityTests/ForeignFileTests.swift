import Foundation
import GRDB
import Store
import TestSupport
import Testing
@testable import Store

/// Issue 9, "Faults: a corrupt or foreign file passed as the database or the model": refused with a message that
/// says what it is, and never modified — its bytes are compared before and after, and no `-wal`/`-shm` is left
/// beside it.
@Suite struct ForeignFileTests {
    let directory = TemporaryDirectory()

    /// The kinds of file someone may point `--db` at by mistake, by name → how to make one at a path.
    static let foreignDatabases: [(String, @Sendable (String) throws -> Void)] = [
        ("random bytes", { path in
            var random = SeededGenerator(seed: 9)
            try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) }).write(to: URL(fileURLWithPath: path))
        }),
        ("a text file", { path in try "id,title\n1,hello\n".write(toFile: path, atomically: true, encoding: .utf8) }),
        ("an SQLite header and then garbage", { path in
            var random = SeededGenerator(seed: 10)
            let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) })
            try (Data("SQLite format 3\u{0}".utf8) + garbage).write(to: URL(fileURLWithPath: path))
        }),
        ("another application's SQLite database", { path in
            let queue = try DatabaseQueue(path: path)
            try queue.write { try $0.execute(sql: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x')") }
            try queue.close()
        }),
        ("another GRDB application's database", { path in
            var migrator = DatabaseMigrator()
            migrator.registerMigration("createPlayers") { try $0.execute(sql: "CREATE TABLE players (id INTEGER PRIMARY KEY)") }
            let queue = try DatabaseQueue(path: path)
            try migrator.migrate(queue)
            try queue.close()
        }),
        ("an empty database another application has marked", { path in
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 1234; PRAGMA user_version = 3") }
            try queue.close()
        }),
    ]

    @Test(arguments: 0..<foreignDatabases.count)
    func aForeignDatabaseIsRefusedAndLeftByteForByte(index: Int) throws {
        let (name, make) = Self.foreignDatabases[index]
        let path = directory.path("foreign-\(index).sqlite")
        try make(path)
        let bytes = try #require(fileBytes(path))
        #expect(throws: StoreError.self, "\(name)") { try SilaStore.open(path: path, createIfMissing: true) }
        let corpus = directory.path("corpus-\(index).jsonl")
        try SmallCorpus.jsonl(count: 2).write(toFile: corpus, atomically: true, encoding: .utf8)
        let ingest = try Sila.run(["ingest", "--db", path, corpus])
        #expect(ingest.status != 0, "\(name)")
        #expect(ingest.stderr.contains("not a Sila database"), "\(name): \(ingest.stderr)")
        #expect(fileBytes(path) == bytes, "\(name) was modified")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "\(name): a WAL was left beside it")
    }

    /// A Sila database cut short (a copy interrupted, a full disk during `cp`): refused as damaged, untouched.
    @Test func aTruncatedSilaDatabaseIsRefusedAndLeftByteForByte() throws {
        let source = directory.path("whole.sqlite")
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 200).write(toFile: corpus, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", source, corpus]).status == 0)
        let whole = try #require(fileBytes(source))
        let path = directory.path("cut.sqlite")
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: path))
        let bytes = fileBytes(path)
        let stats = try Sila.run(["stats", "--db", path])
        let ingest = try Sila.run(["ingest", "--db", path, corpus])
        for result in [stats, ingest] {
            #expect(result.status != 0)
            #expect(result.stderr.contains("damaged") || result.stderr.contains("not a Sila database"), "\(result.stderr)")
        }
        #expect(fileBytes(path) == bytes)
    }

    // MARK: models

    /// `sila index --model NAME` with `Models/NAME.silamodel` truncated, random or fitted by another analyzer:
    /// refused with the reason, and the file is not rewritten.
    @Test func aBrokenOrForeignModelFileIsRefusedAndNotRewritten() throws {
        let db = directory.path("models.sqlite")
        let models = directory.path("Models")
        let corpus = directory.path("corpus.jsonl")
        try SmallCorpus.jsonl(count: 40).write(toFile: corpus, atomically: true, encoding: .utf8)
        #expect(try Sila.run(["ingest", "--db", db, corpus]).status == 0)
        let fitted = try Sila.run(["index", "--db", db, "--models-dir", models, "--model", "good", "--no-stem", "--quiet"])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        let good = try #require(fileBytes("\(models)/good.silamodel"))
        var random = SeededGenerator(seed: 11)
        let cases: [(String, Data, String)] = [
            ("truncated", good.prefix(good.count / 2), "truncated"),
            ("random", Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }), "not a Sila model"),
            ("flipped", { var bytes = good; bytes[bytes.count / 2] ^= 0xFF; return bytes }(), "corrupt"),
            ("empty", Data(), "not a Sila model"),
            // Fitted without stemming: the default analyzer (with stemming) must not use it.
            ("other-analyzer", good, "analyzer"),
        ]
        for (name, bytes, words) in cases {
            let path = "\(models)/\(name).silamodel"
            try bytes.write(to: URL(fileURLWithPath: path))
            let index = try Sila.run(["index", "--db", db, "--models-dir", models, "--model", name, "--quiet"])
            #expect(index.status != 0, "\(name)")
            #expect(index.stderr.contains(words), "\(name): \(index.stderr)")
            #expect(fileBytes(path) == bytes, "\(name) was rewritten")
        }
        // With --refit the name's file would be replaced by the new fit: a model is, anything else is not.
        let foreign = "\(models)/notes.silamodel"
        let notes = Data("not a model: someone's notes".utf8)
        try notes.write(to: URL(fileURLWithPath: foreign))
        let modelBefore = try SilaStore.open(path: db, createIfMissing: false).currentModelID()
        let refit = try Sila.run(["index", "--db", db, "--models-dir", models, "--model", "notes", "--refit", "--quiet"])
        #expect(try SilaStore.open(path: db, createIfMissing: false).currentModelID() == modelBefore)
        #expect(refit.status != 0)
        #expect(refit.stderr.contains("refusing to overwrite"), "\(refit.stderr)")
        #expect(fileBytes(foreign) == notes, "a foreign file was overwritten by --refit")
    }
}
