/// A light stemmer for Arabic (DESIGN.md step 7): strips at most one prefix and at most one suffix, nothing else.
///
/// Source: L. S. Larkey, L. Ballesteros, M. E. Connell, "Light Stemming for Arabic Information Retrieval", in
/// *Arabic Computational Morphology*, Springer 2007 (the "light10" stemmer), which showed that removing a few
/// frequent affixes beats root extraction for retrieval. Sila's variant, on text already normalized (ة → ه,
/// أ إ آ → ا, ى → ي):
/// - prefixes, longest first: وال بال كال فال لل ال (stem keeps ≥ `afterArticle` letters), then و (≥
///   `afterConjunction`); the first one that matches *and* leaves enough letters is stripped, so والي keeps its
///   letters through و (→ الي) rather than losing وال;
/// - suffixes, longest first: ها ان ات ون ين يه (stem keeps ≥ `afterLongSuffix`), then ه ي (≥ `afterShortSuffix`);
///   again the first that matches and leaves enough letters;
/// - no stem is ever shorter than two letters (`minimumStem` floors every length), and tokens of fewer than two
///   letters come back unchanged;
/// - protected words (`protected-words.txt`: proper names whose endings look like suffixes, لبنان, البحرين) are
///   never cut; they are checked on the whole token and again after the prefix is stripped;
/// - tokens without those affixes (Latin words, numbers) come back unchanged.
///
/// `stem(scalars:)` is the readable reference; `stemmedRange(of:scalarCount:)` is the allocation-free hot path
/// over UTF-8 bytes, held equal to it by a property test.
public struct LightStemmer: Sendable {
    /// The fewest letters a stem may keep after each kind of cut.
    public struct StemLengths: Hashable, Sendable {
        /// After a definite-article prefix (ال and its combinations): at least 2 letters remain (الي → keeps الي).
        public var afterArticle = 2
        /// After the conjunction و alone: at least 3 letters remain, since many short words begin with و.
        public var afterConjunction = 3
        /// After a two-letter suffix: at least 2 letters remain.
        public var afterLongSuffix = 2
        /// After a one-letter suffix (ه, ي): at least 3 letters remain, since short words often end in them.
        public var afterShortSuffix = 3
        public init() {}
    }

    /// No configuration may cut a stem below this many letters.
    public static let minimumStem = 2

    public let lengths: StemLengths
    public let protectedWords: Set<String>
    private let protectedIndex: ByteWordSet
    private var prefixes: [AffixRule]
    private var suffixes: [AffixRule]
    /// The same rules for the hot path.
    private var packedPrefixes: [PackedAffix]
    private var packedSuffixes: [PackedAffix]

    static let articlePrefixes = ["وال", "بال", "كال", "فال", "لل", "ال"]
    static let conjunctionPrefix = "و"
    static let longSuffixes = ["ها", "ان", "ات", "ون", "ين", "يه"]
    static let shortSuffixes = ["ه", "ي"]

    public init(protectedWords: Set<String> = [], lengths: StemLengths = StemLengths()) {
        self.protectedWords = protectedWords
        self.protectedIndex = ByteWordSet(protectedWords)
        self.lengths = lengths
        func rules(_ affixes: [String], keeping minimum: Int) -> [AffixRule] {
            affixes.map { AffixRule($0, minimumStem: max(minimum, Self.minimumStem)) }
        }
        prefixes = rules(Self.articlePrefixes, keeping: lengths.afterArticle)
            + rules([Self.conjunctionPrefix], keeping: lengths.afterConjunction)
        suffixes = rules(Self.longSuffixes, keeping: lengths.afterLongSuffix)
            + rules(Self.shortSuffixes, keeping: lengths.afterShortSuffix)
        packedPrefixes = prefixes.map(\.packed)
        packedSuffixes = suffixes.map(\.packed)
    }

    /// A stemmer that cuts nothing (every token protected by having no affix rules): the "stemming off" element.
    static let identity = LightStemmer(cutting: false)

    private init(cutting: Bool) {
        self.init()
        if !cutting {
            prefixes = []
            suffixes = []
            packedPrefixes = []
            packedSuffixes = []
        }
    }

