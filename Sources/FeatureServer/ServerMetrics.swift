import FeatureStore
import NIOConcurrencyHelpers
import Prometheus
import WireProtocol

/// The server's Prometheus metrics (docs/wire-protocol.md, section 8), on a
/// registry of its own (no global bootstrap, so tests can run several servers).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let store: Store
    private let okCounters: [UInt16: Counter]
    private let okLatency: [UInt16: DurationHistogram]
    let hits: Counter
    let misses: Counter
    let stale: Counter
    let connections: Gauge
    private let mapSize: Gauge
    private let mapUsed: Gauge
    private let readersUsed: Gauge
    private let readersMax: Gauge

    static let buckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metric, unitName: "", helpText: help)
    }
    static var requests: MetricNameDescriptor { name("fs_requests_total", "Protocol requests answered, by operation and status") }
    static var latency: MetricNameDescriptor { name("fs_request_duration_seconds", "Time from a request's decoding to its reply being written") }

    init(store: Store) {
        self.store = store
        var counters: [UInt16: Counter] = [:]
        var latency: [UInt16: DurationHistogram] = [:]
        for op in Opcode.all {
            counters[op.rawValue] = registry.makeCounter(descriptor: Self.requests, labels: [("op", op.name), ("status", "OK")])
            latency[op.rawValue] = registry.makeDurationHistogram(
                descriptor: Self.latency, labels: [("op", op.name), ("status", "OK")], buckets: Self.buckets)
        }
        okCounters = counters
        okLatency = latency
        let lookups = "Online lookups per entity and table row: hit (a row within ttl), miss (no row), stale (OUTSIDE_MAX_AGE)"
        hits = registry.makeCounter(descriptor: Self.name("fs_online_lookups_total", lookups), labels: [("result", "hit")])
        misses = registry.makeCounter(descriptor: Self.name("fs_online_lookups_total", lookups), labels: [("result", "miss")])
        stale = registry.makeCounter(descriptor: Self.name("fs_online_lookups_total", lookups), labels: [("result", "stale")])
        connections = registry.makeGauge(descriptor: Self.name("fs_connections", "Open protocol connections"))
        mapSize = registry.makeGauge(descriptor: Self.name("fs_store_map_size_bytes", "LMDB map size"))
        mapUsed = registry.makeGauge(descriptor: Self.name("fs_store_map_used_bytes", "LMDB pages in use times the page size"))
        readersUsed = registry.makeGauge(descriptor: Self.name("fs_store_readers_used", "LMDB reader slots in use"))
        readersMax = registry.makeGauge(descriptor: Self.name("fs_store_readers_max", "LMDB reader slots available"))
    }

    /// Counts one answered request and its latency.
    func record(_ opcode: Opcode, _ code: ErrorCode?, nanoseconds: Int64) {
        if code == nil, let c = okCounters[opcode.rawValue] {
            c.increment()
            okLatency[opcode.rawValue]!.recordNanoseconds(nanoseconds)
            return
        }
        let status = code?.name ?? "OK"
        registry.makeCounter(descriptor: Self.requests, labels: [("op", opcode.name), ("status", status)]).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("op", opcode.name), ("status", status)],
                                       buckets: Self.buckets).recordNanoseconds(nanoseconds)
    }

    /// Prometheus text, with the store gauges refreshed first.
    func exposition() -> [UInt8] {
        if let info = try? store.environment.info() {
            mapSize.set(Int64(info.mapSize))
            mapUsed.set(Int64(info.usedBytes))
            readersUsed.set(Int64(info.readersUsed))
            readersMax.set(Int64(info.maxReaders))
        }
        return registry.emitToBuffer()
    }
}
