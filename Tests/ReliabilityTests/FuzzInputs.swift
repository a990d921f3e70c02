import Foundation
import TestSupport

/// Seeded generators of hostile text for the fuzz tests: random bytes, random scalars drawn mostly from the
/// ranges that Arabic text and its encodings live in, and mutations of real snippets.
struct FuzzInputs {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// How many inputs each fuzz test feeds: `SILA_FUZZ_ITERATIONS` (e.g. 1000000), else a CI-sized 20,000.
    static var iterations: Int {
        ProcessInfo.processInfo.environment["SILA_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    }

    /// Real snippets to mutate: the first lines of the sample corpus, and markup and dates of the shapes ingest sees.
    static let snippets: [String] = {
        let sample = (try? String(contentsOf: RepositoryFiles.sampleArticles, encoding: .utf8)) ?? ""
        let lines = sample.split(separator: "\n").prefix(40).map(String.init)
        return lines + [
            "<p>قال <b>الوزير</b> إن &quot;المفاوضات&quot; ستستأنف&nbsp;غدا</p><script>x()</script>",
            "ﻻ ﷲ ﷺ ٱلْحَمْدُ لِلَّهِ ـــ ١٢٣٤ ۱۲۳۴ https://example.com/a?b=c user@example.com",
            "Breaking: الرئيس\u{200C}الجديد \u{200F}يصل\u{202E}\u{FEFF} 2024", "2024-05-01T10:00:00+03:00",
        ]
    }()

    /// Scalar ranges weighted toward Arabic: letters, tashkeel, presentation forms, digits, format characters,
    /// plus Latin, punctuation, emoji, combining marks and the odd control character.
    static let ranges: [ClosedRange<UInt32>] = [
        0x0600...0x06FF, 0x0600...0x06FF, 0x0600...0x06FF, 0x064B...0x065F, 0x0750...0x077F, 0xFB50...0xFDFF,
        0xFE70...0xFEFF, 0x0660...0x0669, 0x06F0...0x06F9, 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069,
        0x0020...0x007E, 0x0020...0x007E, 0x00A0...0x024F, 0x0300...0x036F, 0x1F300...0x1F6FF, 0x0000...0x001F,
        0xFFF0...0xFFFD, 0x10000...0x10FFFF,
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func bytes(maxCount: Int = 300) -> [UInt8] {
        (0..<int(0...maxCount)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    mutating func scalars(maxCount: Int = 200) -> String {
        var view = String.UnicodeScalarView()
        for _ in 0..<int(0...maxCount) {
            let range = Self.ranges[int(0...(Self.ranges.count - 1))]
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &random)) { view.append(scalar) }
        }
        return String(view)
    }

    /// A real snippet with a few byte-level mutations: flips, deletions, insertions of syntax bytes, duplicated
    /// spans and a cut. Often no longer valid UTF-8.
    mutating func mutated(_ base: String, syntax: [UInt8] = Array("\"\\{}[],:<>&;/!?-\r\n\t\0".utf8)) -> [UInt8] {
        var bytes = Array(base.utf8)
        for _ in 0..<int(1...6) {
            guard !bytes.isEmpty else { bytes = [syntax[int(0...(syntax.count - 1))]]; continue }
            let at = int(0...(bytes.count - 1))
            switch int(0...5) {
            case 0: bytes[at] ^= UInt8(1 << int(0...7))
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(syntax[int(0...(syntax.count - 1))], at: at)
            case 3:
                let end = min(bytes.count, at + int(1...40))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            case 4: bytes = Array(bytes.prefix(at))
            default: bytes.insert(contentsOf: Array(scalars(maxCount: 8).utf8), at: at)
            }
        }
        return bytes
    }

    mutating func snippet() -> String { Self.snippets[int(0...(Self.snippets.count - 1))] }

    /// One input of any of the three kinds, as text (invalid UTF-8 decoded with replacement characters, as
    /// Swift strings always are).
    mutating func text() -> String {
        switch int(0...2) {
        case 0: return String(decoding: bytes(), as: UTF8.self)
        case 1: return scalars()
        default: return String(decoding: mutated(snippet()), as: UTF8.self)
        }
    }

    /// Splits `bytes` into 1 to 5 chunks at random points, to check that streaming parsers do not depend on where
    /// the reads end.
    mutating func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        guard bytes.count > 1 else { return [bytes] }
        let cuts = (0..<int(0...4)).map { _ in int(1...(bytes.count - 1)) }.sorted()
        var pieces = [[UInt8]]()
        var start = 0
        for cut in cuts where cut > start {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }
}
