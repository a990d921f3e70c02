import Testing
import TestSupport

@testable import ArabicText

/// Properties over the dev corpus, read at test time (never copied into the repository). Disabled with a message
/// when `../shared/data/ar-news-dev.jsonl` is absent.
@Suite(.enabled(if: DevCorpus.isAvailable, "needs ../shared/data/ar-news-dev.jsonl beside the package"))
struct AnalyzerCorpusTests {
    /// Spelling changes that must not change any term: each is applied inside or at the start of words.
    enum Perturbation: String, CaseIterable, Sendable {
        case tashkeelTatweelAndZWNJ, alefForms, persianLetters, presentationForms

        func apply(to text: String, using generator: inout SeededGenerator) -> String {
            let scalars = Array(text.unicodeScalars)
            var output = String.UnicodeScalarView()
            for (index, scalar) in scalars.enumerated() {
                let previous = index > 0 ? scalars[index - 1] : " "
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                switch self {
                case .tashkeelTatweelAndZWNJ:
                    output.append(scalar)
                    if Self.isArabicLetter(scalar), Self.isArabicLetter(next), Bool.random(using: &generator) {
                        output.append(Self.insertions.randomElement(using: &generator)!)
                    }
                case .alefForms:
                    output.append(
                        scalar == "ا" && !Self.isArabicLetter(previous)
                            ? Self.alefs.randomElement(using: &generator)! : scalar)
                case .persianLetters:
                    output.append(scalar == "ي" ? "ی" : scalar == "ك" ? "ک" : scalar)
                case .presentationForms:
                    if scalar == "ا", previous == "ل", output.last == "ل" {
                        output.removeLast()
                        output.append("\u{FEFB}")
                    } else if let form = Self.isolatedForms[scalar], Bool.random(using: &generator) {
                        output.append(form)
                    } else {
                        output.append(scalar)
                    }
                }
            }
            return String(output)
        }

        static func isArabicLetter(_ scalar: Unicode.Scalar) -> Bool { (0x0621...0x064A).contains(scalar.value) }
        static let insertions = (Array(0x064B...0x0652) + [0x0670, 0x0640, 0x0640, 0x200C, 0x200D, 0x200F])
            .compactMap(Unicode.Scalar.init)
        static let alefs: [Unicode.Scalar] = ["أ", "إ", "آ", "ٱ"]
        /// Isolated presentation forms (U+FE8D–U+FEF1) of the letters NFKC folds back.
        static let isolatedForms: [Unicode.Scalar: Unicode.Scalar] = [
            "ا": "\u{FE8D}", "ب": "\u{FE8F}", "ة": "\u{FE93}", "ت": "\u{FE95}", "ث": "\u{FE99}", "ج": "\u{FE9D}",
            "ح": "\u{FEA1}", "خ": "\u{FEA5}", "د": "\u{FEA9}", "ذ": "\u{FEAB}", "ر": "\u{FEAD}", "ز": "\u{FEAF}",
            "س": "\u{FEB1}", "ش": "\u{FEB5}", "ص": "\u{FEB9}", "ض": "\u{FEBD}", "ط": "\u{FEC1}", "ظ": "\u{FEC5}",
            "ع": "\u{FEC9}", "غ": "\u{FECD}", "ف": "\u{FED1}", "ق": "\u{FED5}", "ك": "\u{FED9}", "ل": "\u{FEDD}",
            "م": "\u{FEE1}", "ن": "\u{FEE5}", "ه": "\u{FEE9}", "و": "\u{FEED}", "ى": "\u{FEEF}", "ي": "\u{FEF1}",
        ]
    }

    static let sample = DevCorpus.sample(articles: 600)

    @Test("spelling variants leave every article's terms unchanged", arguments: Perturbation.allCases)
    func invariance(_ perturbation: Perturbation) {
        #expect(Self.sample.count >= 500)
        var generator = SeededGenerator(seed: 2024)
        var changed = 0
        for text in Self.sample {
            let perturbed = perturbation.apply(to: text, using: &generator)
            let terms = Analyzers.standard.terms(text)
            if Analyzers.standard.terms(perturbed) != terms {
                changed += 1
                if changed == 1 {
                    let after = Analyzers.standard.terms(perturbed)
                    let diff = zip(terms, after).first { $0 != $1 }
                    Issue.record("\(perturbation.rawValue): first difference \(String(describing: diff))")
                }
            }
        }
        #expect(changed == 0, "\(changed) of \(Self.sample.count) articles changed")
    }

    /// The fused UTF-8 pass equals the readable reference (normalize → split → filter → stem on scalars) on
    /// every text of the dev corpus.
    @Test func fusedPathEqualsReferenceOnWholeCorpus() {
        var mismatches = 0
        for text in DevCorpus.texts where Analyzers.standard.terms(text) != Analyzers.standard.referenceTerms(text) {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(DevCorpus.texts.count > 1_000)
    }

    @Test("the fused pass equals the reference with each step off", arguments: NormalizationOptions.ablations)
    func fusedPathEqualsReferenceWithStepOff(_ options: NormalizationOptions) {
        let analyzer = Analyzer(.init(normalization: options))
        let plain = Analyzer(.init(normalization: options, removesStopwords: false, stems: false))
        for text in DevCorpus.sample(articles: 300) {
            #expect(analyzer.terms(text) == analyzer.referenceTerms(text))
            #expect(plain.terms(text) == plain.referenceTerms(text))
        }
    }
}
