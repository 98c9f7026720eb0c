public import Prometheus

/// Request counts by status class and a latency histogram, made once on the registry: recording
/// costs two atomic adds, not a lookup by labels per request.
public final class RequestMetrics: Sendable {
    private let counters: [Counter]
    private let latency: DurationHistogram

    public init(registry: PrometheusCollectorRegistry) {
        let requests = MetricNameDescriptor(
            namespace: "crampcare", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by status class")
        counters = (1...5).map { registry.makeCounter(descriptor: requests, labels: [("status", "\($0)xx")]) }
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "crampcare", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request"),
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)])
    }

    func record(status: Int, elapsed: Duration) {
        counters[min(max(status / 100, 1), 5) - 1].increment()
        latency.record(elapsed)
    }
}
