import Foundation
import Testing

/// `fsctl drift`: windows read from the event log, Evidently's automatic
/// choice per feature, dataset drift as exit code 3, and the bad inputs.
@Suite struct DriftTests {
    /// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG).
    struct Seeded {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// 300 events a day on 2025-11-15 (reference), 2025-11-16 (same
    /// distributions) and 2025-11-17 (age, country, premium and credit shifted).
    static func store() throws -> Sandbox {
        let box = try Sandbox.withExample()
        var rng = Seeded(state: 42)
        var csv = "user_id,event_timestamp,age,num_purchases,country,is_premium,credit_score,region\n"
        let countries = ["FR", "DE", "US", "IT"]
        for day in 15...17 {
            let shifted = day == 17
            for i in 0..<300 {
                let hour = i % 24, minute = i / 24
                let ts = "2025-11-\(day)T\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):00Z"
                let age = (shifted ? 45 : 35) + 20 * (rng.next() - 0.5)
                let purchases = Int(rng.next() * 10)
                let c = rng.next()
                let country = shifted ? countries[c < 0.7 ? 2 : Int(c * 4) % 4] : countries[Int(c * 4) % 4]
                let premium = rng.next() < (shifted ? 0.6 : 0.3)
                let credit = Int((shifted ? 700 : 600) + 100 * rng.next())
                let region = 1 + Int(rng.next() * 4)
                csv += "\(day * 1000 + i),\(ts),\(age),\(purchases),\(country),\(premium),\(credit),\(region)\n"
            }
        }
        try box.write("events.csv", csv)
        try box.ok("ingest", "user_stats", "events.csv", "--quiet")
        return box
    }

    static let day15 = "2025-11-15T00:00:00Z..2025-11-15T23:59:59Z"
    static let day16 = "2025-11-16T00:00:00Z..2025-11-16T23:59:59Z"
    static let day17 = "2025-11-17T00:00:00Z..2025-11-17T23:59:59Z"

    static func features(_ r: Run) throws -> [String: [String: Any]] {
        let doc = try #require(try r.json() as? [String: Any])
        let list = try #require(doc["features"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["feature"] as! String, $0) })
    }

    @Test func sameDistributionsDoNotDrift() throws {
        let box = try Self.store()
        let r = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16, "--json")
        #expect(r.code == 0, "\(r)")
        let doc = try #require(try r.json() as? [String: Any])
        #expect(doc["dataset_drift"] as? Bool == false)
        #expect(doc["reference_events"] as? Int == 300)
        #expect(doc["current_events"] as? Int == 300)
        let f = try Self.features(r)
        // The vector feature is not comparable; every other one is, with Evidently's choice.
        #expect(Set(f.keys) == ["age", "num_purchases", "country", "is_premium", "credit_score", "region"])
        #expect(f["age"]?["method"] as? String == "ks")
        #expect(f["num_purchases"]?["method"] as? String == "ks")
        #expect(f["country"]?["method"] as? String == "chisquare")
        #expect(f["is_premium"]?["method"] as? String == "z")
        #expect(f["region"]?["method"] as? String == "chisquare")
        #expect(f["age"]?["threshold"] as? Double == 0.05)
        #expect(f["age"]?["drifted"] as? Bool == false)
    }

