/// Splits text into normalized tokens (DESIGN.md step 5), normalizing it (steps 1–4) in the same pass.
///
/// A token is a maximal run of token scalars (letters, digits, surviving marks) of the normalized text:
/// - a removed scalar (tatweel, ZWNJ, a vowel mark) never splits a word — it is simply not there;
/// - everything else separates: spaces, NBSP, control characters, punctuation « » ، ؛ ؟, `#`, `_`, U+FFFD;
/// - URLs and e-mail addresses are skipped whole (`LinkRemover`);
/// - tokens shorter than `minimumLength` scalars are dropped (one-letter tokens, by default);
/// - numbers: the Arabic decimal and thousands separators ٫ ٬ *between two digits* join one number (٣٫٥, ١٬٠٠٠);
///   with `keepsOnlyYearNumbers` a pure number is kept only when it is exactly 4 digits with no separator (a year:
///   ٢٠١٨ → 2018), so `3٫1415` is dropped whole instead of leaving a fake year `1415`. ASCII `,` and `.` stay
///   separators, so a date `15.02.2018` still yields its year. Mixed tokens (`g20`, `covid19`) are words and kept.
///
/// The work is done by `TokenScanner`, one fused pass over the UTF-8 bytes with the normalizer's lookup table;
/// `referenceTokens(_:)` is the readable composition it must equal.
public struct Tokenizer: Sendable {
    public let normalizer: ArabicNormalizer
    public var minimumLength: Int
    public var keepsOnlyYearNumbers: Bool

    /// The number of digits of a number kept as a year.
    public static let yearDigitCount = 4

    public init(normalizer: ArabicNormalizer = ArabicNormalizer(), minimumLength: Int = 2, keepsOnlyYearNumbers: Bool = true) {
        self.normalizer = normalizer
        self.minimumLength = minimumLength
        self.keepsOnlyYearNumbers = keepsOnlyYearNumbers
    }

    /// A token as UTF-8 bytes, valid only during the call that receives it (no allocation per token).
    public struct UTF8Token {
        /// The token's normalized UTF-8 bytes.
        public let utf8: UnsafeBufferPointer<UInt8>
        /// The number of Unicode scalars (letters) in the token.
        public let scalarCount: Int
    }

    /// Calls `body` with each token of `text`, in order.
    public func forEachToken(in text: String, _ body: (String) -> Void) {
        forEachUTF8Token(in: text) { body(String(decoding: $0.utf8, as: UTF8.self)) }
    }

    /// Calls `body` with each token of `text` as borrowed UTF-8 bytes, in order: the allocation-free form.
    public func forEachUTF8Token(in text: String, _ body: (UTF8Token) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            TokenScanner(table: normalizer.table, rule: tokenRule).scan(bytes, body)
        }
    }

    /// The tokens of `text`, in order.
    public func tokens(_ text: String) -> [String] {
        var result = [String]()
        forEachToken(in: text) { result.append($0) }
        return result
    }

    var tokenRule: TokenRule { TokenRule(minimumLength: minimumLength, keepsOnlyYearNumbers: keepsOnlyYearNumbers) }
}

/// Which runs of token scalars become tokens: the length and number rules of step 5.
struct TokenRule: Sendable {
    var minimumLength: Int
    var keepsOnlyYearNumbers: Bool

    /// - Parameters:
    ///   - scalarCount: scalars in the run, number separators included;
    ///   - digitCount: decimal digits in the run;
    ///   - separatorCount: number separators (٫ ٬) joined into the run.
    @inline(__always)
    func accepts(scalarCount: Int, digitCount: Int, separatorCount: Int) -> Bool {
        guard scalarCount >= minimumLength else { return false }
        let isNumber = digitCount + separatorCount == scalarCount
        guard keepsOnlyYearNumbers, isNumber else { return true }
        return separatorCount == 0 && digitCount == Tokenizer.yearDigitCount
    }
}

extension Tokenizer {
    /// The readable reference for `forEachToken`: remove links, normalize the whole text with
    /// `ArabicNormalizer.normalize`, split it into runs of token scalars (joining digit groups across ٫ ٬), and
    /// keep the runs `TokenRule` accepts. Slow; used by tests to check the fused pass.
    func referenceTokens(_ text: String) -> [String] {
        let scalars = Array(normalizer.normalize(LinkRemover.removingLinks(from: text)).unicodeScalars)
        var tokens = [String]()
        var run = [Unicode.Scalar]()
        var digits = 0
        var separators = 0
        func endRun() {
            if tokenRule.accepts(scalarCount: run.count, digitCount: digits, separatorCount: separators) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: run)
                tokens.append(String(view))
            }
            run.removeAll()
            digits = 0
            separators = 0
        }
        for (index, scalar) in scalars.enumerated() {
            if ScalarRules.isTokenScalar(scalar) {
                run.append(scalar)
                if ScalarRules.isDigit(scalar) { digits += 1 }
            } else if ScalarRules.isNumberSeparator(scalar), !run.isEmpty, digits + separators == run.count,
                index + 1 < scalars.count, ScalarRules.isDigit(scalars[index + 1])
            {
                run.append(scalar)
                separators += 1
            } else if !run.isEmpty {
                endRun()
            }
        }
        if !run.isEmpty { endRun() }
        return tokens
    }
}
