import Foundation
import TestSupport

/// Synthetic Arabic articles for the fault tests: a seeded draw of words from a small vocabulary, so that any
/// number of articles share enough terms to index.
enum SmallCorpus {
    static let words = """
        الحكومة البرلمان الانتخابات الرئيس الوزير المعارضة الاقتصاد الأسواق النفط البنك التضخم الأسعار المنتخب \
        المباراة الدوري البطولة الهدف المدرب اللاعب الملعب الجمهور المطر الثلوج العاصفة الطرق المدارس الجامعة \
        الطلاب الامتحانات المستشفى الأطباء الدواء اللقاح المعرض الكتاب الرواية المهرجان السينما المسرح الفنان \
        القمة المفاوضات الاتفاق الحدود اللاجئين المساعدات الزلزال الفيضانات الحرائق الشرطة المحكمة القانون
        """.split(separator: " ").map(String.init)

    /// `count` articles as JSONL, ids `PREFIX-N`, bodies of about `bodyWords` words.
    static func jsonl(count: Int, prefix: String = "a", bodyWords: Int = 40, seed: UInt64 = 1) -> String {
        var random = SeededGenerator(seed: seed)
        var lines = [String]()
        for index in 1...count {
            let theme = Int.random(in: 0..<(words.count - 12), using: &random)
            func word() -> String { words[theme + Int.random(in: 0..<12, using: &random)] }
            let title = (0..<5).map { _ in word() }.joined(separator: " ")
            let body = (0..<bodyWords).map { _ in word() }.joined(separator: " ")
            let record: [String: Any] = [
                "id": "\(prefix)-\(index)", "title": title, "body": body,
                "published_at": "2024-05-\(String(format: "%02d", index % 28 + 1))T10:00:00Z",
            ]
            let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
