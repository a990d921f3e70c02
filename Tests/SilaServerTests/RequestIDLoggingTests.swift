import Foundation
import Logging
@testable import SilaServer
import Testing

/// Lines logged while a request is answered carry its `request_id` (through the server logger's metadata
/// provider), and lines logged outside a request do not.
@Suite struct RequestIDLoggingTests {
    /// Keeps the metadata of every line, merged as swift-log's own handlers merge it.
    final class Capture: @unchecked Sendable {
        let lock = NSLock()
        var lines = [Logger.Metadata]()
    }

    struct CapturingHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            merged.merge(metadataProvider?.get() ?? [:]) { _, provided in provided }
            merged.merge(event.metadata ?? [:]) { _, explicit in explicit }
            capture.lock.withLock { capture.lines.append(merged) }
        }
    }

    @Test func linesLoggedDuringARequestNameItsID() {
        let capture = Capture()
        let other = Logger.MetadataProvider { ["host": "test"] }
        let logger = RequestIDMetadata.adding(
            to: Logger(label: "test") { _ in CapturingHandler(capture: capture, metadataProvider: other) })
        RequestIDMetadata.$current.withValue("req-42") {
            logger.error("storage unavailable")
        }
        logger.error("outside any request")
        let lines = capture.lock.withLock { capture.lines }
        #expect(lines.count == 2)
        #expect(lines.first?["request_id"] == "req-42")
        #expect(lines.first?["host"] == "test", "a provider the logger had is kept")
        #expect(lines.last?["request_id"] == nil)
    }
}
