import Hummingbird
import SilaCore

/// The JSON of a related answer written straight into a buffer, byte for byte what `JSONResponse.make` writes
/// through `JSONEncoder` (sorted keys, unescaped slashes, nil fields left out, trailing newline): the encoder's
/// generic machinery was a tenth of the CPU of every GET. Explained answers (rare) still go through `JSONEncoder`.
enum RelatedAnswerJSON {
    /// The answer's body, or nil when it holds something this writer leaves to `JSONEncoder` (an explanation, or
    /// a score that is not finite, which the encoder refuses).
    static func body(of answer: Routes.RelatedAnswer) -> ByteBuffer? {
        guard answer.related.allSatisfy({ $0.explanation == nil && $0.score.isFinite }) else { return nil }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(estimatedSize(of: answer))
        buffer.writeStaticString(#"{"id":"#)
        writeString(answer.id, to: &buffer)
        if let model = answer.model {
            buffer.writeStaticString(#","model":"#)
            writeString(model, to: &buffer)
        }
        buffer.writeStaticString(#","related":["#)
        for (index, item) in answer.related.enumerated() {
            buffer.writeStaticString(index == 0 ? #"{"id":"# : #",{"id":"#)
            writeString(item.id, to: &buffer)
            if let publishedAt = item.publishedAt {
                buffer.writeStaticString(#","published_at":"#)
                writeString(publishedAt, to: &buffer)
            }
            buffer.writeStaticString(#","score":"#)
            writeNumber(item.score, to: &buffer)
            buffer.writeStaticString(#","title":"#)
            writeString(item.title, to: &buffer)
            if let url = item.url {
                buffer.writeStaticString(#","url":"#)
                writeString(url, to: &buffer)
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]")
        if let source = answer.source {
            buffer.writeStaticString(#","source":"#)
            writeString(source.rawValue, to: &buffer)
        }
        buffer.writeStaticString("}\n")
        return buffer
    }

    /// The body's length when nothing needs escaping: reserved up front, so the buffer is not regrown (and doubled)
    /// while written, and a cached answer holds little more memory than it sends.
    static func estimatedSize(of answer: Routes.RelatedAnswer) -> Int {
        var size = 64 + answer.id.utf8.count + (answer.model?.utf8.count ?? 0)
        for item in answer.related {
            size += 96 + item.id.utf8.count + item.title.utf8.count + (item.url?.utf8.count ?? 0)
                + (item.publishedAt?.utf8.count ?? 0)
        }
        return size
    }

    /// A number as `JSONEncoder` writes a `Double`: its shortest round-trip description, without a trailing ".0".
    static func writeNumber(_ value: Double, to buffer: inout ByteBuffer) {
        let text = value.description
        if text.hasSuffix(".0") {
            buffer.writeSubstring(text.dropLast(2))
        } else {
            buffer.writeString(text)
        }
    }

    /// A quoted string escaped as `JSONEncoder` escapes it: `"` and `\`, the short forms \b \t \n \f \r, every other
    /// control character as \u00XX (lower-case hex); everything else, `/` and non-ASCII included, as is.
    static func writeString(_ string: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<index])))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0D: buffer.writeStaticString("\\r")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])))
        }
        buffer.writeStaticString("\"")
    }
}
