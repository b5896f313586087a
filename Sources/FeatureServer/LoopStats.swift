import NIOConcurrencyHelpers
import WireProtocol

/// Request counts, latency histograms and online hit/miss counts of ONE event
/// loop. Every connection of the loop records into it, so its lock is only
/// ever contended by a scrape (`/metrics`, HEALTH), never by the other loop:
/// one uncontended lock per request instead of a shared lock, a shared atomic
/// and a Prometheus histogram lock whose cache lines bounce between the cores.
/// ``ServerMetrics`` sums the loops at scrape time.
final class LoopStats: Sendable {
    /// The counters, flat: for each known opcode (``slot(_:)``), the OK
    /// series (per-bucket counts, then +Inf, then count, then the nanosecond sum).
    struct State: Sendable {
        var requests: UInt64 = 0
        var hits: UInt64 = 0
        var misses: UInt64 = 0
        var stale: UInt64 = 0
        var ok = [UInt64](repeating: 0, count: Opcode.all.count * LoopStats.stride)
        /// Error (and unknown-opcode) series, keyed `opcode << 16 | code`: rare, so a dictionary.
        var errors: [UInt32: [UInt64]] = [:]

        /// Adds `other` to these counts (for the scrape's sum over loops).
        mutating func add(_ other: State) {
            requests &+= other.requests
            hits &+= other.hits
            misses &+= other.misses
            stale &+= other.stale
            for i in ok.indices { ok[i] &+= other.ok[i] }
            for (key, series) in other.errors {
                var mine = errors[key] ?? [UInt64](repeating: 0, count: LoopStats.stride)
                for i in mine.indices { mine[i] &+= series[i] }
                errors[key] = mine
            }
        }
    }

    private let box = NIOLockedValueBox(State())

    /// Upper bounds of the latency buckets in nanoseconds (ServerMetrics.buckets).
    static let bounds: [Int64] = ServerMetrics.buckets.map { d in
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
    /// Per series: one count per bucket, +Inf, count, sum of nanoseconds.
    static let stride = bounds.count + 3

    /// The dense index of a known opcode (nil for unknown ones).
    @inline(__always)
    static func slot(_ opcode: Opcode) -> Int? {
        switch opcode.rawValue {
        case 0x0001: 0
        case 0x0002: 1
        case 0x0003: 2
        case 0x0004: 3
        case 0x0010: 4
        case 0x0011: 5
        case 0x0012: 6
        case 0x0020: 7
        default: nil
        }
    }

    @inline(__always)
    static func bucket(_ nanoseconds: Int64) -> Int {
        var b = 0
        while b < bounds.count && nanoseconds > bounds[b] { b += 1 }
        return b
    }

    /// Counts one answered request, its latency and (GET_ONLINE) its lookups.
    @inline(__always)
    func record(_ opcode: Opcode, _ code: ErrorCode?, nanoseconds: Int64, hits: Int = 0, misses: Int = 0, stale: Int = 0) {
        let b = Self.bucket(nanoseconds)
        let nanos = UInt64(max(0, nanoseconds))
        box.withLockedValue { s in
            s.requests &+= 1
            if hits | misses | stale != 0 {
                s.hits &+= UInt64(hits)
                s.misses &+= UInt64(misses)
                s.stale &+= UInt64(stale)
            }
            if code == nil, let slot = Self.slot(opcode) {
                let base = slot * Self.stride
                s.ok[base + b] &+= 1
                s.ok[base + Self.stride - 2] &+= 1
                s.ok[base + Self.stride - 1] &+= nanos
            } else {
                let key = UInt32(opcode.rawValue) << 16 | UInt32(code?.rawValue ?? 0)
                var series = s.errors.removeValue(forKey: key) ?? [UInt64](repeating: 0, count: Self.stride)
                series[b] &+= 1
                series[Self.stride - 2] &+= 1
                series[Self.stride - 1] &+= nanos
                s.errors[key] = series
            }
        }
    }

    /// A copy of the counts.
    func snapshot() -> State { box.withLockedValue { $0 } }
}
