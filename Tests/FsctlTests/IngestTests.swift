import Foundation
import Testing

/// `fsctl ingest`: formats, refusal of duplicates, bad input, rejects.
@Suite struct IngestTests {
    @Test func ingestsCSVAndJSONL() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.write("events.jsonl", Examples.jsonl)
        let run = try box.run("ingest", "user_stats", "events.csv")
        #expect(run.stderr == "", "no progress line when stderr is not a terminal")
        let out = run.stdout
        #expect(out.hasPrefix("ingested 3 rows into user_stats as batch 1 ("))
        #expect(out.hasSuffix(" rows/s)\n"))
        let json = try #require(try box.run("ingest", "user_stats", "events.jsonl", "--json").json() as? [String: Any])
        #expect(json["rows"] as? Int == 2)
        #expect(json["rejected"] as? Int == 0)
        let batch = try #require((json["batches"] as? [[String: Any]])?.first)
        #expect(batch["id"] as? Int == 2)
        #expect(batch["destination"] as? String == "offline")
        #expect(batch["max_event_timestamp"] as? String == "2025-11-15T05:00:00Z")
        // An explicit --format overrides the extension.
        try box.write("more.txt", "user_id,event_timestamp,age\n9,2025-11-16T00:00:00Z,1.5\n")
        #expect(try box.ok("ingest", "user_stats", "more.txt", "--format", "csv", "--quiet") == "")
        let table = try #require(try box.run("describe", "user_stats", "--json").json() as? [[String: Any]])
        #expect(table.first?["events"] as? Int == 6)
    }

    @Test func severalFilesAreSeveralBatchesInOneTransaction() throws {
        let box = try Sandbox.withExample()
        try box.write("a.csv", Examples.csv)
        try box.write("b.jsonl", Examples.jsonl)
        let out = try box.ok("ingest", "user_stats", "a.csv", "b.jsonl")
        #expect(out.hasPrefix("""
            ingested 3 rows from a.csv into user_stats as batch 1
            ingested 2 rows from b.jsonl into user_stats as batch 2
            ingested 5 rows from 2 files (
            """))
        // One bad file aborts both.
        try box.write("c.csv", Examples.csv.replacingOccurrences(of: "31.5", with: "31.6"))
        try box.write("d.csv", "user_id,event_timestamp,age\n1,2025-11-15T01:00:00Z,abc\n")
        let before = try box.snapshot()
        try box.fails("ingest", "user_stats", "c.csv", "d.csv", error: "d.csv:2: column 'age': cannot parse \"abc\" as float64")
        #expect(try box.snapshot() == before)
    }

    @Test func duplicateFileIsRefusedUnlessForced() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        let before = try box.snapshot()
        let r = try box.run("ingest", "user_stats", "events.csv")
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("error: events.csv: already ingested into 'user_stats' as batch 1 (same SHA-256 "))
        #expect(r.stderr.hasSuffix("…); use --force to ingest it again\n"))
        #expect(try box.snapshot() == before)
        #expect(try box.ok("ingest", "user_stats", "events.csv", "--force").hasPrefix("ingested 3 rows into user_stats as batch 2 "))
    }

    /// Every bad input file: the exact message (file, line, column, value) and an unchanged store.
    @Test(arguments: [
        ("bad.csv", "user_id,event_timestamp,age\n1,2025-11-15T01:00:00Z,abc\n",
         "bad.csv:2: column 'age': cannot parse \"abc\" as float64"),
        ("bad.csv", "user_id,event_timestamp,age\n1,2025-13-15T01:00:00Z,3\n",
         "bad.csv:2: column 'event_timestamp': cannot parse \"2025-13-15T01:00:00Z\" as timestamp"),
        ("bad.csv", "user_id,event_timestamp,age\n1,2025-11-15T01:00:00Z,3,4\n",
         "bad.csv:2: expected 3 fields, found 4"),
        ("bad.csv", "user_id,event_timestamp,credit_score\n1,2025-11-15T01:00:00Z,900\n",
         "bad.csv:2: column 'credit_score': 900 is above the maximum 850 (expect max)"),
        ("bad.csv", "user_id,event_timestamp,age,colour\n1,2025-11-15T01:00:00Z,3,red\n",
         "bad.csv:1: unknown column 'colour': table 'user_stats' has no such feature (use --ignore-extra to skip it)"),
        ("bad.csv", "event_timestamp,age\n2025-11-15T01:00:00Z,3\n",
         "bad.csv:1: missing column 'user_id' (join key of entity 'user')"),
        ("bad.jsonl", "{\"user_id\": 5, \"event_timestamp\": \"2025-11-15T03:00:00Z\"}\n{\"user_id\": \"x\", \"event_timestamp\": \"2025-11-15T03:00:00Z\"}\n",
         "bad.jsonl:2: column 'user_id': cannot parse \"x\" as int64"),
        ("bad.jsonl", "user_id,event_timestamp\n",
         "bad.jsonl:1: invalid JSON at position 1: expected '{'"),
    ])
    func badInputNamesFileLineColumnAndChangesNothing(file: String, content: String, message: String) throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        try box.write(file, content)
        let before = try box.snapshot()
        try box.fails("ingest", "user_stats", file, error: message)
        #expect(try box.snapshot() == before)
        #expect(!box.exists(file + ".rejects.jsonl"))
    }

    @Test func ignoreExtraSkipsUnknownColumns() throws {
        let box = try Sandbox.withExample()
        try box.write("extra.csv", "user_id,event_timestamp,age,colour\n1,2025-11-15T01:00:00Z,3,red\n")
        #expect(try box.ok("ingest", "user_stats", "extra.csv", "--ignore-extra").hasPrefix("ingested 1 row "))
    }

    @Test func skipLandsGoodRowsAndWritesRejectsWithReasons() throws {
        let box = try Sandbox.withExample()
        try box.write("mixed.csv", """
            user_id,event_timestamp,age,credit_score
            1,2025-11-15T01:00:00Z,30,700
            2,2025-11-15T01:00:00Z,abc,700
            3,2025-11-15T01:00:00Z,40,900

            """)
        let out = try box.ok("ingest", "user_stats", "mixed.csv", "--on-invalid", "skip", "--rejects", "rejects.jsonl")
        #expect(out.contains("ingested 1 row into user_stats as batch 1 ("))
        #expect(out.hasSuffix("rejected 2 rows of mixed.csv; reasons in rejects.jsonl\n"))
        let lines = try box.read("rejects.jsonl").split(separator: "\n")
        let rejects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            .sorted { ($0["line"] as? Int ?? 0) < ($1["line"] as? Int ?? 0) }
        #expect(rejects.count == 2)
        #expect(rejects[0]["line"] as? Int == 3)
        #expect(rejects[0]["column"] as? String == "age")
        #expect(rejects[0]["reason"] as? String == "column 'age': cannot parse \"abc\" as float64")
        #expect(rejects[1]["line"] as? Int == 4)
        #expect(rejects[1]["reason"] as? String == "column 'credit_score': 900 is above the maximum 850 (expect max)")
        // Default rejects path: beside the input.
        try box.write("mixed2.csv", "user_id,event_timestamp,age\n7,2025-11-15T01:00:00Z,x\n")
        try box.ok("ingest", "user_stats", "mixed2.csv", "--on-invalid", "skip")
        #expect(box.exists("mixed2.csv.rejects.jsonl"))
    }

    @Test func unknownTableAndMissingFile() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.fails("ingest", "user_stat", "events.csv", error: "no feature table 'user_stat' (did you mean 'user_stats'?)")
        try box.fails("ingest", "user_stats", "nothere.csv", error: "nothere.csv: cannot open: No such file or directory")
    }

    /// Bad option values are usage errors (exit 2) and change nothing.
    @Test(arguments: [
        (["--format", "xml"], "error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'csv', 'jsonl' or 'parquet'."),
        (["--to", "cloud"], "error: The value 'cloud' is invalid for '--to <to>'. Please provide one of 'offline', 'online' or 'both'."),
        (["--on-invalid", "ignore"], "error: The value 'ignore' is invalid for '--on-invalid <on-invalid>'. Please provide one of 'fail' and 'skip'."),
        (["--rejects", "r.jsonl"], "error: --rejects needs --on-invalid skip"),
        (["--bogus"], "error: Unknown option '--bogus'"),
    ])
    func badOptionValuesAreUsageErrors(extra: [String], firstLine: String) throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        let before = try box.snapshot()
        let r = try box.run(["ingest", "user_stats", "events.csv"] + extra)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == firstLine)
        #expect(try box.snapshot() == before)
    }
}
