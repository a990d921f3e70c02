import Foundation
import GRDB
import Vectorizer

/// An article as Sila stores it: plain text (HTML already removed at ingest), dates in ISO-8601 UTC.
public struct Article: Codable, Hashable, Sendable {
    public var id: String
    public var title: String
    public var body: String
    public var category: String?
    public var tags: [String]
    public var url: String?
    /// "YYYY-MM-DDTHH:MM:SSZ", or `nil` when the source gives no date.
    public var publishedAt: String?

    public init(
        id: String, title: String = "", body: String, category: String? = nil, tags: [String] = [], url: String? = nil,
        publishedAt: String? = nil
    ) {
        self.id = id
        self.title = title
        self.body = body
        self.category = category
        self.tags = tags
        self.url = url
        self.publishedAt = publishedAt
    }

    /// Hash of every stored field: an upsert with the same hash changes nothing.
    public var contentHash: String {
        var hash = ContentHash()
        for field in [id, title, body, category ?? "\u{0}", tags.joined(separator: "\u{1}"), url ?? "\u{0}", publishedAt ?? "\u{0}"] {
            hash.combine(field)
        }
        return hash.hex
    }

    /// Hash of the text the vector is computed from (title and body): a changed URL does not need a new vector.
    public var textHash: String {
        var hash = ContentHash()
        hash.combine(title)
        hash.combine(body)
        return hash.hex
    }

    /// Seconds since 1970 of `publishedAt`, for recency and tie-breaking.
    public var publishedEpochSeconds: Int64? {
        publishedAt.flatMap(ISODate.epochSeconds)
    }
}

/// Parsing of the two date shapes Sila stores and accepts.
///
/// The stored shape ("YYYY-MM-DDTHH:MM:SSZ") and a bare date are parsed by hand: they are read for every vector
/// at every index load, and a Foundation date formatter costs tens of microseconds to create. Other ISO-8601
/// shapes (offsets, fractional seconds) go through Foundation.
public enum ISODate {
    /// Seconds since 1970 of an accepted date, or `nil`.
    public static func epochSeconds(_ text: String) -> Int64? {
        if let fast = parseStoredShape(text) { return fast }
        return normalized(text).flatMap(parseStoredShape)
    }

    /// Accepts "YYYY-MM-DDTHH:MM:SSZ", with fractional seconds or a numeric offset (`+03:00`, `+0300`), and
    /// "YYYY-MM-DD" (midnight UTC), and returns the stored form ("YYYY-MM-DDTHH:MM:SSZ", UTC). Years outside
    /// 1000–9999 are rejected, and so is every field out of its range (month 13, April 31st, hour 24, an offset of
    /// 99 hours): parsed by hand, because Foundation's parser rolls such values over into another date.
    public static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = parseStoredShape(trimmed) { return format(seconds) }
        let bytes = Array(trimmed.utf8)
        guard bytes.count > 20, bytes.count <= 64, bytes[10] == UInt8(ascii: "T"),
            let wall = parseStoredShape(String(decoding: bytes[0..<19], as: UTF8.self) + "Z")
        else { return nil }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digits = bytes[index...].prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            guard digits >= 1 else { return nil }
            index += digits  // fractions of a second are dropped (the stored form has whole seconds)
        }
        guard let offset = offsetSeconds(bytes[index...]) else { return nil }
        let seconds = wall - Int64(offset)
        // 1000-01-01 … 9999-12-31 in UTC too: anything else is a typo or an attack, not a news date.
        guard seconds >= -30_610_224_000, seconds < 253_402_300_800 else { return nil }
        return format(seconds)
    }

    /// "Z", "+HH:MM", "-HH:MM", "+HHMM" or "-HHMM" (hours 0–23, minutes 0–59) → seconds east of UTC.
    static func offsetSeconds(_ bytes: ArraySlice<UInt8>) -> Int? {
        let text = Array(bytes)
        if text == [UInt8(ascii: "Z")] { return 0 }
        guard text.count == 6 || text.count == 5, text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") else { return nil }
        let digits = text.count == 6 ? (text[3] == UInt8(ascii: ":") ? [text[1], text[2], text[4], text[5]] : []) : Array(text[1...])
        guard digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let hours = Int(digits[0] - 0x30) * 10 + Int(digits[1] - 0x30)
        let minutes = Int(digits[2] - 0x30) * 10 + Int(digits[3] - 0x30)
        guard hours <= 23, minutes <= 59 else { return nil }
        return (text[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" with valid fields, or nil.
    static func parseStoredShape(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || (bytes.count == 20 && bytes[10] == UInt8(ascii: "T") && bytes[19] == UInt8(ascii: "Z")) else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), let year = number(0..<4), let month = number(5..<7),
            let day = number(8..<10), year >= 1000, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if bytes.count == 20 {
            guard bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), let h = number(11..<13), let m = number(14..<16),
                let sec = number(17..<19), h < 24, m < 60, sec < 60
            else { return nil }
            (hour, minute, second) = (h, m, sec)
        }
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The stored form (`YYYY-MM-DDTHH:MM:SSZ`, UTC) of an epoch second.
    public static func format(_ seconds: Int64) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        // civil_from_days
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }
}

extension Article: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "articles"

    public init(row: Row) throws {
        let tagsJSON: String = row["tags"]
        self.init(
            id: row["id"], title: row["title"], body: row["body"], category: row["category"],
            tags: (try? JSONDecoder().decode([String].self, from: Data(tagsJSON.utf8))) ?? [], url: row["url"],
            publishedAt: row["published_at"])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["title"] = title
        container["body"] = body
        container["category"] = category
        container["tags"] = String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
        container["url"] = url
        container["published_at"] = publishedAt
        container["content_hash"] = contentHash
        container["updated_at"] = Date().timeIntervalSince1970
    }
}
