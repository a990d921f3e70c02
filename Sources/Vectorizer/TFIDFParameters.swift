/// The fitting parameters of DESIGN.md's TF-IDF definition.
///
/// With `titleWeight` 1 the weights equal scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True,
/// norm='l2', min_df=2, max_df=0.5)` on the same token lists.
public struct TFIDFParameters: Hashable, Sendable, Codable {
    /// count(t, d) = count in body + titleWeight × count in title. 1 means the title is ordinary body text.
    public var titleWeight: Double
    /// tf = 1 + ln(count) when true (sublinear), tf = count when false (`--raw-tf`).
    public var sublinearTF: Bool
    /// Keep terms found in at least this many documents.
    public var minDF: Int
    /// Keep terms found in at most this fraction of the documents.
    public var maxDF: Double
    /// Keep at most this many terms: those with the highest total count (body + titleWeight × title) over the corpus,
    /// scikit-learn's rule (DESIGN.md's "highest df" is not what scikit-learn does). Ties in total count are broken by
    /// the term-id order: higher df, then smaller UTF-8 bytes.
    public var maxFeatures: Int?

    public init(
        titleWeight: Double = 2, sublinearTF: Bool = true, minDF: Int = 2, maxDF: Double = 0.5, maxFeatures: Int? = nil
    ) {
        self.titleWeight = titleWeight
        self.sublinearTF = sublinearTF
        self.minDF = minDF
        self.maxDF = maxDF
        self.maxFeatures = maxFeatures
    }

    /// Reasons the parameters cannot define a model, or `nil` when they are valid.
    public var problem: String? {
        if !(titleWeight >= 0 && titleWeight.isFinite) { return "title weight must be a finite number ≥ 0, got \(titleWeight)" }
        if minDF < 1 { return "min-df must be ≥ 1, got \(minDF)" }
        if !(maxDF > 0 && maxDF <= 1) { return "max-df must be a fraction in (0, 1], got \(maxDF)" }
        if let maxFeatures, maxFeatures < 1 { return "max-features must be ≥ 1, got \(maxFeatures)" }
        return nil
    }
}
