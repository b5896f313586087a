import Foundation
import Testing

/// `fsctl stats TABLE` (statistics kept at ingest) and `fsctl validate`.
@Suite struct FeatureStatsTests {
    /// Examples.csv on 2025-11-15 plus two events on 2025-11-16.
    func box() throws -> Sandbox {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.write("day2.csv", """
            user_id,event_timestamp,age,country,credit_score
            1,2025-11-16T01:00:00Z,50,FR,800
            4,2025-11-16T23:59:59.999999Z,20,FR,810

            """)
        try box.ok("ingest", "user_stats", "events.csv")
        try box.ok("ingest", "user_stats", "day2.csv")
        return box
    }

    func features(_ json: Any) throws -> [String: [String: Any]] {
        let list = try #require((json as? [String: Any])?["features"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["feature"] as! String, $0) })
    }

    @Test func statsOfATableOverAWindow() throws {
        let box = try box()
        let json = try #require(try box.run("stats", "user_stats", "--window", "2025-11-15T10:00..2025-11-15T11:00", "--json").json() as? [String: Any])
        #expect(json["window"] as? [String] == ["2025-11-15T00:00:00Z", "2025-11-15T23:59:59.999999Z"])
        #expect(json["events"] as? Int == 3 && json["days"] as? [String] == ["2025-11-15"])
        let f = try features(json)
        #expect(f.keys.sorted() == ["age", "country", "credit_score", "embedding", "is_premium", "num_purchases", "region"])
        let age = try #require(f["age"])
        #expect(age["count"] as? Int == 2 && age["nulls"] as? Int == 1 && age["min"] as? Double == 31.5 && age["max"] as? Double == 45)
        #expect(age["mean"] as? Double == 38.25 && age["variance"] as? Double == 91.125 && age["quantile_relative_error"] as? Double == 0.01)
        #expect(abs((age["p50"] as? Double ?? 0) - 31.5) <= 0.315 && abs((age["p99"] as? Double ?? 0) - 31.5) <= 0.315)
        #expect(abs((age["null_fraction"] as? Double ?? 0) - 1.0 / 3) < 1e-15 && age["top_values"] == nil)
        let country = try #require(f["country"])
        #expect((country["top_values"] as? [[String: Any]])?.map { $0["value"] as! String } == ["DE", "FR", "US"])
        #expect(country["top_values_error_bound"] as? Int == 0 && country["min"] == nil)
        let premium = try #require(f["is_premium"]?["top_values"] as? [[String: Any]])
        #expect(premium.map { "\($0["value"]!) \($0["count"]!)" } == ["false 1", "true 1"])
        #expect(f["embedding"]?["count"] as? Int == 0 && f["embedding"]?["nulls"] as? Int == 3)
        // Without a window: both days.
        let all = try #require(try box.run("stats", "user_stats", "--feature", "age,country", "--json").json() as? [String: Any])
        #expect(all["window"] == nil && all["events"] as? Int == 5 && all["days"] as? [String] == ["2025-11-15", "2025-11-16"])
        let g = try features(all)
        #expect(g.keys.sorted() == ["age", "country"] && g["age"]?["max"] as? Double == 50 && g["age"]?["min"] as? Double == 20)
        #expect((g["country"]?["top_values"] as? [[String: Any]])?.first?["value"] as? String == "FR")
    }

