import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular
import TestSupport

/// Statistics kept at ingest (issue 8 item 1), against an exact recomputation
/// over the same seeded events: counts, min, max and mean exact (mean to
/// 1e-12), variance to 1e-9 relative, quantiles within the sketch's α, top
/// values within Misra–Gries' bound.
@Suite struct FeatureStatisticsTests {
    static let yaml = """
    entities:
      - name: user
        join_keys:
          - {name: user_id, type: int64}
    feature_tables:
      - name: t
        entities: [user]
        features:
          - {name: x, type: float64}
          - {name: n, type: int64}
          - {name: f, type: float32}
          - {name: c, type: string}
          - {name: b, type: bool}
          - {name: score, type: float64, expect: {min: 0, max: 100}}
    """
    static let day0 = Timestamp.parse("2025-11-01T00:00:00Z")!
    static let day: Int64 = 86_400_000_000

    /// One generated event; nil = null.
    struct Event {
        var user: Int64
        var time: Int64
        var x: Double?
        var n: Int64?
        var f: Float?
        var c: String?
        var b: Bool?
        var score: Double?

        var csv: String {
            func s<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "" }
            return "\(user),\(Timestamp.format(time)),\(x.map { $0.isNaN ? "NaN" : "\($0)" } ?? ""),\(s(n)),\(s(f)),\(s(c)),\(s(b)),\(s(score))"
        }
    }

    static let header = "user_id,event_timestamp,x,n,f,c,b,score\n"

    /// Seeded events over `days` days: x log-normal with negatives, zeros,
    /// NaN and nulls; n integers; c Zipf-like over 400 categories (so
    /// Misra–Gries prunes), b biased bools.
    static func events(_ count: Int, days: Int, seed: UInt64) -> [Event] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            let t = day0 + Int64.random(in: 0..<(Int64(days) * day), using: &rng)
            var e = Event(user: Int64(i % 500), time: t)
            let u = Double.random(in: 0..<1, using: &rng)
            if u < 0.05 { e.x = nil } else if u < 0.06 { e.x = 0 } else if u < 0.065 { e.x = .nan } else {
                let g = (0..<12).map { _ in Double.random(in: 0..<1, using: &rng) }.reduce(0, +) - 6
                e.x = (u < 0.3 ? -1 : 1) * exp(2 * g)
            }
            e.n = rng.chance(0.1) ? nil : Int64.random(in: -1000...100_000, using: &rng)
            e.f = rng.chance(0.2) ? nil : Float.random(in: 0..<1, using: &rng)
            let r = Double.random(in: 0..<1, using: &rng)
            e.c = rng.chance(0.03) ? nil : "cat\(Int(pow(r, 3) * 400))"
            e.b = rng.chance(0.1) ? nil : rng.chance(0.7)
            e.score = rng.chance(0.5) ? nil : Double(Int.random(in: 0...100, using: &rng))
            return e
        }
    }

    /// Ingests `events` in `files` files, each read in batches of 997 rows.
    static func ingest(_ t: TempStore, _ events: [Event], files: Int, prefix: String = "e") throws {
        let per = (events.count + files - 1) / files
        var options = IngestOptions()
        options.batchSize = 997
        for k in 0..<files {
            let part = events[min(k * per, events.count)..<min((k + 1) * per, events.count)]
            let path = try t.input("\(prefix)\(k).csv", header + part.map(\.csv).joined(separator: "\n") + "\n")
            try t.store.ingest(table: "t", files: [path], options: options)
        }
    }

    static func lowerQuantile(_ sorted: [Double], _ q: Double) -> Double {
        sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
    }

    func expectNumbers(_ s: FeatureStatistics, _ values: [Double?], _ what: String) {
        let present = values.compactMap { $0 }
        let finite = present.filter(\.isFinite).sorted()
        #expect(s.summary.count == UInt64(present.count), "\(what) count")
        #expect(s.summary.nulls == UInt64(values.count - present.count), "\(what) nulls")
        #expect(s.summary.nonFinite == UInt64(present.count - finite.count), "\(what) non-finite")
        guard !finite.isEmpty else { return }
        #expect(s.summary.moments.min == finite.first! && s.summary.moments.max == finite.last!, "\(what) min/max")
        let mean = finite.reduce(0, +) / Double(finite.count)
        #expect(abs(s.summary.moments.mean - mean) <= 1e-12 * max(1, abs(mean)) * Double(finite.count).squareRoot(), "\(what) mean")
        if finite.count > 1 {
            let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count - 1)
            #expect(abs(s.summary.moments.sampleVariance! - variance) <= 1e-9 * variance, "\(what) variance")
        }
        let alpha = s.summary.sketch!.alpha
        for q in [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1] {
            let exact = Self.lowerQuantile(finite, q)
            let estimate = s.quantile(q)!
            #expect(abs(estimate - exact) <= alpha * abs(exact) * (1 + 1e-12), "\(what) q\(q): \(estimate) vs \(exact)")
        }
    }

    func expectCategories(_ s: FeatureStatistics, _ values: [String?], _ what: String) {
        var exact: [String: UInt64] = [:]
        for v in values { if let v { exact[v, default: 0] += 1 } }
        #expect(s.summary.count == UInt64(values.count - values.filter { $0 == nil }.count), "\(what) count")
        let top = s.summary.top!
        let bound = top.errorBound(total: s.summary.count)
        #expect(bound <= s.summary.count / UInt64(top.capacity + 1))
        for (v, f) in exact {
            let estimate = top.counters[v] ?? 0
            #expect(estimate <= f && f - estimate <= bound, "\(what) '\(v)': \(estimate) vs \(f) (bound \(bound))")
        }
        for v in top.counters.keys { #expect(exact[v] != nil, "\(what) invented '\(v)'") }
        if exact.count <= top.capacity { #expect(top.counters == exact, "\(what) exact below k") }
    }

    @Test func windowsAgreeWithExactRecomputation() throws {
        let t = try TempStore(Self.yaml)
        let events = Self.events(30_000, days: 12, seed: 8)
        try Self.ingest(t, events, files: 4)
        var rng = SeededRandom(seed: 81)
        var windows: [ClosedRange<Int64>?] = [nil]
        for _ in 0..<6 {
            let a = Self.day0 + Int64.random(in: -Self.day...(13 * Self.day), using: &rng)
            windows.append(a...(a + Int64.random(in: 0...(5 * Self.day), using: &rng)))
        }
        for w in windows {
            let s = try t.store.featureStatistics(table: "t", window: w)
            // The whole days of the window.
            let lo = w.map { Int64(StatisticsKey.day($0.lowerBound)) * Self.day } ?? Int64.min
            let hi = w.map { Int64(StatisticsKey.day($0.upperBound)) * Self.day + Self.day - 1 } ?? Int64.max
            if w != nil { #expect(s.window == lo...hi) }
            let inside = events.filter { $0.time >= lo && $0.time <= hi }
            #expect(s.events == UInt64(inside.count))
            #expect(s.features.map(\.name) == ["x", "n", "f", "c", "b", "score"])
            let what = w.map { "\(Timestamp.format($0.lowerBound))..\(Timestamp.format($0.upperBound))" } ?? "all"
            expectNumbers(s.features[0], inside.map(\.x), "\(what) x")
            expectNumbers(s.features[1], inside.map { $0.n.map { Double($0) } }, "\(what) n")
            expectNumbers(s.features[2], inside.map { $0.f.map { Double($0) } }, "\(what) f")
            expectCategories(s.features[3], inside.map(\.c), "\(what) c")
            expectCategories(s.features[4], inside.map { $0.b.map { "\($0)" } }, "\(what) b")
            expectNumbers(s.features[5], inside.map(\.score), "\(what) score")
        }
    }

    @Test func batchingAndMergeOrderDoNotChangeTheSketches() throws {
        let events = Self.events(6_000, days: 5, seed: 3)
        let one = try TempStore(Self.yaml), many = try TempStore(Self.yaml)
        try Self.ingest(one, events, files: 1)
        try Self.ingest(many, Array(events.reversed()), files: 7)
        let a = try one.store.featureStatistics(table: "t"), b = try many.store.featureStatistics(table: "t")
        #expect(a.events == b.events && a.days == b.days && a.days.count == 5)
        for (x, y) in zip(a.features, b.features) {
            #expect(x.summary.count == y.summary.count && x.summary.nulls == y.summary.nulls && x.summary.nonFinite == y.summary.nonFinite)
            #expect(x.summary.sketch == y.summary.sketch, "\(x.name): bucket counts are exact under any merge order")
            #expect(x.summary.moments.min == y.summary.moments.min && x.summary.moments.max == y.summary.moments.max)
            if let v = x.summary.moments.sampleVariance {
                #expect(abs(v - y.summary.moments.sampleVariance!) <= 1e-9 * v)
                #expect(abs(x.summary.moments.mean - y.summary.moments.mean) <= 1e-12 * max(1, abs(x.summary.moments.mean)))
            }
            if x.name == "b" { #expect(x.summary.top == y.summary.top) }
        }
    }

    @Test func sketchMergeIsAssociative() {
        var rng = SeededRandom(seed: 5)
        var parts = [QuantileSketch(), QuantileSketch(), QuantileSketch()]
        var moments = [Moments(), Moments(), Moments()]
        var tops = [TopValues(capacity: 16), TopValues(capacity: 16), TopValues(capacity: 16)]
        var all = QuantileSketch()
        for _ in 0..<20_000 {
            let x = (rng.chance(0.5) ? -1 : 1) * exp(Double.random(in: -30...30, using: &rng))
            let k = Int.random(in: 0..<3, using: &rng)
            parts[k].add(x); all.add(x); moments[k].add(x)
            tops[k].add("v\(Int.random(in: 0..<12, using: &rng))")
        }
        var left = parts[0]; left.merge(parts[1]); left.merge(parts[2])
        var right = parts[1]; right.merge(parts[2]); var r2 = parts[0]; r2.merge(right)
        #expect(left == r2 && left == all)
        var ml = moments[0]; ml.merge(moments[1]); ml.merge(moments[2])
        var mr = moments[1]; mr.merge(moments[2]); var mr2 = moments[0]; mr2.merge(mr)
        #expect(ml.count == mr2.count && ml.min == mr2.min && ml.max == mr2.max)
        #expect(abs(ml.m2 - mr2.m2) <= 1e-12 * ml.m2 && abs(ml.mean - mr2.mean) <= 1e-12 * max(1, abs(ml.mean)))
        // 12 distinct values ≤ k: Misra–Gries is exact, so any order gives the same counters.
        var tl = tops[0]; tl.merge(tops[1]); tl.merge(tops[2])
        var tr = tops[1]; tr.merge(tops[2]); var tr2 = tops[0]; tr2.merge(tr)
        #expect(tl == tr2 && tl.keptTotal == 20_000)
    }

    @Test func foldedSketchMergesAssociatively() {
        // Magnitudes over a range wider than maxBuckets: the lowest buckets fold.
        var rng = SeededRandom(seed: 9)
        var parts = [QuantileSketch(), QuantileSketch(), QuantileSketch()]
        var all = QuantileSketch()
        for _ in 0..<5_000 {
            let x = exp(Double.random(in: -300...300, using: &rng))
            let k = Int.random(in: 0..<3, using: &rng)
            parts[k].add(x); all.add(x)
        }
        var a = parts[2]; a.merge(parts[0]); a.merge(parts[1])
        var b = parts[0]; b.merge(parts[1]); b.merge(parts[2])
        #expect(a == b && a == all && a.positive.counts.count == QuantileSketch.maxBuckets)
    }

    @Test func windowBoundariesAreWholeUTCDays() throws {
        let t = try TempStore(Self.yaml)
        let rows = ["1,2025-11-14T23:59:59.999999Z,1", "1,2025-11-15T00:00:00Z,2", "1,2025-11-15T23:59:59.999999Z,3",
                    "1,2025-11-16T00:00:00Z,4", "1,1969-12-31T23:00:00Z,5"]
        _ = try t.ingest("t", "w.csv", "user_id,event_timestamp,x\n" + rows.joined(separator: "\n") + "\n")
        let noon = Timestamp.parse("2025-11-15T12:00:00Z")!
        let s = try t.store.featureStatistics(table: "t", window: noon...(noon + 3_600_000_000), features: ["x"])
        #expect(s.window == Timestamp.parse("2025-11-15T00:00:00Z")!...Timestamp.parse("2025-11-15T23:59:59.999999Z")!)
        #expect(s.events == 2 && s.features[0].summary.moments.min == 2 && s.features[0].summary.moments.max == 3)
        #expect(s.days == [Timestamp.parse("2025-11-15T00:00:00Z")!])
        let end = Timestamp.parse("2025-11-16T00:00:00Z")!
        #expect(try t.store.featureStatistics(table: "t", window: end...end, features: ["x"]).features[0].summary.moments.mean == 4)
        let before1970 = try t.store.featureStatistics(table: "t", window: Timestamp.parse("1969-12-31")!...Timestamp.parse("1969-12-31T23:59:59Z")!)
        #expect(before1970.events == 1 && before1970.days == [-Self.day])
        #expect(try t.store.featureStatistics(table: "t").events == 5)
        #expect(try t.store.featureStatistics(table: "t", window: 0...0).events == 0)
    }

    @Test func olderVersionsCountAsNullsForNewFeatures() throws {
        let t = try TempStore(Self.yaml)
        _ = try t.ingest("t", "v1.csv", "user_id,event_timestamp,x\n1,2025-11-01T01:00:00Z,1\n2,2025-11-01T02:00:00Z,\n")
        try t.store.apply(DefinitionsParser.parse(yaml: Self.yaml.replacingOccurrences(
            of: "      - {name: score", with: "      - {name: extra, type: int32}\n      - {name: score"), file: "v2.yaml"))
        _ = try t.ingest("t", "v2.csv", "user_id,event_timestamp,x,extra\n1,2025-11-01T03:00:00Z,5,7\n")
        let s = try t.store.featureStatistics(table: "t", features: ["extra", "x"])
        #expect(s.features.map(\.name) == ["extra", "x"] && s.events == 3)
        #expect(s.features[0].summary.count == 1 && s.features[0].summary.nulls == 2)
        #expect(s.features[1].summary.count == 2 && s.features[1].summary.nulls == 1 && s.features[1].summary.moments.mean == 3)
        #expect(s.features[0].nullFraction == 2.0 / 3.0)
    }

    /// Every record of the statistics database, raw.
    func dump(_ t: TempStore) throws -> [[UInt8]] {
        try t.store.environment.read { txn in
            var out: [[UInt8]] = []
            try txn.withCursor(t.store.db.statistics!) { c in
                var more = try c.first()
                while more { out.append(Array(c.key) + [0xEE] + Array(c.value)); more = try c.next() }
            }
            return out
        }
    }

    @Test func abortedIngestLeavesStatisticsByteIdentical() throws {
        let t = try TempStore(Self.yaml)
        try Self.ingest(t, Self.events(500, days: 3, seed: 1), files: 1)
        let before = try dump(t)
        #expect(!before.isEmpty)
        // The first file's statistics are merged in the transaction, then the second file fails.
        let good = try t.input("good.csv", Self.header + Self.events(300, days: 3, seed: 2).map(\.csv).joined(separator: "\n") + "\n")
        let bad = try t.input("bad.csv", Self.header + "1,2025-11-01T00:00:00Z,1,,,,,101\n")
        #expect(throws: FeatureStoreError.self) { try t.store.ingest(table: "t", files: [good, bad]) }
        #expect(try dump(t) == before)
        // A refused duplicate too.
        #expect(throws: FeatureStoreError.self) { try Self.ingest(t, Self.events(500, days: 3, seed: 1), files: 1) }
        #expect(try dump(t) == before)
    }

    @Test func skippedRowsAreNotCountedButTheirChecksAre() throws {
        let t = try TempStore(Self.yaml)
        let path = try t.input("skip.csv", Self.header + """
            1,2025-11-01T01:00:00Z,1,,,,,50
            2,2025-11-01T02:00:00Z,2,,,,,101
            3,2025-11-02T02:00:00Z,3,,,,,-1
            4,2025-11-02T03:00:00Z,4,,,,,-5
            5,2025-11-02T04:00:00Z,abc,,,,,5
            6,2025-11-03T04:00:00Z,6,,,,,NaN

            """)
        var options = IngestOptions()
        options.onInvalid = .skip
        options.rejectsPath = t.dir + "/rejects.jsonl"
        let r = try t.store.ingest(table: "t", files: [path], options: options)
        #expect(r.rows == 1 && r.rejected == 5)
        let s = try t.store.featureStatistics(table: "t", features: ["x", "score"])
        #expect(s.events == 1 && s.features[0].summary.count == 1 && s.features[1].summary.moments.mean == 50)
        let day1 = Timestamp.parse("2025-11-01")!, day3 = Timestamp.parse("2025-11-03T10:00:00Z")!
        let v = try t.store.validate(table: "t", window: day1...day3)
        let counts = Dictionary(uniqueKeysWithValues: v.checks.map { ("\($0.feature) \($0.check.rawValue)", $0.rejected) })
        // The unparsable "abc" is a reader reject, not an expect failure.
        #expect(counts == ["score min": 2, "score max": 1, "score nan": 1])
        #expect(v.hasViolations && v.events == 1 && v.checks.allSatisfy { $0.stored == 0 })
        let day2 = Timestamp.parse("2025-11-02T05:00:00Z")!
        let only2 = try t.store.validate(table: "t", window: day2...day2)
        #expect(only2.checks.map(\.rejected) == [2, 0, 0] && only2.events == 0)
    }

    @Test func validateReevaluatesChecksAddedLater() throws {
        let t = try TempStore(Self.yaml)
        _ = try t.ingest("t", "a.csv", "user_id,event_timestamp,x,c\n1,2025-11-01T01:00:00Z,5,a\n2,2025-11-01T02:00:00Z,,b\n3,2025-11-01T03:00:00Z,-2,a\n")
        try t.store.apply(DefinitionsParser.parse(yaml: Self.yaml
            .replacingOccurrences(of: "{name: x, type: float64}", with: "{name: x, type: float64, expect: {not_null: true, min: 0}}")
            .replacingOccurrences(of: "{name: c, type: string}", with: "{name: c, type: string, expect: {in: [a]}}"), file: "v2.yaml"))
        let w = Timestamp.parse("2025-11-01")!...Timestamp.parse("2025-11-01")!
        let v = try t.store.validate(table: "t", window: w)
        let stored = Dictionary(uniqueKeysWithValues: v.checks.map { ("\($0.feature) \($0.check.rawValue)", $0.stored) })
        #expect(stored == ["x not_null": 1, "x min": 1, "x nan": 0, "c in": 1, "score min": 0, "score max": 0, "score nan": 0])
        #expect(v.events == 3 && v.hasViolations)
        let empty = try t.store.validate(table: "t", window: Timestamp.parse("2025-11-02")!...Timestamp.parse("2025-11-02")!)
        #expect(!empty.hasViolations && empty.events == 0)
    }

    @Test func pushesCountOnlyWhenTheyReachTheLog() throws {
        let t = try TempStore(Self.yaml)
        let batch = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("x", .float64)],
                                columns: [Column(type: .int64, storage: .int64([1, 2]), validity: [true, true]),
                                          Column(type: .timestamp, storage: .int64([Self.day0, Self.day0 + 1]), validity: [true, true]),
                                          Column(type: .float64, storage: .float64([2, 4]), validity: [true, true])],
                                sourceLines: [1, 2])
        try t.store.push(table: "t", rows: batch, destination: .online)
        #expect(try t.store.featureStatistics(table: "t").events == 0)
        try t.store.push(table: "t", rows: batch, destination: .both)
        let s = try t.store.featureStatistics(table: "t", features: ["x", "c"])
        #expect(s.events == 2 && s.features[0].summary.moments.mean == 3 && s.features[1].summary.nulls == 2)
    }

    @Test func unknownTableAndFeatureAreNamed() throws {
        let t = try TempStore(Self.yaml)
        #expect(edgeMessage { _ = try t.store.featureStatistics(table: "tt") } == "no feature table 'tt' (did you mean 't'?)")
        #expect(edgeMessage { _ = try t.store.featureStatistics(table: "t", features: ["scor"]) }
                == "table 't' has no feature 'scor' (did you mean 'score'?)")
        #expect(edgeMessage { _ = try t.store.validate(table: "tt", window: 0...1) } == "no feature table 'tt' (did you mean 't'?)")
    }

    @Test func deletingATableDeletesItsStatistics() throws {
        let t = try TempStore(Self.yaml)
        try Self.ingest(t, Self.events(50, days: 2, seed: 4), files: 1)
        #expect(try !dump(t).isEmpty)
        try t.store.delete(CatalogObjectKey(.table, "t"))
        #expect(try dump(t).isEmpty)
    }

    @Test func recordsRoundTripAndCorruptionIsNamed() throws {
        var s = FeatureSummary(kind: .numeric)
        for x in [-3.5, 0, 1e-300, 7, .infinity, 1e300] { s.add(x) }
        s.addNull(2)
        let bytes = s.encoded()
        #expect(try bytes.withUnsafeBytes { try FeatureSummary(decoding: $0, what: "k") } == s)
        var c = FeatureSummary(kind: .categorical)
        c.count = 3; c.top!.add("é", count: 2); c.top!.add("", count: 1)
        #expect(try c.encoded().withUnsafeBytes { try FeatureSummary(decoding: $0, what: "k") } == c)
        for cut in [0, 1, 10, bytes.count - 1] {
            #expect(throws: FeatureStoreError.self) { try Array(bytes[0..<cut]).withUnsafeBytes { try FeatureSummary(decoding: $0, what: "k") } }
        }
        #expect(edgeMessage { _ = try [UInt8]([9, 1]).withUnsafeBytes { try FeatureSummary(decoding: $0, what: "of 't' day 3") } }
                == "feature statistics of 't' day 3: unknown value encoding (expected version 1)")
    }

    @Test func aStoreWithoutTheStatisticsDatabaseStillOpens() throws {
        // A store as written before statistics existed: the original databases only.
        let dir = NSTemporaryDirectory() + "fs-test-old-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let env = try Environment(path: dir, options: Environment.Options())
            let meta = try env.openDatabase("meta", create: true)
            for name in ["catalog", "events", "online", "batches", "sources", "watermarks", "training_sets"] {
                _ = try env.openDatabase(name, create: true)
            }
            try env.write { txn in try txn.put(Array("format".utf8), [0, 0, 0, 1], in: meta) }
        }
        do {
            var readOnly = Environment.Options()
            readOnly.readOnly = true
            let old = try Store.open(at: dir, options: readOnly)
            #expect(old.db.statistics == nil)
            #expect(try old.statistics().databases.allSatisfy { $0.name != "feature_stats" })
        }
        let store = try Store.open(at: dir)
        #expect(store.db.statistics != nil)
    }
}
