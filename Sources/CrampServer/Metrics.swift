public import Prometheus

/// Request counts by status class and a latency histogram, made once on the registry: recording
/// costs two atomic adds, not a lookup by labels per request.
public final class RequestMetrics: Sendable {
    private let counters: [Counter]
    private let latency: DurationHistogram

    public init(registry: PrometheusCollectorRegistry) {
        counters = (1...5).map { registry.makeCounter(name: "crampcare_http_requests_total", labels: [("status", "\($0)xx")]) }
        latency = registry.makeDurationHistogram(
            name: "crampcare_http_request_duration_seconds",
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)])
    }

    func record(status: Int, elapsed: Duration) {
        counters[min(max(status / 100, 1), 5) - 1].increment()
        latency.record(elapsed)
    }
}