    @Test func statsTextTable() throws {
        let box = try box()
        let text = try box.ok("stats", "user_stats", "--window", "2025-11-16..2025-11-16", "--feature", "age", "--feature", "country")
        #expect(text == """
            table user_stats: 2 events on 1 day (2025-11-16T00:00:00Z..2025-11-16T23:59:59.999999Z)
            FEATURE  TYPE     COUNT  NULLS  NULL %  MIN  MAX  MEAN  STD      P50  P90  P99  TOP VALUES
            age      float64  2      0      0.0     20   50   35    21.2132  20   20   20   -
            country  string   2      0      0.0     -    -    -     -        -    -    -    FR 2
            quantiles within 1% of the exact value (DDSketch); top values may undercount by the ± shown
            """ + "\n", "\(text)")
        // Plain `fsctl stats` is unchanged and lists the new database.
        #expect(try box.ok("stats").contains("\nfeature_stats  "))
    }

    @Test func statsErrors() throws {
        let box = try box()
        try box.fails("stats", "user_stat", error: "no feature table 'user_stat' (did you mean 'user_stats'?)")
        try box.fails("stats", "user_stats", "--feature", "agee", error: "table 'user_stats' has no feature 'agee' (did you mean 'age'?)")
        try box.fails("stats", "user_stats", "--window", "2025-11-15", code: 2,
                      error: "--window: expected START..END (ISO-8601 timestamps), got \"2025-11-15\"")
        try box.fails("stats", "user_stats", "--window", "2025-11-16..2025-11-15", code: 2,
                      error: "--window: START 2025-11-16 is after END 2025-11-15")
        try box.fails("stats", "user_stats", "--window", "yesterday..2025-11-15", code: 2,
                      error: "--window START: cannot parse \"yesterday\" as an ISO-8601 timestamp")
        let r = try box.run("stats", "--window", "2025-11-15..2025-11-16")
        #expect(r.code == 2 && r.stderr.hasPrefix("error: --window and --feature need a TABLE\n"), "\(r)")
    }

    @Test func statsOfAnEmptyWindow() throws {
        let box = try box()
        #expect(try box.ok("stats", "user_stats", "--window", "2024-01-01..2024-01-02", "--feature", "age") == """
            table user_stats: 0 events on 0 days (2024-01-01T00:00:00Z..2024-01-02T23:59:59.999999Z)
            FEATURE  TYPE     COUNT  NULLS  NULL %  MIN  MAX  MEAN  STD  P50  P90  P99  TOP VALUES
            age      float64  0      0      -       -    -    -     -    -    -    -    -
            quantiles within 1% of the exact value (DDSketch); top values may undercount by the ± shown
            """ + "\n")
    }

    @Test func validateCountsRejectsPerCheckAndWindow() throws {
        let box = try Sandbox.withExample()
        try box.write("bad.csv", """
            user_id,event_timestamp,age,credit_score,region
            1,2025-11-15T01:00:00Z,30,200,1
            2,2025-11-15T02:00:00Z,31,900,2
            3,2025-11-15T03:00:00Z,32,100,7
            4,2025-11-16T03:00:00Z,33,500,9
            5,2025-11-17T03:00:00Z,34,500,1

            """)
        try box.ok("ingest", "user_stats", "bad.csv", "--on-invalid", "skip", "--rejects", "rejects.jsonl")
        let r = try box.run("validate", "user_stats", "--window", "2025-11-15..2025-11-16", "--json")
        #expect(r.code == 3, "\(r)")
        let json = try #require(try r.json() as? [String: Any])
        #expect(json["window"] as? [String] == ["2025-11-15T00:00:00Z", "2025-11-16T23:59:59.999999Z"])
        #expect(json["events"] as? Int == 0 && json["violations"] as? Int == 4 && json["passed"] as? Bool == false)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { "\($0["feature"]!) \($0["check"]!) \($0["expectation"]!) \($0["rejected"]!) \($0["stored"]!) \($0["declared"] as! Bool)" } == [
            "credit_score min min 300 2 0 true", "credit_score max max 850 1 0 true",
            "credit_score nan no NaN (min/max/in) 0 0 true", "region in in [1, 2, 3, 4] 1 0 true",
        ])
        // The text form, and a window without violations exits 0.
        let text = try box.run("validate", "user_stats", "--window", "2025-11-16..2025-11-16")
        #expect(text.code == 3 && text.stdout == """
            table user_stats: 0 stored events in 2025-11-16T00:00:00Z..2025-11-16T23:59:59.999999Z
            FEATURE       CHECK                REJECTED  STORED  RESULT
            credit_score  min 300              0         0       ok
            credit_score  max 850              0         0       ok
            credit_score  no NaN (min/max/in)  0         0       ok
            region        in [1, 2, 3, 4]      1         0       FAIL
            1 of 4 checks had violations

            """, "\(text)")
        let clean = try box.run("validate", "user_stats", "--window", "2025-11-17..2025-11-17")
        #expect(clean.code == 0 && clean.stdout.hasSuffix("all 4 checks passed\n") && clean.stdout.hasPrefix("table user_stats: 1 stored event in "), "\(clean)")
    }

    @Test func validateReevaluatesStoredEventsAgainstNewChecks() throws {
        let box = try box()
        #expect(try box.run("validate", "user_stats", "--window", "2025-11-15..2025-11-16").code == 0)
        try box.write("v2.yaml", Examples.definitions.replacingOccurrences(
            of: "{name: age, type: float64}", with: "{name: age, type: float64, expect: {not_null: true, max: 45}}"))
        try box.ok("apply", "v2.yaml")
        let r = try box.run("validate", "user_stats", "--window", "2025-11-15..2025-11-16", "--json")
        #expect(r.code == 3, "\(r)")
        let checks = try #require((try r.json() as? [String: Any])?["checks"] as? [[String: Any]])
        #expect(checks.prefix(3).map { "\($0["check"]!) \($0["stored"]!)" } == ["not_null 1", "max 1", "nan 0"])
    }

    @Test func validateUsageAndUnknownTable() throws {
        let box = try box()
        try box.fails("validate", "user_stat", "--window", "2025-11-15..2025-11-16",
                      error: "no feature table 'user_stat' (did you mean 'user_stats'?)")
        try box.fails("validate", "user_stats", "--window", "2025-11-15", code: 2,
                      error: "--window: expected START..END (ISO-8601 timestamps), got \"2025-11-15\"")
        let missing = try box.run("validate", "user_stats")
        #expect(missing.code == 2 && missing.stderr.hasPrefix("error: Missing expected argument '--window <START..END>'"), "\(missing)")
    }
}
