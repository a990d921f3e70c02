/// FNV-1a, 64-bit: a fast, stable content hash for model ids, article content and file checksums.
///
/// Not cryptographic: it detects change and corruption, it does not resist an adversary.
public struct ContentHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { combine(byte: byte) }
    }

    public mutating func combine(_ text: String) {
        withUTF8(text) { combine(bytes: $0) }
        combine(byte: 0xFF)  // separator: ("ab","c") and ("a","bc") hash differently
    }

    @inline(__always)
    mutating func combine(byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }

    /// 16 lower-case hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func of(_ text: String) -> String {
        var hash = ContentHash()
        hash.combine(text)
        return hash.hex
    }
}