    /// The stem of a normalized token; tokens that are not Arabic, too short or protected come back unchanged.
    public func stem(_ token: String) -> String {
        var token = token
        return token.withUTF8 { bytes in
            let scalarCount = bytes.reduce(0) { $0 + (Self.isContinuationByte($1) ? 0 : 1) }
            let range = stemmedRange(of: bytes, scalarCount: scalarCount)
            return range.count == bytes.count
                ? String(decoding: bytes, as: UTF8.self)
                : String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }

    /// The readable reference: the stem of a token given as scalars.
    func stem(scalars token: [Unicode.Scalar]) -> [Unicode.Scalar] {
        func isProtected(_ word: ArraySlice<Unicode.Scalar>) -> Bool {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: word)
            return protectedWords.contains(String(view))
        }
        var stem = token[...]
        guard stem.count >= Self.minimumStem, !isProtected(stem) else { return token }
        if let prefix = prefixes.first(where: { stem.starts(with: $0.scalars) && stem.count - $0.letters >= $0.minimumStem }) {
            stem = stem.dropFirst(prefix.letters)
            if isProtected(stem) { return Array(stem) }
        }
        if let suffix = suffixes.first(where: { stem.reversed().starts(with: $0.scalars.reversed()) && stem.count - $0.letters >= $0.minimumStem }) {
            stem = stem.dropLast(suffix.letters)
        }
        return Array(stem)
    }

    /// The hot path: the byte range of the stem within `token` (normalized UTF-8 with `scalarCount` scalars).
    func stemmedRange(of token: UnsafeBufferPointer<UInt8>, scalarCount: Int) -> Range<Int> {
        withUnsafeView { $0.stemmedRange(of: token, scalarCount: scalarCount) }
    }

    /// Calls `body` with a pointer view of the stemmer's tables, valid only during the call.
    func withUnsafeView<Result>(_ body: (View) -> Result) -> Result {
        protectedIndex.withUnsafeView { protected in
            packedPrefixes.withUnsafeBufferPointer { prefixes in
                packedSuffixes.withUnsafeBufferPointer { suffixes in
                    body(View(protected: protected, prefixes: prefixes, suffixes: suffixes))
                }
            }
        }
    }

    /// The stemmer as plain pointers and integers, so the per-token work does no reference counting.
    struct View {
        let protected: ByteWordSet.View
        let prefixes: UnsafeBufferPointer<PackedAffix>
        let suffixes: UnsafeBufferPointer<PackedAffix>

        /// Same rules as `stem(scalars:)`, on bytes: the first affix that matches and leaves enough letters is cut.
        @inline(__always)
        func stemmedRange(of token: UnsafeBufferPointer<UInt8>, scalarCount: Int) -> Range<Int> {
            var start = 0
            var end = token.count
            guard scalarCount >= LightStemmer.minimumStem, !protected.contains(token) else { return start..<end }
            var letters = scalarCount
            for prefix in prefixes where letters - prefix.letters >= prefix.minimumStem && prefix.matches(token, at: 0) {
                start = prefix.byteCount
                letters -= prefix.letters
                if protected.contains(UnsafeBufferPointer(rebasing: token[start...])) { return start..<end }
                break
            }
            for suffix in suffixes where letters - suffix.letters >= suffix.minimumStem
                && suffix.matches(token, at: token.count - suffix.byteCount)
            {
                end -= suffix.byteCount
                break
            }
            return start..<end
        }
    }

    @inline(__always)
    static func isContinuationByte(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}

/// One affix with the fewest letters the stem must keep when it is cut, as scalars for the reference path.
private struct AffixRule: Sendable {
    let scalars: [Unicode.Scalar]
    let letters: Int
    let minimumStem: Int

    init(_ text: String, minimumStem: Int) {
        scalars = Array(text.unicodeScalars)
        letters = scalars.count
        self.minimumStem = minimumStem
    }

    var packed: PackedAffix {
        var bytes: UInt64 = 0
        var count = 0
        for byte in String(String.UnicodeScalarView(scalars)).utf8 {
            precondition(count < 8, "affixes are at most 8 UTF-8 bytes")
            bytes |= UInt64(byte) << (8 * count)
            count += 1
        }
        return PackedAffix(bytes: bytes, byteCount: count, letters: letters, minimumStem: minimumStem)
    }
}

/// An affix for the hot path: its UTF-8 bytes packed into one integer (first byte lowest), trivially copyable.
struct PackedAffix: Sendable {
    let bytes: UInt64
    let byteCount: Int
    let letters: Int
    let minimumStem: Int

    /// Whether the affix's bytes occur in `token` at byte `offset` (false when they would not fit).
    @inline(__always)
    func matches(_ token: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset >= 0, offset + byteCount <= token.count else { return false }
        var expected = bytes
        for index in offset..<(offset + byteCount) {
            if token[index] != UInt8(truncatingIfNeeded: expected) { return false }
            expected >>= 8
        }
        return true
    }
}
