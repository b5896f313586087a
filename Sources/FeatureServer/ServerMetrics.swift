import FeatureStore
import NIOConcurrencyHelpers
import NIOCore
import Prometheus
import WireProtocol

/// The server's Prometheus metrics (docs/wire-protocol.md, section 8), on a
/// registry of its own (no global bootstrap, so tests can run several servers).
///
/// The per-request series (request counts, latency histograms, online
/// hits/misses/stale) are counted per event loop in ``LoopStats`` and summed
/// here at scrape time; the registry holds the gauges.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let store: Store
    let connections: Gauge
    private let mapSize: Gauge
    private let mapUsed: Gauge
    private let readersUsed: Gauge
    private let readersMax: Gauge
    /// One ``LoopStats`` per event loop, created by the loop's first connection.
    private let loops = NIOLockedValueBox([ObjectIdentifier: LoopStats]())

    static let buckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metric, unitName: "", helpText: help)
    }
    static let requestsHelp = "Protocol requests answered, by operation and status"
    static let latencyHelp = "Time from a request's decoding to its reply being written"
    static let lookupsHelp = "Online lookups per entity and table row: hit (a row within ttl), miss (no row), stale (OUTSIDE_MAX_AGE)"

    init(store: Store) {
        self.store = store
        connections = registry.makeGauge(descriptor: Self.name("fs_connections", "Open protocol connections"))
        mapSize = registry.makeGauge(descriptor: Self.name("fs_store_map_size_bytes", "LMDB map size"))
        mapUsed = registry.makeGauge(descriptor: Self.name("fs_store_map_used_bytes", "LMDB pages in use times the page size"))
        readersUsed = registry.makeGauge(descriptor: Self.name("fs_store_readers_used", "LMDB reader slots in use"))
        readersMax = registry.makeGauge(descriptor: Self.name("fs_store_readers_max", "LMDB reader slots available"))
    }

    /// The stats of `loop` (a connection asks once, when its handler is added).
    func stats(for loop: any EventLoop) -> LoopStats {
        loops.withLockedValue { all in
            let id = ObjectIdentifier(loop)
            if let s = all[id] { return s }
            let s = LoopStats()
            all[id] = s
            return s
        }
    }

    /// The per-loop counts summed.
    func totals() -> LoopStats.State {
        var total = LoopStats.State()
        for s in loops.withLockedValue({ Array($0.values) }) { total.add(s.snapshot()) }
        return total
    }

    /// Prometheus text, with the store gauges refreshed first.
    func exposition() -> [UInt8] {
        if let info = try? store.environment.info() {
            mapSize.set(Int64(info.mapSize))
            mapUsed.set(Int64(info.usedBytes))
            readersUsed.set(Int64(info.readersUsed))
            readersMax.set(Int64(info.maxReaders))
        }
        var out = registry.emitToBuffer()
        Self.render(totals(), into: &out)
        return out
    }

    /// The per-request series in the text format (the same lines the registry wrote for them before).
    static func render(_ s: LoopStats.State, into out: inout [UInt8]) {
        func line(_ text: String) { out.append(contentsOf: text.utf8); out.append(10) }
        let stride = LoopStats.stride
        var series: [(op: String, status: String, values: ArraySlice<UInt64>)] = []
        for (slot, op) in Opcode.all.enumerated() {
            series.append((op.name, "OK", s.ok[(slot * stride)..<((slot + 1) * stride)]))
        }
        for key in s.errors.keys.sorted() {
            let code = UInt16(key & 0xFFFF)
            series.append((Opcode(rawValue: UInt16(key >> 16)).name, code == 0 ? "OK" : ErrorCode(rawValue: code).name, s.errors[key]![...]))
        }
        line("# HELP fs_requests_total \(requestsHelp)")
        line("# TYPE fs_requests_total counter")
        for x in series {
            line("fs_requests_total{op=\"\(x.op)\",status=\"\(x.status)\"} \(x.values[x.values.startIndex + stride - 2])")
        }
        line("# HELP fs_request_duration_seconds \(latencyHelp)")
        line("# TYPE fs_request_duration_seconds histogram")
        for x in series {
            let labels = "op=\"\(x.op)\",status=\"\(x.status)\""
            var cumulative: UInt64 = 0
            for (b, bound) in LoopStats.bounds.enumerated() {
                cumulative &+= x.values[x.values.startIndex + b]
                line("fs_request_duration_seconds_bucket{\(labels),le=\"\(Double(bound) / 1e9)\"} \(cumulative)")
            }
            let count = x.values[x.values.startIndex + stride - 2]
            line("fs_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(count)")
            line("fs_request_duration_seconds_sum{\(labels)} \(Double(x.values[x.values.startIndex + stride - 1]) / 1e9)")
            line("fs_request_duration_seconds_count{\(labels)} \(count)")
        }
        line("# HELP fs_online_lookups_total \(lookupsHelp)")
        line("# TYPE fs_online_lookups_total counter")
        line("fs_online_lookups_total{result=\"hit\"} \(s.hits)")
        line("fs_online_lookups_total{result=\"miss\"} \(s.misses)")
        line("fs_online_lookups_total{result=\"stale\"} \(s.stale)")
    }
}
