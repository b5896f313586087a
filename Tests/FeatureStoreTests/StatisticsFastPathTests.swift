import Testing
import Foundation
@testable import FeatureStore
import TestSupport

/// The cheap paths of statistics at ingest against their definitions: the
/// sketch index without `log` equals ⌈log(x)·m⌉ bit for bit, bulk sketch
/// adds equal one-by-one adds, the byte-keyed counter equals a Dictionary,
/// weighted Misra–Gries stays within its bound of the exact counts, and
/// records written before these paths existed still decode and merge.
@Suite struct StatisticsFastPathTests {
    static let alphas = [0.01, 0.001, 0.05, 0.3]

    /// Checks the fast index against `log` for `x` and its 3 neighbours each side.
    static func expectSameIndex(around x: Double, multiplier m: Double, _ failures: inout Int) {
        var v = x
        for _ in 0..<3 { v = v.nextDown }
        for _ in 0..<7 {
            if v > 0 && v.isFinite {
                let fast = SketchIndex.table.withUnsafeBufferPointer {
                    SketchIndex.index(v, multiplier: m, margin: SketchIndex.margin(multiplier: m), table: $0)
                }
                if fast != SketchIndex.exact(v, multiplier: m) {
                    failures += 1
                    if failures < 5 { Issue.record("index of \(v) (bits \(v.bitPattern)) at m = \(m): \(fast) vs \(SketchIndex.exact(v, multiplier: m))") }
                }
            }
            v = v.nextUp
        }
    }

    @Test func sketchIndexEqualsTheLogDefinition() {
        var rng = SeededRandom(seed: 41)
        var failures = 0
        for alpha in Self.alphas + [1e-6] {
            let m = QuantileSketch(alpha: alpha).multiplier
            // Every bucket boundary γ^k of the whole double range (200,000
            // random ones at α = 10⁻⁶), ± 3 ulps.
            let lowest = Int((log(Double.leastNonzeroMagnitude) * m).rounded(.down))
            let highest = Int((log(Double.greatestFiniteMagnitude) * m).rounded(.up))
            let ks = highest - lowest < 200_000 ? Array(lowest...highest)
                : (0..<200_000).map { _ in Int.random(in: lowest...highest, using: &rng) }
            for k in ks { Self.expectSameIndex(around: exp(Double(k) / m), multiplier: m, &failures) }
            // Random bit patterns: every exponent, subnormals included.
            for _ in 0..<200_000 {
                let x = Double(bitPattern: UInt64.random(in: 1..<0x7FF0_0000_0000_0000, using: &rng))
                Self.expectSameIndex(around: x, multiplier: m, &failures)
            }
            // Table cells' edges, powers of two, the extremes.
            for e in [-1074, -1022, -1, 0, 1, 52, 1023] {
                for i in 0...512 {
                    Self.expectSameIndex(around: (1 + Double(i) / 512) * pow(2, Double(e)), multiplier: m, &failures)
                }
            }
            for x in [Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, 1, 0.5, 2] {
                Self.expectSameIndex(around: x, multiplier: m, &failures)
            }
        }
        #expect(failures == 0)
    }

    @Test func singleValueQuantilesStayWithinAlpha() {
        var rng = SeededRandom(seed: 43)
        var values: [Double] = [0, -0.0, 1, -1, 1e-300, -1e-300, 1e300, -1e300, Double.leastNormalMagnitude, 1e-310, 1e-318]
        for _ in 0..<20_000 {
            let x = exp(Double.random(in: -700...690, using: &rng))
            values.append(rng.chance(0.5) ? x : -x)
        }
        for alpha in Self.alphas {
            for x in values {
                var s = QuantileSketch(alpha: alpha)
                s.add(x)
                let q = s.quantile(0.5)!
                // A subnormal answer is rounded to the subnormal spacing.
                let slack = abs(x) < Double.leastNormalMagnitude ? Double.leastNonzeroMagnitude : 0
                #expect(abs(q - x) <= alpha * abs(x) * (1 + 1e-12) + slack, "α \(alpha): \(x) answered \(q)")
            }
        }
    }

    @Test func bulkAddEqualsOneByOne() {
        var rng = SeededRandom(seed: 47)
        for (spread, signs) in [(5.0, false), (40.0, true), (400.0, true), (700.0, false)] {
            var bulk = QuantileSketch(), single = QuantileSketch()
            for chunk in 0..<30 {
                var values: [Double] = []
                for _ in 0..<Int.random(in: 0..<500, using: &rng) {
                    var x = exp(Double.random(in: -spread...spread, using: &rng) + Double(chunk % 7) * spread / 10)
                    if rng.chance(0.02) { x = 0 }
                    if signs && rng.chance(0.4) { x = -x }
                    values.append(x)
                    single.add(x)
                }
                values.withUnsafeBufferPointer { bulk.add(contentsOf: $0) }
            }
            #expect(bulk == single, "spread \(spread), both signs \(signs)")
        }
    }