    @Test func shiftedDayIsDatasetDriftWithExitCode3() throws {
        let box = try Self.store()
        let r = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day17, "--json")
        #expect(r.code == 3, "\(r)")
        let f = try Self.features(r)
        for name in ["age", "country", "is_premium", "credit_score"] {
            #expect(f[name]?["drifted"] as? Bool == true, "\(name)")
        }
        let doc = try #require(try r.json() as? [String: Any])
        #expect(doc["dataset_drift"] as? Bool == true)
        #expect((doc["drifted_features"] as? Int ?? 0) >= 4)
        // The text table says so too, with the same exit code.
        let text = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day17)
        #expect(text.code == 3)
        #expect(text.stdout.contains("DATASET DRIFT"), "\(text)")
        #expect(text.stdout.contains("FEATURE"))
    }

    @Test func methodFeaturesAndThresholdOverrides() throws {
        let box = try Self.store()
        let r = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day17,
                            "--features", "age,country", "--method", "psi", "--json")
        #expect(r.code == 3, "\(r)")
        let f = try Self.features(r)
        #expect(Set(f.keys) == ["age", "country"])
        #expect(f["age"]?["method"] as? String == "psi")
        #expect(f["age"]?["threshold"] as? Double == 0.1)
        // A threshold no PSI reaches: nothing drifts, exit 0.
        let calm = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day17,
                               "--features", "age", "--method", "psi", "--threshold", "1000", "--json")
        #expect(calm.code == 0, "\(calm)")
        #expect(try Self.features(calm)["age"]?["threshold"] as? Double == 1000)
    }

    @Test func perFeatureOverrides() throws {
        let box = try Self.store()
        let r = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day17,
                            "--features", "age,country,region", "--feature-method", "age=wasserstein",
                            "--feature-threshold", "country=1e-200", "--json")
        let f = try Self.features(r)
        #expect(f["age"]?["method"] as? String == "wasserstein")
        #expect(f["age"]?["threshold"] as? Double == 0.1)
        #expect(f["country"]?["method"] as? String == "chisquare")
        #expect(f["country"]?["threshold"] as? Double == 1e-200)
        #expect(f["region"]?["method"] as? String == "chisquare")
        // age drifts; country's p-value is not below 1e-200; region does not drift: 1 of 3.
        #expect(f["age"]?["drifted"] as? Bool == true)
        #expect(r.code == 0, "\(r)")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                      "--features", "age", "--feature-threshold", "country=0.2",
                      error: "per-feature override for 'country', which is not among the compared features of 'user_stats' (age)")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                      "--feature-method", "age", code: 2, error: "--feature-method: expected FEATURE=VALUE, got \"age\"")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                      "--feature-threshold", "age=-1", code: 2,
                      error: "--feature-threshold: expected a non-negative number for 'age', got \"-1\"")
    }

    @Test func badInputIsRefusedClearly() throws {
        let box = try Self.store()
        let unknownTable = try box.run("drift", "user_stat", "--reference", Self.day15, "--current", Self.day16)
        #expect(unknownTable.code == 1)
        #expect(unknownTable.stderr.hasPrefix("error: no feature table 'user_stat'"), "\(unknownTable)")
        let unknownFeature = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                                         "--features", "agee")
        #expect(unknownFeature.code == 1)
        #expect(unknownFeature.stderr.hasPrefix("error: table 'user_stats' has no feature 'agee'"), "\(unknownFeature)")
        let vector = try box.run("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                                 "--features", "embedding")
        #expect(vector.code == 1)
        #expect(vector.stderr.contains("feature 'embedding' is"), "\(vector)")
        try box.fails("drift", "user_stats", "--reference", "2025-11-15T00:00:00Z", "--current", Self.day16, code: 2,
                      error: "--reference: expected START..END (ISO-8601 timestamps), got \"2025-11-15T00:00:00Z\"")
        try box.fails("drift", "user_stats", "--reference", "2025-11-16T00:00:00Z..2025-11-15T00:00:00Z",
                      "--current", Self.day16, code: 2,
                      error: "--reference: START 2025-11-16T00:00:00Z is after END 2025-11-15T00:00:00Z")
        try box.fails("drift", "user_stats", "--reference", "yesterday..today", "--current", Self.day16, code: 2,
                      error: "--reference START: cannot parse \"yesterday\" as an ISO-8601 timestamp")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16, "--method", "kl", code: 2,
                      error: "--method: unknown method \"kl\" (expected one of auto, ks, chisquare, z, wasserstein, jensenshannon, psi)")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", "2025-12-01T00:00:00Z..2025-12-02T00:00:00Z",
                      error: "table 'user_stats': no events in the current window 2025-12-01T00:00:00Z..2025-12-02T00:00:00Z")
        try box.fails("drift", "user_stats", "--reference", Self.day15, "--current", Self.day16,
                      "--features", "country", "--method", "ks",
                      error: "table 'user_stats': feature 'country': method 'ks' needs a numeric feature (use chisquare, z, jensenshannon or psi)")
    }
}

