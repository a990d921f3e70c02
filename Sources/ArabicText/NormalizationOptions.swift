/// Which normalization steps of DESIGN.md ("The analyzer", steps 1–4) are switched on.
///
/// Every step is on by default; switching one off exists for ablation measurements, and changes the analyzer's
/// version string so that vectors of two configurations are never mixed.
public struct NormalizationOptions: Hashable, Sendable, Codable {
    /// Step 1: NFKC (presentation forms, ligatures) and removal of invisible format characters.
    public var unicodeCleanup: Bool
    /// Step 2: strip tashkeel, superscript alef, Quranic marks and tatweel.
    public var stripDiacritics: Bool
    /// Step 3: fold alef, yeh, teh marbuta, hamza carriers and Persian/Urdu letter variants.
    public var foldLetters: Bool
    /// Step 4: Arabic-Indic and Eastern digits to ASCII, Latin letters lower-cased.
    public var foldDigitsAndCase: Bool

    public init(
        unicodeCleanup: Bool = true, stripDiacritics: Bool = true, foldLetters: Bool = true,
        foldDigitsAndCase: Bool = true
    ) {
        self.unicodeCleanup = unicodeCleanup
        self.stripDiacritics = stripDiacritics
        self.foldLetters = foldLetters
        self.foldDigitsAndCase = foldDigitsAndCase
    }

    /// All four steps on: the default.
    public static let all = NormalizationOptions()

    /// A short signature for the analyzer version string, e.g. `ucdl` when all four steps are on.
    var signature: String {
        (unicodeCleanup ? "u" : "-") + (stripDiacritics ? "d" : "-") + (foldLetters ? "l" : "-")
            + (foldDigitsAndCase ? "n" : "-")
    }
}