    /// Random strings, some multi-byte, many sharing a prefix (of 5 or 29
    /// bytes: equal first words, different rest), suffix lengths 0–40.
    static func randomStrings(_ n: Int, distinct: Int, using rng: inout SeededRandom) -> [String] {
        let pool = (0..<distinct).map { i -> String in
            let len = Int.random(in: 0...40, using: &rng)
            let prefix = rng.pick(["user-", "é✓", "", "", "a-prefix-longer-than-8-bytes-"])
            return prefix + String((0..<len).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &rng)! }) + "\(i)"
        }
        return (0..<n).map { _ in pool[Int(pow(Double.random(in: 0..<1, using: &rng), 2) * Double(distinct))] }
    }

    @Test func byteCounterEqualsADictionary() {
        var rng = SeededRandom(seed: 53)
        var counter = ByteCounter()
        for (n, distinct) in [(0, 1), (1, 1), (500, 3), (20_000, 300), (50_000, 40_000)] {
            let values = Self.randomStrings(n, distinct: distinct, using: &rng)
            var offsets = [0], bytes: [UInt8] = [], valid: [Bool] = []
            for v in values {
                let isValid = !rng.chance(0.05)
                valid.append(isValid)
                if isValid { bytes += Array(v.utf8) }
                offsets.append(bytes.count)
            }
            // A random subset of the rows, as the accepted rows of a day group.
            let rows = (0..<n).filter { _ in rng.chance(0.8) }.map { Int32($0) }
            var exact: [String: UInt64] = [:]
            var nulls: UInt64 = 0
            for r in rows { if valid[Int(r)] { exact[values[Int(r)], default: 0] += 1 } else { nulls += 1 } }
            counter.reset()
            let (counted, got) = rows.withUnsafeBufferPointer { rows in
                offsets.withUnsafeBufferPointer { offsets in
                    valid.withUnsafeBufferPointer { valid in
                        bytes.withUnsafeBytes { bytes in
                            let nulls = counter.count(rows: rows, offsets: offsets, bytes: bytes, valid: valid)
                            return (nulls, counter.distinct(prunedTo: Int.max, bytes: bytes))
                        }
                    }
                }
            }
            #expect(counted == nulls)
            #expect(got.count == exact.count && counter.distinctCount == exact.count)
            #expect(Dictionary(got.map { ($0.value, $0.count) }, uniquingKeysWith: +) == exact, "\(n) values, \(distinct) distinct")
        }
    }

    @Test func byteCounterCountsEmptyStrings() {
        var counter = ByteCounter()
        for values in [["", "", ""], ["", "a", "", "a-string-longer-than-8", ""]] {
            var offsets = [0], bytes: [UInt8] = []
            for v in values { bytes += Array(v.utf8); offsets.append(bytes.count) }
            let valid = [Bool](repeating: true, count: values.count)
            let rows = (0..<values.count).map { Int32($0) }
            counter.reset()
            let got = rows.withUnsafeBufferPointer { rows in
                offsets.withUnsafeBufferPointer { offsets in
                    valid.withUnsafeBufferPointer { valid in
                        bytes.withUnsafeBytes { bytes in
                            _ = counter.count(rows: rows, offsets: offsets, bytes: bytes, valid: valid)
                            return counter.distinct(prunedTo: 8, bytes: bytes)
                        }
                    }
                }
            }
            let exact = Dictionary(values.map { ($0, UInt64(1)) }, uniquingKeysWith: +)
            #expect(Dictionary(got.map { ($0.value, $0.count) }, uniquingKeysWith: +) == exact)
        }
    }

    @Test func selectFindsTheRankFromTheLargest() {
        var rng = SeededRandom(seed: 59)
        for n in [1, 2, 3, 10, 1000, 5000] {
            let a = (0..<n).map { _ in UInt64.random(in: 1...UInt64(max(1, n / 3)), using: &rng) }
            let sorted = a.sorted(by: >)
            for rank in Set([0, n / 2, n - 1, Int.random(in: 0..<n, using: &rng)]) {
                var b = a
                #expect(ByteCounter.select(&b, rankFromLargest: rank) == sorted[rank], "n \(n), rank \(rank)")
            }
        }
    }

    /// Exact counts of `stream` fed as weighted batches (each batch's counts
    /// pruned to `batchK` first, as ingest does) into Misra–Gries summaries
    /// with k = `k`, merged in random trees: every estimate within the bound.
    @Test func weightedMisraGriesStaysWithinItsBound() {
        var rng = SeededRandom(seed: 61)
        for (k, batchK, distinct) in [(8, 8, 50), (16, 64, 2_000), (128, 1024, 30_000), (128, 1024, 100)] {
            let stream = Self.randomStrings(60_000, distinct: distinct, using: &rng)
            var exact: [String: UInt64] = [:]
            for v in stream { exact[v, default: 0] += 1 }
            var parts = [TopValues(capacity: k), TopValues(capacity: k), TopValues(capacity: k)]
            var start = 0
            while start < stream.count {
                let end = min(stream.count, start + Int.random(in: 1...5_000, using: &rng))
                var batch: [String: UInt64] = [:]
                for v in stream[start..<end] { batch[v, default: 0] += 1 }
                // Random weights in the batch's own summary: prune it to batchK as ByteCounter does.
                var pairs = batch.map { (value: $0.key, count: $0.value) }
                if pairs.count > batchK {
                    var counts = pairs.map(\.count)
                    let cut = ByteCounter.select(&counts, rankFromLargest: batchK)
                    pairs = pairs.filter { $0.count > cut }.map { ($0.value, $0.count - cut) }
                }
                parts[Int.random(in: 0..<3, using: &rng)].add(counts: pairs.shuffled(using: &rng))
                start = end
            }
            var merged = parts[1]
            merged.merge(parts[2])
            merged.merge(parts[0])
            let n = UInt64(stream.count)
            let bound = merged.errorBound(total: n)
            #expect(merged.counters.count <= k)
            #expect(bound <= n / UInt64(k + 1))
            for (v, f) in exact {
                let estimate = merged.counters[v] ?? 0
                #expect(estimate <= f && f <= estimate + bound, "k \(k): \(v) estimated \(estimate), true \(f), bound \(bound)")
                if f > n / UInt64(k + 1) { #expect(merged.counters[v] != nil, "heavy hitter \(v) (\(f)) kept") }
            }
            if distinct <= k { #expect(merged.counters == exact) }
        }
    }

    /// A numeric record in encoding version 1 as written before the index
    /// fast path (bytes computed from docs/storage-format.md with the C
    /// library's `log`): 14 values 1, 0.9999, 1.5, 2, 2.5, 3.25, 3.5, γ + 1 ulp
    /// (just above bucket 1), −3, −3.1, −4, 0, 0, NaN, 3 nulls.
    static let oldNumeric = """
    01010e000000000000000300000000000000010000000000000000000000000010c00000000000000c4025dab9bc12eadb3f\
    aebb70aa5c9f51407b14ae47e17a843f0200000000000000400000000000000002000100000000000000000000000000000000\
    000001000000000000000000000000000100000000000000000000010000000000000000000000000100000001100000003700\
    000001000100000000000000000000000001
    """
    /// A categorical record (k = 128): DE 5, FR 2, é 1, 1 null.
    static let oldCategorical = "0102080000000000000001000000000000008000000003000000024445050246520202c3a901"
    static let oldValues = [1, 0.9999, 1.5, 2, 2.5, 3.25, 3.5, 1.0202020202020203, -3, -3.1, -4, 0, 0]

    static func bytes(_ hex: String) -> [UInt8] {
        let h = Array(hex.utf8)
        return stride(from: 0, to: h.count, by: 2).map { UInt8(String(decoding: h[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test func recordsWrittenBeforeTheFastPathsDecodeAndMerge() throws {
        let old = Self.bytes(Self.oldNumeric)
        let summary = try old.withUnsafeBytes { try FeatureSummary(decoding: $0, what: "fixture") }
        #expect(summary.count == 14 && summary.nulls == 3 && summary.nonFinite == 1)
        var fresh = QuantileSketch()
        Self.oldValues.withUnsafeBufferPointer { fresh.add(contentsOf: $0) }
        #expect(summary.sketch == fresh, "the same values land in the same buckets")
        #expect(summary.encoded() == old, "re-encoding gives the stored bytes")
        // Old record + new values: the buckets add up.
        var merged = summary
        var more = FeatureSummary(kind: .numeric)
        for x in Self.oldValues + [.nan] { more.add(x) }
        more.addNull(3)
        merged.merge(more)
        var twice = fresh
        twice.merge(fresh)
        #expect(merged.sketch == twice && merged.count == 28 && merged.nulls == 6)
        #expect(merged.sketch!.quantile(0.5) == summary.sketch!.quantile(0.5))

        let oldTop = Self.bytes(Self.oldCategorical)
        var top = try oldTop.withUnsafeBytes { try FeatureSummary(decoding: $0, what: "fixture") }
        #expect(top.top?.counters == ["DE": 5, "FR": 2, "é": 1] && top.count == 8 && top.nulls == 1)
        #expect(top.encoded() == oldTop)
        var batch = FeatureSummary(kind: .categorical)
        batch.top!.add(counts: [("FR", 4), ("IT", 1)])
        batch.count = 5
        top.merge(batch)
        #expect(top.top?.counters == ["DE": 5, "FR": 6, "é": 1, "IT": 1] && top.count == 13)
    }
}
