import Foundation
import Testing

/// `fsctl drift --model NAME`: drift of a model's prediction log
/// (`predictions__NAME`, written by `fsctl score --log`), with the version
/// filter and the errors that say what to do.
@Suite struct ModelDriftTests {
    /// ISO-8601 with microseconds (the windows' bounds).
    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// Online features for users 1…n: ages spread over 20–60 (or 45–85 when
    /// `shifted`), purchases 0–9, written one second apart so the later events win.
    static func ingest(_ box: Sandbox, users n: Int, shifted: Bool, name: String) throws {
        var rng = DriftTests.Seeded(state: shifted ? 7 : 3)
        let at = ScoreTests.recent(shifted ? 60 : 120)
        var csv = "user_id,event_timestamp,age,num_purchases\n"
        for u in 1...n {
            let age = (shifted ? 45.0 : 20.0) + 40 * rng.next()
            csv += "\(u),\(at),\((age * 10).rounded() / 10),\(Int(rng.next() * 10))\n"
        }
        try box.write(name, csv)
        try box.ok("ingest", "user_stats", name, "--to", "both", "--quiet")
    }

    /// churn/1 scored with --log twice: 200 users before `boundary`, the same
    /// users with shifted ages after it. Returns the box and the three times.
    static func loggedTwice() throws -> (box: Sandbox, start: String, boundary: String, end: String) {
        let box = try Sandbox.withExample()
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.xgb, "--format", "xgboost-json",
                    "--metric", "auc=0.9"] + ModelsTests.features)
        try box.write("users.csv", "user_id\n" + (1...200).map(String.init).joined(separator: "\n") + "\n")
        let start = iso(Date().addingTimeInterval(-1))
        try ingest(box, users: 200, shifted: false, name: "day1.csv")
        try box.ok("score", "--model", "churn", "--entities", "users.csv", "--out", "day1-scores.csv", "--log")
        Thread.sleep(forTimeInterval: 0.05)
        let boundary = iso(Date())
        Thread.sleep(forTimeInterval: 0.05)
        try ingest(box, users: 200, shifted: true, name: "day2.csv")
        try box.ok("score", "--model", "churn", "--entities", "users.csv", "--out", "day2-scores.csv", "--log")
        let end = iso(Date().addingTimeInterval(1))
        return (box, start, boundary, end)
    }

    @Test func shiftedPredictionsAreDatasetDriftWithExitCode3() throws {
        let (box, start, boundary, end) = try Self.loggedTwice()
        let r = try box.run("drift", "--model", "churn", "--reference", "\(start)..\(boundary)",
                            "--current", "\(boundary)..\(end)", "--json")
        #expect(r.code == 3, "\(r)")
        let doc = try #require(try r.json() as? [String: Any])
        #expect(doc["model"] as? String == "churn")
        #expect(doc["table"] as? String == "predictions__churn")
        #expect(doc["version"] == nil)
        #expect(doc["reference_events"] as? Int == 200)
        #expect(doc["current_events"] as? Int == 200)
        #expect(doc["dataset_drift"] as? Bool == true)
        let f = try DriftTests.features(r)
        // The prediction column only: model_version is the filter, not a feature.
        #expect(Array(f.keys) == ["prediction"])
        let p = try #require(f["prediction"])
        #expect(p["method"] as? String == "ks")
        #expect(p["drifted"] as? Bool == true)
        #expect((p["statistic"] as? Double).map { $0 <= 0.05 } == true, "\(p)")
        #expect(p["reference_count"] as? Int == 200)

        // The same day against itself: no drift, exit 0; the text report names the model.
        let same = try box.run("drift", "--model", "churn", "--reference", "\(start)..\(boundary)",
                               "--current", "\(start)..\(boundary)")
        #expect(same.code == 0, "\(same)")
        #expect(same.stdout.hasPrefix("model churn (predictions__churn): reference 200 events, current 200 events\n"), "\(same.stdout)")
        #expect(same.stdout.contains("0 of 1 features drifted: no dataset drift"))

        // --version 1 keeps every prediction here (all were churn/1); methods and thresholds override as for tables.
        let v = try box.run("drift", "--model", "churn", "--version", "1", "--reference", "\(start)..\(boundary)",
                            "--current", "\(boundary)..\(end)", "--json", "--feature-method", "prediction=psi",
                            "--feature-threshold", "prediction=0.2")
        #expect(v.code == 3 || v.code == 0, "\(v)")
        let vdoc = try #require(try v.json() as? [String: Any])
        #expect(vdoc["version"] as? Int == 1)
        let vp = try #require(try DriftTests.features(v)["prediction"])
        #expect(vp["method"] as? String == "psi")
        #expect(vp["threshold"] as? Double == 0.2)
        #expect(vp["reference_count"] as? Int == 200)

        // Both results are recorded (the model, and the model at version 1) and exported by the server.
        let server = try ServerProcess(box, ["--http-port", "0"])
        defer { _ = server.terminate() }
        let metrics = try DriftGaugeTests.curl("http://127.0.0.1:\(try #require(server.httpPort))/metrics")
        #expect(DriftGaugeTests.sample(metrics, "fs_dataset_drift{kind=\"model\",subject=\"churn\"}") == 0, "\(metrics)")
        let psi = try #require(DriftGaugeTests.sample(
            metrics, "fs_drift_statistic{kind=\"model\",subject=\"churn/1\",feature=\"prediction\",method=\"psi\"}"), "\(metrics)")
        #expect(abs(psi - (vp["statistic"] as? Double ?? .nan)) <= 1e-12, "\(psi) vs \(vp)")
    }

    @Test func versionFilterKeepsOnlyThatVersionsPredictions() throws {
        let (box, start, boundary, end) = try Self.loggedTwice()
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.lgb, "--format", "lightgbm-text",
                    "--metric", "auc=0.9"] + ModelsTests.features)
        // churn/2 scores only in the current window: version 2 has no reference predictions.
        let later = Self.iso(Date())
        try box.ok("score", "--model", "churn/2", "--entities", "users.csv", "--out", "v2.csv", "--log")
        let end2 = Self.iso(Date().addingTimeInterval(1))
        let all = try box.run("drift", "--model", "churn", "--reference", "\(start)..\(boundary)",
                              "--current", "\(boundary)..\(end2)", "--json")
        #expect(try all.json() as? [String: Any] != nil, "\(all)")
        #expect((try all.json() as? [String: Any])?["current_events"] as? Int == 400)
        let v1 = try box.run("drift", "--model", "churn", "--version", "1", "--reference", "\(start)..\(boundary)",
                             "--current", "\(boundary)..\(end2)", "--json")
        #expect((try v1.json() as? [String: Any])?["current_events"] as? Int == 200, "\(v1)")
        let none = try box.run("drift", "--model", "churn", "--version", "2", "--reference", "\(start)..\(boundary)",
                               "--current", "\(later)..\(end2)")
        #expect(none.code == 1)
        #expect(none.stderr.hasPrefix("error: model 'churn' version 2: no events with model_version = 2 in the reference window "), "\(none)")
        _ = end
    }

    @Test func errorsSayWhatIsMissing() throws {
        let box = try Sandbox.withExample()
        let day = "2025-11-15T00:00:00Z..2025-11-15T23:59:59Z"
        let unknown = try box.run("drift", "--model", "nope", "--reference", day, "--current", day)
        #expect(unknown.code == 1)
        #expect(unknown.stderr.hasPrefix("error: no model named 'nope'"), "\(unknown)")
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.xgb, "--format", "xgboost-json",
                    "--metric", "auc=0.9"] + ModelsTests.features)
        try box.fails("drift", "--model", "churn", "--reference", day, "--current", day,
                      error: "model 'churn' has no prediction log yet (table predictions__churn): log predictions with "
                        + "`fsctl score --model churn --entities FILE --out FILE --log` (or Scorer.score(entities:log: true) "
                        + "in Swift), then compare two windows of it")
        try box.write("users.csv", "user_id\n1\n2\n")
        try box.ok("score", "--model", "churn", "--entities", "users.csv", "--out", "s.csv", "--log")
        try box.fails("drift", "--model", "churn", "--reference", day, "--current", day,
                      error: "model 'churn': no events in the reference window 2025-11-15T00:00:00Z..2025-11-15T23:59:59Z")
        try box.fails("drift", "--model", "churn", "--version", "4", "--reference", day, "--current", day,
                      error: "model 'churn' has no version 4 (its versions: 1)")
        try box.fails("drift", "--model", "churn", "--features", "age", "--reference", day, "--current", day,
                      error: "model 'churn': its prediction log predictions__churn has no feature 'age' (it has prediction)")
        let both = try box.run("drift", "user_stats", "--model", "churn", "--reference", day, "--current", day)
        #expect(both.code == 2 && both.stderr.contains("a feature table and --model exclude each other"), "\(both)")
        let neither = try box.run("drift", "--reference", day, "--current", day)
        #expect(neither.code == 2 && neither.stderr.contains("give a feature table, or --model NAME"), "\(neither)")
        let version = try box.run("drift", "user_stats", "--version", "1", "--reference", day, "--current", day)
        #expect(version.code == 2 && version.stderr.contains("--version needs --model"), "\(version)")
    }
}
