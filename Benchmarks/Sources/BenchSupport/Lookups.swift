// The online-lookup loops, shared by StoreBenchmarks and `fsbench lookup`
// (and the callgrind driver), so every tool measures the same code.
import FeatureStore
import Foundation
import Tabular

/// xorshift64* (the same generator as tools/lmdb_get_bench.c): cheap and
/// deterministic; `SystemRandomNumberGenerator` would cost a syscall a key.
public struct XorShift64Star {
    var state: UInt64
    public init(seed: UInt64 = 0x9E37_79B9_7F4A_7C15) { state = seed == 0 ? 1 : seed }
    @inline(__always) public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Prepared lookups of `bench_stats:*` (10 features) on random user ids in
/// 1...entities, with the entity rows and result reused across calls.
public struct LookupLoop {
    public let query: OnlineQuery
    public let entities: UInt64
    public var result: OnlineFeatures
    var one: [[Value]] = [[.int64(1)]]
    var hundred: [[Value]] = Array(repeating: [.int64(1)], count: 100)
    var rng = XorShift64Star()

    public init(store: Store, entities: Int) throws {
        query = try store.onlineQuery(refs: ["bench_stats:*"])
        guard query.features.count == 10 else { throw BenchError("expected 10 features, got \(query.features.count)") }
        self.entities = UInt64(entities)
        result = query.emptyResult()
    }

    @inline(__always) mutating func randomKey() -> Int64 { Int64(rng.next() % entities) + 1 }

    /// One lookup of 1 entity × 10 features; returns something derived from it.
    @inline(never)
    public mutating func lookupOne() throws -> Int {
        one[0][0] = .int64(randomKey())
        try query.read(entities: one, into: &result)
        return result.columns.count &+ (result.columns[1].statuses[0] == .present ? 1 : 0)
    }

    /// One lookup of 100 entities × 10 features.
    @inline(never)
    public mutating func lookupHundred() throws -> Int {
        for i in 0..<100 { hundred[i][0] = .int64(randomKey()) }
        try query.read(entities: hundred, into: &result)
        return result.count
    }

    /// Checks that every looked-up entity was found (the store is complete).
    public mutating func verify(samples: Int = 1000) throws {
        for _ in 0..<samples {
            _ = try lookupOne()
            for c in result.columns.indices.dropFirst() where result.columns[c].statuses[0] != .present {
                throw BenchError("entity \(one[0][0]): column \(result.columns[c].name) is \(result.columns[c].statuses[0])")
            }
        }
    }
}

/// `fsbench lookup`: the same method as tools/lmdb_get_bench.c — a fixed
/// number of random lookups per pass, the minimum (and median) over passes.
public enum LookupTiming {
    public struct Figures {
        public var passes: [Double] = []
        public var min: Double { passes.min() ?? .nan }
        public var median: Double {
            let s = passes.sorted()
            return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
    }

    /// ns per 1×10 lookup, per pass.
    public static func one(_ loop: inout LookupLoop, lookups: Int, passes: Int) throws -> Figures {
        var f = Figures()
        var sink = 0
        for _ in 0..<passes {
            let t = Stopwatch()
            for _ in 0..<lookups { sink &+= try loop.lookupOne() }
            f.passes.append(Double(t.nanoseconds) / Double(lookups))
        }
        blackHoleInt(sink)
        return f
    }

    /// ns per 100×10 lookup, per pass.
    public static func hundred(_ loop: inout LookupLoop, batches: Int, passes: Int) throws -> Figures {
        var f = Figures()
        var sink = 0
        for _ in 0..<passes {
            let t = Stopwatch()
            for _ in 0..<batches { sink &+= try loop.lookupHundred() }
            f.passes.append(Double(t.nanoseconds) / Double(batches))
        }
        blackHoleInt(sink)
        return f
    }
}

@inline(never) public func blackHoleInt(_ x: Int) { if x == 0x7FFF_FFFF_1234_5678 { print(x) } }

/// One ``LookupLoop`` on ``SharedStore``, made on first use and reused by
/// every iteration of a benchmark (setup stays out of the measured loops).
public final class SharedLookup: @unchecked Sendable {
    public var loop: LookupLoop
    private init() throws {
        loop = try LookupLoop(store: SharedStore.shared.store, entities: SharedStore.shared.entities)
        try loop.verify()
    }
    nonisolated(unsafe) private static var instance: SharedLookup?
    public static func shared() throws -> SharedLookup {
        if let instance { return instance }
        let made = try SharedLookup()
        instance = made
        return made
    }
}
