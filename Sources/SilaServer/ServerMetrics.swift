import Foundation
import Hummingbird
import Metrics
import Prometheus

/// The server's metrics in Prometheus text format (`GET /metrics`): request counts and latency histograms per
/// route, index size and the time of the last recompute. Recorded through swift-metrics into a registry owned by
/// this server (no process-wide bootstrap, so several servers and tests never share counters).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let requestMetrics = RequestMetricHandles()
    /// GETs answered from the answer cache on the event loop (`CachedAnswerShortcut`): against the route's request
    /// count, how much of the page renders' load never reached the router.
    private let eventLoopAnswers: Metrics.Counter

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
        eventLoopAnswers = Metrics.Counter(label: "sila_event_loop_answers_total", factory: factory)
    }

    func countEventLoopAnswer() { eventLoopAnswers.increment() }

    func record(route: String, method: String, status: Int, elapsed: Duration) {
        requestMetric(route: route, method: method, status: status).record(elapsed)
    }

    /// The count and timer of one (route, method, status), for a caller that records many requests of one kind.
    func requestMetric(route: String, method: String, status: Int) -> RequestMetric {
        requestMetrics.handles(route: route, method: method, status: status) { [factory] in
            RequestMetric(
                counter: Metrics.Counter(
                    label: "sila_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))],
                    factory: factory),
                timer: Metrics.Timer(
                    label: "sila_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory))
        }
    }

    func setIndex(articles: Int, lastRecompute: Date?) {
        Gauge(label: "sila_index_articles", factory: factory).record(Double(articles))
        if let lastRecompute {
            Gauge(label: "sila_last_recompute_timestamp_seconds", factory: factory).record(lastRecompute.timeIntervalSince1970)
        }
    }

    func text() -> String { registry.emitToString() }
}

/// Times every request and counts it by route template and status.
struct MetricsRecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, elapsed: elapsed)
        if response.status.code >= 500 {
            context.logger.error("request failed", metadata: ["route": "\(route)", "status": "\(response.status.code)"])
        }
        return response
    }
}

/// The request count and latency histogram of one (route, method, status).
struct RequestMetric: Sendable {
    let counter: Metrics.Counter
    let timer: Metrics.Timer

    func record(_ elapsed: Duration) {
        counter.increment()
        timer.recordNanoseconds(Int64(elapsed.inSeconds * 1e9))
    }
}

extension Duration {
    /// The duration in seconds, as a Double (for metrics and log lines).
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The counter and timer of each (route, method, status), made once: making them per request looked them up in
/// the registry by label and dimensions every time (allocations and a lock, a visible share of a cached GET).
private final class RequestMetricHandles: @unchecked Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    private let lock = NSLock()
    private var table = [Key: RequestMetric]()

    func handles(route: String, method: String, status: Int, make: () -> RequestMetric) -> RequestMetric {
        let key = Key(route: route, method: method, status: status)
        return lock.withLock {
            if let found = table[key] { return found }
            let made = make()
            table[key] = made
            return made
        }
    }
}
