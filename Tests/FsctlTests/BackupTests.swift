import Foundation
import Testing

/// `fsctl backup DIR`: a complete, independent, compacted copy of the store,
/// and every refusal with its exact message and nothing written.
@Suite struct BackupTests {
    /// A store with events, online rows and a registered model.
    static func populated() throws -> Sandbox {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.linear, "--format", "linear-json"]
                   + ModelsTests.features)
        return box
    }

    static let lookup = ["get", "--features", "user_stats:age,user_stats:country,user_stats:credit_score",
                         "--entity", "user_id=1", "--entity", "user_id=2", "--entity", "user_id=3",
                         "--at", "2025-11-15T12:00:00Z", "--json"]

    @Test func backupIsACompleteStore() throws {
        let box = try Self.populated()
        let copy = box.dir + "/backup"
        let text = try box.ok("backup", copy)
        #expect(text.hasPrefix("backup written to \(copy): "), "\(text)")
        #expect(text.contains(" (compacted from ") && text.hasSuffix(", leaf pages repacked)\n"), "\(text)")

        // The copy answers the same lookups, lists the same catalog, and holds the model's artifact.
        #expect(try box.ok(["--store", copy] + Self.lookup) == box.ok(Self.lookup))
        #expect(try box.ok("--store", copy, "list", "--json") == box.ok("list", "--json"))
        #expect(try box.ok("--store", copy, "models", "show", "churn/1", "--json")
                == box.ok("models", "show", "churn/1", "--json"))
        try box.ok("--store", copy, "models", "download", "churn/1", "--out", box.dir + "/model.json")
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.dir + "/model.json"))
                == Data(contentsOf: URL(fileURLWithPath: ModelsTests.linear)))
        #expect(try box.ok("--store", copy, "check").hasSuffix("store is healthy\n"))
        // No staging directory is left beside it.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: box.dir)
        #expect(!siblings.contains { $0.hasPrefix("backup.partial-") }, "\(siblings)")
    }

    @Test func backupIsIndependentOfLaterWrites() throws {
        let box = try Self.populated()
        let copy = box.dir + "/snap"
        try box.ok("backup", copy, "--quiet")
        let before = try box.ok(["--store", copy] + Self.lookup)
        try box.write("more.csv", """
            user_id,event_timestamp,age
            1,2025-11-15T06:00:00Z,99

            """)
        try box.ok("ingest", "user_stats", "more.csv", "--to", "both")
        #expect(try box.ok(Self.lookup) != before)
        #expect(try box.ok(["--store", copy] + Self.lookup) == before)
    }

    @Test func verifyAndJSON() throws {
        let box = try Self.populated()
        try FileManager.default.createDirectory(atPath: box.dir + "/empty", withIntermediateDirectories: false)
        let json = try #require(try box.run("backup", box.dir + "/empty", "--verify", "--json").json() as? [String: Any])
        #expect(json["path"] as? String == box.dir + "/empty")
        #expect(json["compacted"] as? Bool == true)
        #expect(json["repacked"] as? Bool == true)
        #expect(json["verified"] as? Bool == true)
        #expect((json["problems"] as? [Any])?.isEmpty == true)
        let bytes = try #require(json["bytes"] as? Int)
        let source = try #require(json["source_bytes"] as? Int)
        #expect(bytes > 0 && bytes <= source)
        let size = try FileManager.default.attributesOfItem(atPath: box.dir + "/empty/data.mdb")[.size] as? Int
        #expect(size == bytes)

        let plain = try #require(try box.run("backup", box.dir + "/full", "--no-compact", "--json").json() as? [String: Any])
        #expect(plain["compacted"] as? Bool == false)
        #expect(plain["repacked"] as? Bool == false)
        #expect(plain["verified"] == nil)
        #expect(try box.ok(["--store", box.dir + "/full"] + Self.lookup) == box.ok(Self.lookup))
    }

    @Test func compactionLeavesFreedPagesBehind() throws {
        let box = try Sandbox.withExample()
        // Many events, then the table's deletion frees their pages inside data.mdb.
        var csv = "user_id,event_timestamp,age,country\n"
        for i in 0..<20_000 { csv += "\(i),2025-11-15T01:00:00Z,\(i % 90),country-\(i % 7)-with-some-padding\n" }
        try box.write("many.csv", csv)
        try box.ok("ingest", "user_stats", "many.csv", "--to", "both", "--quiet")
        try box.ok("delete", "service", "churn_v1")
        try box.ok("delete", "table", "user_stats")
        let json = try #require(try box.run("backup", box.dir + "/small", "--json").json() as? [String: Any])
        let bytes = try #require(json["bytes"] as? Int), source = try #require(json["source_bytes"] as? Int)
        #expect(bytes * 4 < source, "compacted \(bytes) of \(source)")
        #expect(try box.ok("--store", box.dir + "/small", "check").hasSuffix("store is healthy\n"))
    }

    @Test func refusals() throws {
        let box = try Self.populated()
        try FileManager.default.createDirectory(atPath: box.dir + "/taken", withIntermediateDirectories: false)
        try box.write("taken/notes.txt", "keep me\n")
        try box.fails("backup", box.dir + "/taken",
                      error: "backup destination '\(box.dir)/taken' is not empty (holds notes.txt): "
                          + "expected a new or empty directory; nothing was written")
        #expect(try box.read("taken/notes.txt") == "keep me\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.dir + "/taken") == ["notes.txt"])

        try box.write("a-file", "x")
        try box.fails("backup", box.dir + "/a-file",
                      error: "backup destination '\(box.dir)/a-file' exists and is not a directory: "
                          + "expected a new or empty directory")
        try box.fails("backup", box.store,
                      error: "backup destination '\(box.store)' is the store itself: expected a new or empty directory")
        try box.fails("backup", box.dir + "/no/such/parent/b",
                      error: "backup destination '\(box.dir)/no/such/parent/b': the parent directory "
                          + "'\(box.dir)/no/such/parent' does not exist (create it first)")
        try box.fails("--store", box.dir + "/nothing-here", "backup", box.dir + "/b",
                      error: "no feature store at '\(box.dir)/nothing-here' (create one with `fsctl init \(box.dir)/nothing-here`)")
        #expect(!box.exists("b"))
        let r = try box.run("backup")
        #expect(r.code == 2)
    }
}
