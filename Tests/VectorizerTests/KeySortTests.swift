import Testing
import TestSupport

@testable import Vectorizer

@Suite struct KeySortTests {
    static let inputs: [(String, [UInt64])] = {
        var rng = SeededGenerator(seed: 11)
        let random = (0..<5000).map { _ in UInt64.random(in: 0..<100_000, using: &rng) }
        let fewValues = (0..<3000).map { _ in UInt64.random(in: 0..<4, using: &rng) }
        return [
            ("empty", []), ("one", [7]), ("two", [9, 3]), ("short", [5, 1, 4, 1, 5, 9, 2, 6, 5, 3]),
            ("random", random), ("few distinct values", fewValues), ("all equal", Array(repeating: 42, count: 1000)),
            ("sorted", (0..<2000).map(UInt64.init)), ("reversed", (0..<2000).reversed().map(UInt64.init)),
            ("organ pipe", (0..<1000).map(UInt64.init) + (0..<1000).reversed().map(UInt64.init)),
            ("max values", [UInt64.max, 0, UInt64.max, 1, UInt64.max - 1] + Array(repeating: UInt64.max, count: 40)),
        ]
    }()

    @Test(arguments: KeySortTests.inputs.map(\.0))
    func sortsLikeTheStandardLibrary(name: String) throws {
        let input = try #require(Self.inputs.first { $0.0 == name }).1
        var keys = input
        keys.withUnsafeMutableBufferPointer { sortKeys($0) }
        #expect(keys == input.sorted())
    }
}
