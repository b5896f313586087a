import Foundation
import Testing

/// `fsctl drift` records each subject's latest result; `fsctl serve`'s
/// `GET /metrics` exports them as Prometheus gauges, read at scrape time.
@Suite struct DriftGaugeTests {
    static func curl(_ url: String) throws -> String {
        try Curl.run(["--max-time", "20", url])
    }

    /// The value of the sample line `name{labels}` in `text`, or nil.
    static func sample(_ text: String, _ series: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.dropFirst(series.count + 1))
    }

    @Test func serverExportsTheLatestDriftResults() throws {
        let box = try DriftTests.store()
        let before = Date().timeIntervalSince1970
        let drifted = try box.run("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day17, "--json")
        #expect(drifted.code == 3, "\(drifted)")
        let after = Date().timeIntervalSince1970
        // A dry run records nothing: the gauges still show the drifted day.
        let dry = try box.run("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day16, "--no-record")
        #expect(dry.code == 0, "\(dry)")

        let server = try ServerProcess(box, ["--http-port", "0"])
        defer { _ = server.terminate() }
        let port = try #require(server.httpPort)
        let metrics = try Self.curl("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.contains("# TYPE fs_drift_statistic gauge\n"), "\(metrics)")
        #expect(metrics.contains("fs_connections"), "the server's own metrics are still there")
        let features = try DriftTests.features(drifted)
        #expect(features.count == 6)
        for (name, f) in features {
            let labels = "{kind=\"table\",subject=\"user_stats\",feature=\"\(name)\",method=\"\(f["method"] as! String)\"}"
            let statistic = try #require(Self.sample(metrics, "fs_drift_statistic" + labels), "\(name) in \(metrics)")
            let expected = try #require(f["statistic"] as? Double)
            #expect(abs(statistic - expected) <= 1e-12 * max(1, abs(expected)), "\(name): \(statistic) vs \(expected)")
            #expect(Self.sample(metrics, "fs_drift_threshold" + labels) == f["threshold"] as? Double)
            #expect(Self.sample(metrics, "fs_drift_detected" + labels) == ((f["drifted"] as? Bool) == true ? 1 : 0))
        }
        #expect(Self.sample(metrics, "fs_dataset_drift{kind=\"table\",subject=\"user_stats\"}") == 1)
        let checked = try #require(Self.sample(metrics, "fs_drift_checked_timestamp_seconds{kind=\"table\",subject=\"user_stats\"}"))
        #expect(checked >= before - 1 && checked <= after + 1, "\(checked) not in [\(before), \(after)]")

        // A new check while the server runs replaces the result; the next scrape sees it.
        try box.ok("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day16)
        let again = try Self.curl("http://127.0.0.1:\(port)/metrics")
        #expect(Self.sample(again, "fs_dataset_drift{kind=\"table\",subject=\"user_stats\"}") == 0, "\(again)")
        #expect(Self.sample(again, "fs_drift_detected{kind=\"table\",subject=\"user_stats\",feature=\"age\",method=\"ks\"}") == 0)
        #expect(again.components(separatedBy: "fs_dataset_drift{").count == 2, "one series per subject")
    }

    @Test func aStoreWithoutDriftResultsExportsNoDriftGauges() throws {
        let box = try Sandbox.withExample()
        let server = try ServerProcess(box, ["--http-port", "0"])
        defer { _ = server.terminate() }
        let metrics = try Self.curl("http://127.0.0.1:\(try #require(server.httpPort))/metrics")
        #expect(metrics.contains("fs_connections"), "\(metrics)")
        #expect(!metrics.contains("fs_drift"), "\(metrics)")
    }
}