/// `fsctl drift --html FILE`: one self-contained page, a chart per feature.
@Suite struct DriftHTMLTests {
    @Test func reportIsSelfContainedWithAChartPerFeature() throws {
        let box = try DriftTests.store()
        let r = try box.run("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day17,
                            "--html", "report.html", "--features", "age,country,is_premium")
        #expect(r.code == 3, "\(r)")
        let page = try box.read("report.html")
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "<svg ").count - 1 == 3)
        for name in ["age", "country", "is_premium"] { #expect(page.contains("<h2>\(name)<"), "\(name)") }
        #expect(page.contains("3 of 3 features drifted: dataset drift"))
        // Nothing to fetch: no scripts, links, images or URLs.
        for banned in ["<script", "<link", "<img", "http:", "https:", "src="] {
            #expect(!page.contains(banned), "\(banned)")
        }
        // Both windows drawn: reference and current bars.
        #expect(page.contains("fill=\"#3b6fb6\"") && page.contains("fill=\"#e8833a\""))
    }

    @Test func unwritablePathIsAnErrorAndRecordsNothing() throws {
        let box = try DriftTests.store()
        try box.refuses([
            (["drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day16, "--html", "no/such/dir/report.html"], 1,
             "--html no/such/dir/report.html: cannot create it: directory 'no/such/dir': No such file or directory"),
        ])
    }
}

/// `fsctl drift --reference-training-set ID`: the values a training set
/// exported are the reference.
@Suite struct DriftTrainingSetTests {
    /// Exports the day-15 entities (as of the end of day 15) as a training set; returns its id.
    static func export(_ box: Sandbox, features: String) throws -> String {
        var entities = "user_id,event_timestamp\n"
        for i in 0..<300 { entities += "\(15_000 + i),2025-11-15T23:59:59Z\n" }
        try box.write("entities.csv", entities)
        let r = try box.run("export", "--entities", "entities.csv", "--features", features, "--out", "train.csv", "--json")
        #expect(r.code == 0, "\(r)")
        let doc = try #require(try r.json() as? [String: Any])
        return try #require(doc["id"] as? String)
    }

    @Test func trainingSetAsReference() throws {
        let box = try DriftTests.store()
        let id = try Self.export(box, features: "user_stats:age,user_stats:country,user_stats:is_premium")
        let same = try box.run("drift", "user_stats", "--reference-training-set", id, "--current", DriftTests.day16, "--json")
        #expect(same.code == 0, "\(same)")
        let f = try DriftTests.features(same)
        // Only the features the training set holds.
        #expect(Set(f.keys) == ["age", "country", "is_premium"])
        #expect(f["age"]?["reference_count"] as? Int == 300)
        let doc = try #require(try same.json() as? [String: Any])
        #expect(doc["reference"] as? [String] == ["training-set", id])
        let shifted = try box.run("drift", "user_stats", "--reference-training-set", id, "--current", DriftTests.day17, "--json")
        #expect(shifted.code == 3, "\(shifted)")
        // The training set holds exactly the day-15 values: the same statistics as the day-15 window.
        let window = try box.run("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day17,
                                 "--features", "age,country,is_premium", "--json")
        let a = try DriftTests.features(shifted), b = try DriftTests.features(window)
        for name in ["age", "country", "is_premium"] {
            #expect(a[name]?["statistic"] as? Double == b[name]?["statistic"] as? Double, "\(name)")
        }
    }

    @Test func badTrainingSetReferences() throws {
        let box = try DriftTests.store()
        let id = try Self.export(box, features: "user_stats:age")
        let missing = try box.run("drift", "user_stats", "--reference-training-set", "ts-nope", "--current", DriftTests.day16)
        #expect(missing.code == 1)
        #expect(missing.stderr.hasPrefix("error: no training set 'ts-nope'"), "\(missing)")
        try box.fails("drift", "user_stats", "--reference-training-set", id, "--current", DriftTests.day16,
                      "--features", "country",
                      error: "training set '\(id)' has no feature 'user_stats:country' (it exported user_stats@1:age)")
        try box.fails("drift", "user_stats", "--reference-training-set", id, "--reference", DriftTests.day15,
                      "--current", DriftTests.day16, code: 2,
                      error: "--reference and --reference-training-set exclude each other")
        try box.fails("drift", "user_stats", "--current", DriftTests.day16, code: 2,
                      error: "give the reference: --reference START..END or --reference-training-set ID")
    }
}
