/// Finds URLs and e-mail addresses so the tokenizer can skip them whole: their pieces (`https`, `www`, `com`, a
/// user name) would only add noise terms.
///
/// A link is a maximal run of printable ASCII (U+0021–U+007E) that
/// - contains `://` (any scheme), or
/// - contains `www.` at its start or after a non-alphanumeric character, or
/// - contains `@` with a letter or digit before it and, later, a `.` followed by a letter or digit (an e-mail).
///
/// Decision: runs end at any non-ASCII scalar, so an Arabic word glued to a link (`المصدر:https://…`) survives,
/// and so does an Arabic path segment after one; `@handle` alone (nothing before `@`) is kept as the word `handle`.
enum LinkRemover {
    private static let at = UInt8(ascii: "@")
    private static let colon = UInt8(ascii: ":")
    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")
    private static let printableASCII: ClosedRange<UInt8> = 0x21...0x7E

    /// The byte ranges of the links in `bytes`, in order; empty (and no allocation) for the usual text without any.
    static func linkRanges(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        guard mayContainLink(bytes) else { return [] }
        var ranges = [Range<Int>]()
        var start = 0
        while start < bytes.count {
            guard printableASCII.contains(bytes[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < bytes.count, printableASCII.contains(bytes[end]) { end += 1 }
            if isLink(UnsafeBufferPointer(rebasing: bytes[start..<end])) { ranges.append(start..<end) }
            start = end
        }
        return ranges
    }

    /// `text` with each link replaced by one space: the readable form of `linkRanges(in:)`.
    static func removingLinks(from text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var output = [UInt8]()
            var copied = 0
            for range in linkRanges(in: bytes) {
                output.append(contentsOf: bytes[copied..<range.lowerBound])
                output.append(UInt8(ascii: " "))
                copied = range.upperBound
            }
            output.append(contentsOf: bytes[copied...])
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// A cheap scan for `@`, `://` or `www.`; only texts that pass it are split into runs.
    @inline(__always)
    static func mayContainLink(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == at { return true }
            if byte == colon, index + 2 < bytes.count, bytes[index + 1] == slash, bytes[index + 2] == slash { return true }
            if byte == dot, index >= 3, isWWW(bytes, before: index) { return true }
            index += 1
        }
        return false
    }

    /// Whether one printable-ASCII run is a URL or an e-mail address.
    static func isLink(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
        var seenAlphanumeric = false
        var atIndex: Int?
        for index in run.indices {
            let byte = run[index]
            if byte == colon, index + 2 < run.count, run[index + 1] == slash, run[index + 2] == slash { return true }
            if byte == dot, index >= 3, isWWW(run, before: index), index == 3 || !isAlphanumeric(run[index - 4]) {
                return true
            }
            if byte == at, seenAlphanumeric, atIndex == nil { atIndex = index }
            if byte == dot, atIndex != nil, index + 1 < run.count, isAlphanumeric(run[index + 1]) { return true }
            if isAlphanumeric(byte) { seenAlphanumeric = true }
        }
        return false
    }

    @inline(__always)
    private static func isWWW(_ bytes: UnsafeBufferPointer<UInt8>, before index: Int) -> Bool {
        bytes[index - 1] | 0x20 == UInt8(ascii: "w") && bytes[index - 2] | 0x20 == UInt8(ascii: "w")
            && bytes[index - 3] | 0x20 == UInt8(ascii: "w")
    }

    @inline(__always)
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20)
    }
}
