import Foundation
import Hummingbird
@testable import SilaCore
@testable import SilaServer
import Testing

/// The hand-written JSON of a related answer is byte for byte what `JSONEncoder` wrote for it before.
@Suite struct RelatedAnswerJSONTests {
    private func encoderBody(_ answer: Routes.RelatedAnswer) -> String {
        String(decoding: JSONResponse.body(answer).readableBytesView, as: UTF8.self)
    }

    private func handWritten(_ answer: Routes.RelatedAnswer) -> String? {
        RelatedAnswerJSON.body(of: answer).map { String(decoding: $0.readableBytesView, as: UTF8.self) }
    }

    static let awkwardStrings: [String] = {
        var controls = ""
        for value in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        return [
            "", "pol-001", "عنوان «مقتبس» في الأخبار", controls, #"quote " backslash \ slash / end"#,
            "https://example.com/a/b?c=d&e=f", "\u{7F}\u{2028}\u{2029}\u{FEFF}", "emoji 😀 and é", "tab\tnew\nline",
        ]
    }()

    @Test(arguments: awkwardStrings)
    func stringsAreEscapedLikeJSONEncoder(text: String) {
        let item = RelatedItem(id: text, title: text, url: text, publishedAt: text, score: 0.5)
        let answer = Routes.RelatedAnswer(id: text, related: [item], model: text, source: .stored)
        #expect(handWritten(answer) == encoderBody(answer))
    }

    @Test(arguments: [0.0, 1.0, 0.5, 0.1, 1e-05, 2e-07, 0.30000000000000004, 0.123456789012345, 1e20, 5e-324, 0.999999])
    func scoresAreWrittenLikeJSONEncoder(score: Double) {
        let item = RelatedItem(id: "a", title: "t", url: nil, publishedAt: nil, score: score)
        let answer = Routes.RelatedAnswer(id: "q", related: [item, item], model: "m", source: .live)
        #expect(handWritten(answer) == encoderBody(answer))
    }

    @Test func absentFieldsAreLeftOutLikeJSONEncoder() {
        let items = [
            RelatedItem(id: "a", title: "t", url: nil, publishedAt: "2024-01-01T00:00:00Z", score: 0.25),
            RelatedItem(id: "b", title: "u", url: "https://x/y", publishedAt: nil, score: 0.125),
        ]
        for answer in [
            Routes.RelatedAnswer(id: "q", related: items, model: nil, source: nil),
            Routes.RelatedAnswer(id: "q", related: [], model: "m", source: .stored),
        ] {
            #expect(handWritten(answer) == encoderBody(answer))
        }
    }

    @Test func explainedAnswersAreLeftToJSONEncoder() {
        var item = RelatedItem(id: "a", title: "t", url: nil, publishedAt: nil, score: 0.5)
        item.explanation = [SharedTerm(term: "نفط", word: "النفط", contribution: 0.1)]
        #expect(handWritten(Routes.RelatedAnswer(id: "q", related: [item], model: "m")) == nil)
    }
}
