import Foundation
import HTTPTypes

/// The `Date` header's text (RFC 9110 IMF-fixdate, "Mon, 30 Nov 2026 01:30:08 GMT"), made once per second: the
/// event-loop answers of `CachedAnswerHandler` send it with every response, as the router does.
struct HTTPDateText {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private var second: time_t = -1
    private var field = HTTPField(name: .date, value: "")

    /// The `Date` field of the current second.
    mutating func now() -> HTTPField {
        let current = time(nil)
        if current != second {
            second = current
            field = HTTPField(name: .date, value: Self.format(current))
        }
        return field
    }

    /// `seconds` since the epoch as IMF-fixdate.
    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
    }
}
