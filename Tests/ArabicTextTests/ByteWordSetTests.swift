import Testing

@testable import ArabicText

@Suite struct ByteWordSetTests {
    @Test func membership() {
        let words = (0..<1_000).map { "كلمه\($0)" } + ["a", "مصر", "nato"]
        let set = ByteWordSet(words)
        for word in words { #expect(set.contains(word)) }
        for word in ["", "b", "مص", "مصري", "كلمه1000", "nat", "natoo"] { #expect(!set.contains(word)) }
    }

    @Test func emptySet() {
        #expect(!ByteWordSet.empty.contains("مصر"))
        #expect(!ByteWordSet.empty.contains(""))
    }
}
