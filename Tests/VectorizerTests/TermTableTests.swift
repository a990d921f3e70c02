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

    /// Terms of every length around the slot's inline-byte boundaries (3/4, 7/8, 16/17, 24/25 bytes), differing only
    /// in one byte at the start, in the middle or at the end: every one is its own term, through growth.
    static func boundaryTerms() -> [[UInt8]] {
        var terms = [[UInt8]]()
        for length in 0...60 {
            let base = (0..<length).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) }
            terms.append(base)
            for position in Set([0, length / 2, length - 1]) where position >= 0 && position < length {
                var changed = base
                changed[position] ^= 0x80
                terms.append(changed)
            }
            terms.append(base + [0])  // a trailing NUL byte is a longer term, not the same one
        }
        return terms
    }

    @Test func termsAroundTheInlineBoundariesAreDistinct() {
        let terms = Self.boundaryTerms()
        #expect(Set(terms).count == terms.count)
        var table = TermTable()
        for (index, term) in terms.enumerated() {
            #expect(term.withUnsafeBufferPointer { table.insert(bytes: $0) } == UInt32(index))
        }
        for (index, term) in terms.enumerated() {
            #expect(term.withUnsafeBufferPointer { table.id(ofBytes: $0) } == UInt32(index))
            #expect(table.withBytes(of: UInt32(index)) { Array($0) } == term)
        }
    }

    @Test func precomputedKeysFindWhatInsertFinds() {
        let terms = (0..<3_000).map { "مصطلح\($0)" + String(repeating: "ي", count: $0 % 19) }
        var table = TermTable()
        for (index, term) in terms.enumerated() {
            let key = TermTable.key(term)
            table.prefetch(key)
            #expect(table.insert(key, term: term) == UInt32(index))
        }
        for (index, term) in terms.enumerated() {
            #expect(table.id(of: TermTable.key(term), term: term) == UInt32(index))
            #expect(table.insert(TermTable.key(term), term: term) == UInt32(index))
        }
        #expect(table.id(of: TermTable.key("غائب"), term: "غائب") == nil)
        #expect(table.count == terms.count)
    }

    @Test func insertingAnotherTableMapsItsIds() {
        let terms = Self.boundaryTerms()
        var left = TermTable()
        var right = TermTable()
        for term in terms.prefix(120) { _ = term.withUnsafeBufferPointer { left.insert(bytes: $0) } }
        for term in terms.suffix(from: 60).reversed() { _ = term.withUnsafeBufferPointer { right.insert(bytes: $0) } }
        let copy = left  // shares the slots until one of them inserts
        let mapping = left.insert(contentsOf: right)
        #expect(copy.count == 120)
        #expect(mapping.count == right.count)
        for (rightID, leftID) in mapping.enumerated() {
            #expect(left.withBytes(of: leftID) { Array($0) } == right.withBytes(of: UInt32(rightID)) { Array($0) })
        }
        #expect(left.count == terms.count)
        for term in terms.prefix(120) {
            #expect(term.withUnsafeBufferPointer { copy.id(ofBytes: $0) } == term.withUnsafeBufferPointer { left.id(ofBytes: $0) })
        }
    }

    @Test func aTableOfChosenIdsNumbersThemInOrder() {
        let terms = Self.boundaryTerms()
        var source = TermTable()
        for term in terms { _ = term.withUnsafeBufferPointer { source.insert(bytes: $0) } }
        let chosen = stride(from: terms.count - 1, through: 0, by: -3).map { $0 }
        let table = TermTable(source, ids: chosen)
        #expect(table.count == chosen.count)
        for (index, id) in chosen.enumerated() {
            #expect(terms[id].withUnsafeBufferPointer { table.id(ofBytes: $0) } == UInt32(index))
        }
        #expect(terms[1].withUnsafeBufferPointer { table.id(ofBytes: $0) } == nil || chosen.contains(1))
    }
}
