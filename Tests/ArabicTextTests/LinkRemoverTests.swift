import Testing

@testable import ArabicText

@Suite struct LinkRemoverTests {
    @Test(
        "links are replaced by one space",
        arguments: [
            ("زوروا https://example.com/a?b=1 اليوم", "زوروا   اليوم"),
            ("www.bbc.com", " "),
            ("(WWW.BBC.COM)", " "),
            ("info@example.com.", " "),
            ("المصدر:http://x.co", "المصدر "),
            ("user@host", "user@host"),
            ("@handle", "@handle"),
            ("awwwards.com", "awwwards.com"),
            ("15:30 و 3.5", "15:30 و 3.5"),
            ("", ""),
        ])
    func removal(_ example: (String, String)) {
        #expect(LinkRemover.removingLinks(from: example.0) == example.1)
    }
}
