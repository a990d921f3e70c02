import Testing

@testable import Vectorizer

@Suite struct TermTableTests {
    @Test func internsInOrderOfFirstInsertion() {
        var table = TermTable()
        #expect(table.insert("سلام") == 0)
        #expect(table.insert("news") == 1)
        #expect(table.insert("سلام") == 0)
        #expect(table.count == 2)
        #expect(table.id(of: "news") == 1)
        #expect(table.id(of: "new") == nil)
        #expect(table.term(0) == "سلام")
    }

    @Test func theEmptyTermIsATerm() {
        var table = TermTable()
        #expect(table.id(of: "") == nil)
        #expect(table.insert("") == 0)
        #expect(table.id(of: "") == 0)
    }

    @Test func comparesBytesNotCanonicalEquivalence() {
        var table = TermTable()
        let composed = "\u{0623}"  // alef with hamza above
        let decomposed = "\u{0627}\u{0654}"  // alef + combining hamza above
        #expect(composed == decomposed)
        #expect(table.insert(composed) == 0)
        #expect(table.insert(decomposed) == 1)
        #expect(Array(table.term(1).utf8) == Array(decomposed.utf8))
    }

    @Test func growsPastManyTerms() {
        var table = TermTable()
        let terms = (0..<50_000).map { "ت\($0)ك" + String(repeating: "x", count: $0 % 23) }
        for (index, term) in terms.enumerated() { #expect(table.insert(term) == UInt32(index)) }
        #expect(table.count == terms.count)
        #expect(terms.indices.allSatisfy { table.id(of: terms[$0]) == UInt32($0) && table.term(UInt32($0)) == terms[$0] })
        #expect(table.id(of: "absent") == nil)
    }
}
