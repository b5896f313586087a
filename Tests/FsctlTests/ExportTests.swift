import Foundation
import Testing
import Tabular

/// `fsctl export` end to end: the files it writes, the training-set records
/// (`describe`, `list`, `stats`, `check`), reproduction, and bad input with
/// the exact messages and exit codes.
@Suite struct ExportTests {
    static let definitions = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}

        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: 2d
            created_timestamp_field: created_timestamp
            features:
              - {name: age, type: float64}
              - {name: country, type: string}
              - {name: credit_score, type: float64}
          - name: user_more
            entities: [user]
            features:
              - {name: age, type: int64}
              - {name: visits, type: int64}

        feature_services:
          - name: churn_v1
            features: [user_stats:age, user_stats:country]

        """

    static let events = """
        user_id,event_timestamp,created_timestamp,age,country,credit_score
        1,2025-11-15T01:00:00Z,2025-11-15T01:05:00Z,31.5,FR,700
        1,2025-11-15T03:00:00Z,2025-11-15T03:05:00Z,32,FR,
        1,2025-11-15T03:00:00Z,2025-11-15T03:10:00Z,33,"a,b",
        2,2025-11-15T02:00:00Z,2025-11-15T02:05:00Z,,DE,400

        """

    static let moreEvents = """
        user_id,event_timestamp,age,visits
        1,2025-11-10T00:00:00Z,40,7
        3,2025-11-15T12:00:00Z,,2

        """

    /// Before the first event, exactly at one, a tie on event time (the later
    /// created wins), exactly at t − ttl (2d) and 1 µs past it, no history, a
    /// duplicate; labels pass through as written.
    static let entities = """
        user_id,event_timestamp,label
        1,2025-11-15T00:59:59Z,0.10
        1,2025-11-15T01:00:00Z,1
        1,2025-11-15T03:00:00Z,x
        2,2025-11-17T02:00:00Z,
        2,2025-11-17T02:00:00.000001Z,y
        3,2025-11-16T00:00:00Z,z
        1,2025-11-15T01:00:00Z,1

        """

    static let allFeatures = """
        user_id,event_timestamp,label,age,country,credit_score
        1,2025-11-15T00:59:59Z,0.10,,,
        1,2025-11-15T01:00:00Z,1,31.5,FR,700.0
        1,2025-11-15T03:00:00Z,x,33.0,"a,b",
        2,2025-11-17T02:00:00Z,,,DE,400.0
        2,2025-11-17T02:00:00.000001Z,y,,,
        3,2025-11-16T00:00:00Z,z,,,
        1,2025-11-15T01:00:00Z,1,31.5,FR,700.0

        """

    /// A store with both tables ingested and `entities.csv` written.
    static func store() throws -> Sandbox {
        let box = try Sandbox()
        try box.ok("init")
        try box.write("features.yaml", definitions)
        try box.ok("apply", "features.yaml")
        try box.write("events.csv", events)
        try box.write("more.csv", moreEvents)
        try box.ok("ingest", "user_stats", "events.csv")
        try box.ok("ingest", "user_more", "more.csv")
        try box.write("entities.csv", entities)
        return box
    }

    /// `exported 7 rows to train.csv as training set ts-… (0.1 s)` → the id.
    static func exportedId(_ line: String, rows: Int = 7, out: String = "train.csv",
                           sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let prefix = "exported \(rows) row\(rows == 1 ? "" : "s") to \(out) as training set "
        #expect(line.hasPrefix(prefix), "\(line)", sourceLocation: sourceLocation)
        let rest = line.dropFirst(prefix.count)
        let id = String(rest.prefix(19))
        #expect(id.hasPrefix("ts-") && id.dropFirst(3).allSatisfy(\.isHexDigit), "\(line)", sourceLocation: sourceLocation)
        #expect(rest.dropFirst(19).hasPrefix(" (") && rest.hasSuffix(" s)\n"), "\(line)", sourceLocation: sourceLocation)
        return id
    }

    /// The sandbox's files, less fsctl's own and the store.
    static func files(_ box: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: box.dir).filter { !$0.hasPrefix(".") && $0 != "store" }.sorted()
    }

    // MARK: Output

    @Test func reproduceWorksFromAnotherDirectory() throws {
        let box = try Self.store()
        let id = Self.exportedId(try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:*", "--out", "train.csv"))
        // A second sandbox's directory as the working directory, the first store by --store.
        let elsewhere = try Sandbox()
        let r = try elsewhere.run("export", "--reproduce", id, "--out", "again.csv", "--store", box.store)
        #expect(r.code == 0, "\(r.stderr)")
        let first = try String(contentsOfFile: box.dir + "/train.csv", encoding: .utf8)
        let again = try String(contentsOfFile: elsewhere.dir + "/again.csv", encoding: .utf8)
        #expect(first == again)
    }

    @Test func csvTrainingSetHasExactBytesAndASummaryLine() throws {
        let box = try Self.store()
        let r = try box.run("export", "--entities", "entities.csv", "--features", "user_stats:*", "--out", "train.csv")
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr == "")   // not a terminal: no progress line
        _ = Self.exportedId(r.stdout)
        #expect(try box.read("train.csv") == Self.allFeatures)
        // Refs (comma-separated and repeated) come first, then services; names are the features'.
        try box.ok("export", "--entities", "entities.csv", "--features", "user_more:visits", "--service", "churn_v1",
                   "--features", "user_stats:credit_score", "--out", "svc.csv")
        #expect(try box.read("svc.csv").split(separator: "\n").prefix(3).joined(separator: "\n") == """
            user_id,event_timestamp,label,visits,credit_score,age,country
            1,2025-11-15T00:59:59Z,0.10,7,,,
            1,2025-11-15T01:00:00Z,1,7,700.0,31.5,FR
            """)
        #expect(try box.ok("export", "--quiet", "--entities", "entities.csv", "--service", "churn_v1", "--out", "q.csv") == "")
    }

    @Test func jsonPrintsTheRecordAndDescribeListStatsCheckShowIt() throws {
        let box = try Self.store()
        let r = try box.run("export", "--json", "--entities", "entities.csv", "--features", "user_stats:age,user_more:*",
                            "--full-feature-names", "--out", "train.csv")
        #expect(r.code == 0, "\(r)")
        let json = try #require(try r.json() as? [String: Any])
        let id = try #require(json["id"] as? String)
        #expect(json["kind"] as? String == "training_set")
        #expect(json["rows"] as? Int == 7)
        #expect(json["entities"] as? String == "entities.csv")
        #expect(json["output"] as? String == "train.csv")
        #expect(json["refs"] as? [String] == ["user_stats:age", "user_more:*"])
        #expect(json["services"] as? [String] == [])
        #expect(json["features"] as? [String] == ["user_stats@1:age", "user_more@1:age", "user_more@1:visits"])
        #expect(json["columns"] as? [String]
                == ["user_id", "event_timestamp", "label", "user_stats__age", "user_more__age", "user_more__visits"])
        #expect(json["batch_high_water_mark"] as? Int == 2)
        #expect((json["fingerprint"] as? String)?.hasPrefix(String(id.dropFirst(3))) == true)
        #expect((json["output_sha256"] as? String)?.count == 64)
        let tables = try #require(json["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == ["user_stats", "user_more"])
        #expect(tables.map { $0["matched_rows"] as? Int } == [4, 5])
        #expect(tables.map { $0["ttl"] as? String } == ["2d", "0"])
        let options = try #require(json["options"] as? [String: Any])
        #expect(options["timestamp_column"] as? String == "event_timestamp")
        #expect(options["full_feature_names"] as? Bool == true)
        #expect(options["created_before_entity"] as? Bool == false)
        #expect(options["as_of"] == nil)
        let created = try #require(json["created_at"] as? String)

        // describe: text, JSON (an array, like every describe), and a unique prefix.
        let text = try box.ok("describe", id)
        #expect(text.hasPrefix("""
            training set \(id)
              created: \(created)
              entities: entities.csv (7 rows, SHA-256 
            """), "\(text)")
        #expect(text.contains("\n  refs: user_stats:age, user_more:*\n  features: user_stats@1:age, user_more@1:age, user_more@1:visits\n"), "\(text)")
        #expect(text.contains("\n  full feature names: yes\n  as of: -\n  created before entity: no\n  batches seen: 1…2\n  output: train.csv (SHA-256 "), "\(text)")
        #expect(text.hasSuffix("""
              TABLE       TABLE ID  TTL  MATCHED ROWS
              user_stats  2         2d   4
              user_more   1         0    5

            """), "\(text)")
        #expect(try box.ok("describe", String(id.prefix(8))) == text)
        let described = try #require(try box.run("describe", "--json", id).json() as? [[String: Any]])
        #expect(described.count == 1)
        #expect(described.first?["id"] as? String == id)
        #expect(described.first?["created_at"] as? String == created)
        try box.fails("describe", "ts-0000000000000000",
                      error: "no training set 'ts-0000000000000000'")

        // list: a training sets section.
        let list = try box.ok("list")
        #expect(list.hasSuffix("""

            TRAINING SET         ROWS  ENTITIES      OUTPUT     CREATED
            \(id)  7     entities.csv  train.csv  \(created)

            """), "\(list)")
        let listed = try #require(try box.run("list", "--json").json() as? [String: Any])
        let sets = try #require(listed["training_sets"] as? [[String: Any]])
        #expect(sets.count == 1)
        #expect(sets.first?["id"] as? String == id)
        #expect(sets.first?["rows"] as? Int == 7)
        #expect(sets.first?["entities"] as? String == "entities.csv")
        #expect(sets.first?["created_at"] as? String == created)

        // stats counts the database; check decodes the record.
        let stats = try #require(try box.run("stats", "--json").json() as? [String: Any])
        let databases = try #require(stats["databases"] as? [[String: Any]])
        #expect(databases.first { $0["name"] as? String == "training_sets" }?["entries"] as? Int == 1)
        #expect(try box.ok("stats").contains("\ntraining_sets  1  "))
        #expect(try box.ok("check") == """
            tables: 2
            batches: 2
            events: 6
            online rows: 0
            training sets: 1
            store is healthy

            """)
        let check = try #require(try box.run("check", "--json").json() as? [String: Any])
        #expect(check["training_sets"] as? Int == 1)
        #expect(check["notes"] as? [String] == [])
    }

    @Test func checkNotesATrainingSetWhoseTableWasDeleted() throws {
        let box = try Self.store()
        let id = Self.exportedId(try box.ok("export", "--entities", "entities.csv", "--features", "user_more:visits",
                                            "--out", "train.csv"))
        try box.ok("delete", "table", "user_more")
        let r = try box.run("check")
        #expect(r.code == 0, "\(r)")   // deleting a table is allowed: a note, not damage
        #expect(r.stdout.contains("""
            training sets: 1
            note: training set \(id): feature table 'user_more' (table id 1) was deleted; it cannot be reproduced
            store is healthy

            """), "\(r)")
        try box.fails("export", "--reproduce", id, "--out", "again.csv",
                      error: "feature ref 'user_more@1:visits': unknown feature table 'user_more'")
        #expect(!box.exists("again.csv"))
    }

    @Test func parquetOutputAndOtherEntityFormats() throws {
        let box = try Self.store()
        let r = try box.run("export", "--entities", "entities.csv", "--features", "user_stats:*", "--out", "train.parquet")
        #expect(r.code == 0, "\(r)")
        _ = Self.exportedId(r.stdout, out: "train.parquet")
        let reader = try ParquetReader(path: box.dir + "/train.parquet")
        #expect(reader.columnNames == ["user_id", "event_timestamp", "label", "age", "country", "credit_score"])
        #expect(reader.schema.map(\.type) == [.int64, .timestamp, .string, .float64, .string, .float64])
        var rows: [String] = []
        let batches = try reader.batches(schema: reader.schema)
        while let b = try batches.next() {
            for row in 0..<b.rowCount {
                rows.append(b.columns.map { $0.value(at: row).map { "\($0)" } ?? "" }.joined(separator: "|"))
            }
        }
        #expect(rows == [
            "1|2025-11-15T00:59:59Z|0.10|||",
            "1|2025-11-15T01:00:00Z|1|31.5|FR|700.0",
            "1|2025-11-15T03:00:00Z|x|33.0|a,b|",
            "2|2025-11-17T02:00:00Z|||DE|400.0",
            "2|2025-11-17T02:00:00.000001Z|y|||",
            "3|2025-11-16T00:00:00Z|z|||",
            "1|2025-11-15T01:00:00Z|1|31.5|FR|700.0",
        ])
        // The Parquet training set as an entity file (labels keep their types), and
        // a JSONL file whose extension says nothing, with --format.
        try box.ok("export", "--entities", "train.parquet", "--features", "user_more:visits", "--out", "p.csv")
        #expect(try box.read("p.csv").split(separator: "\n").prefix(2).joined(separator: "\n") == """
            user_id,event_timestamp,label,age,country,credit_score,visits
            1,2025-11-15T00:59:59Z,0.10,,,,7
            """)
        try box.write("labels.txt", """
            {"user_id": 1, "event_timestamp": "2025-11-15T02:00:00Z", "label": true}
            {"user_id": 2, "event_timestamp": "2025-11-15T02:00:00Z", "label": false}

            """)
        try box.ok("export", "--entities", "labels.txt", "--format", "jsonl", "--features", "user_stats:age", "--out", "j.csv")
        #expect(try box.read("j.csv") == """
            user_id,event_timestamp,label,age
            1,2025-11-15T02:00:00Z,true,31.5
            2,2025-11-15T02:00:00Z,false,

            """)
        try box.fails("export", "--entities", "labels.txt", "--features", "user_stats:age", "--out", "k.csv",
                      error: "labels.txt: cannot tell the format from the extension (use --format csv, jsonl or parquet)")
    }

    // MARK: Reproducibility

    @Test func sameInputsGiveTheSameBytesAndTheSameId() throws {
        let box = try Self.store()
        let first = Self.exportedId(try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:*", "--out", "a.csv"),
                                    out: "a.csv")
        let again = try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:*", "--out", "b.csv")
        let lines = again.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(Self.exportedId(String(lines[0]) + "\n", out: "b.csv") == first)
        #expect(lines.count == 3 && lines[1].hasPrefix("same inputs and store state as the export of ")
                && lines[1].hasSuffix(" to a.csv"), "\(again)")
        #expect(try box.read("a.csv") == box.read("b.csv"))
        let list = try #require(try box.run("list", "--json").json() as? [String: Any])
        #expect((list["training_sets"] as? [Any])?.count == 1)
    }

    @Test func asOfAndReproduceGiveTheEarlierExportAfterLateData() throws {
        let box = try Self.store()
        let json = try #require(try box.run("export", "--json", "--entities", "entities.csv", "--features", "user_stats:*",
                                            "--out", "first.csv").json() as? [String: Any])
        let id = try #require(json["id"] as? String)
        let exportedAt = try #require(json["created_at"] as? String)
        #expect(try box.read("first.csv") == Self.allFeatures)
        usleep(2000)
        // Late data: a newer value for user 1 at 01:00 and a first one for user 3.
        try box.write("late.csv", """
            user_id,event_timestamp,created_timestamp,age,country,credit_score
            1,2025-11-15T01:00:00Z,2025-11-15T01:06:00Z,99,XX,800
            3,2025-11-15T23:00:00Z,2025-11-15T23:00:00Z,50,IT,500

            """)
        try box.ok("ingest", "user_stats", "late.csv")
        let nowId = Self.exportedId(try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:*",
                                               "--out", "now.csv"), out: "now.csv")
        #expect(nowId != id)
        #expect(try box.read("now.csv") == """
            user_id,event_timestamp,label,age,country,credit_score
            1,2025-11-15T00:59:59Z,0.10,,,
            1,2025-11-15T01:00:00Z,1,99.0,XX,800.0
            1,2025-11-15T03:00:00Z,x,33.0,"a,b",
            2,2025-11-17T02:00:00Z,,,DE,400.0
            2,2025-11-17T02:00:00.000001Z,y,,,
            3,2025-11-16T00:00:00Z,z,50.0,IT,500.0
            1,2025-11-15T01:00:00Z,1,99.0,XX,800.0

            """)
        // The store as it was when the first export ran.
        try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:*", "--as-of", exportedAt,
                   "--out", "asof.csv")
        #expect(try box.read("asof.csv") == Self.allFeatures)
        // The recorded training set, again: same bytes, same id.
        let r = try box.run("export", "--reproduce", id, "--out", "again.csv")
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout.hasPrefix("reproduced training set \(id): 7 rows to again.csv ("), "\(r)")
        #expect(try box.read("again.csv") == Self.allFeatures)
        let reproduced = try #require(try box.run("export", "--json", "--reproduce", id, "--out", "again2.csv").json() as? [String: Any])
        #expect(reproduced["id"] as? String == id)
        #expect(reproduced["output_sha256"] as? String == json["output_sha256"] as? String)
        // A changed entity file cannot reproduce it.
        try box.write("entities.csv", Self.entities + "1,2025-11-15T01:00:00Z,2\n")
        let changed = try box.run("export", "--reproduce", id, "--out", "again3.csv")
        #expect(changed.code == 1)
        #expect(changed.stderr.hasPrefix("error: entities.csv: changed since training set \(id) was exported (SHA-256 "), "\(changed)")
        #expect(!box.exists("again3.csv"))
    }

    @Test func createdBeforeEntityHidesLateArrivingEvents() throws {
        let box = try Self.store()
        try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:country,user_stats:age",
                   "--created-before-entity", "--full-feature-names", "--out", "train.csv")
        #expect(try box.read("train.csv") == """
            user_id,event_timestamp,label,user_stats__country,user_stats__age
            1,2025-11-15T00:59:59Z,0.10,,
            1,2025-11-15T01:00:00Z,1,,
            1,2025-11-15T03:00:00Z,x,FR,31.5
            2,2025-11-17T02:00:00Z,,DE,
            2,2025-11-17T02:00:00.000001Z,y,,
            3,2025-11-16T00:00:00Z,z,,
            1,2025-11-15T01:00:00Z,1,,

            """)
    }

    @Test func timestampColumnNamesAnotherColumn() throws {
        let box = try Self.store()
        try box.write("labels.csv", "user_id,label_time\n1,2025-11-15T02:00:00+01:00\n")
        try box.ok("export", "--entities", "labels.csv", "--timestamp-column", "label_time",
                   "--features", "user_stats:age", "--out", "train.csv")
        #expect(try box.read("train.csv") == "user_id,label_time,age\n1,2025-11-15T01:00:00Z,31.5\n")
        try box.fails("export", "--entities", "labels.csv", "--features", "user_stats:age", "--out", "t2.csv",
                      error: "labels.csv: missing timestamp column 'event_timestamp' (name another one with --timestamp-column)")
    }

    @Test func fullFeatureNamesResolveACollisionThatNamesBothTables() throws {
        let box = try Self.store()
        try box.fails("export", "--entities", "entities.csv", "--features", "user_stats:age,user_more:age", "--out", "train.csv",
                      error: "feature name 'age' is in both 'user_stats' and 'user_more'; use full feature names "
                          + "(--full-feature-names: user_stats__age, user_more__age)")
        #expect(!box.exists("train.csv"))
        try box.ok("export", "--entities", "entities.csv", "--features", "user_stats:age,user_more:age",
                   "--full-feature-names", "--out", "train.csv")
        #expect(try box.read("train.csv").split(separator: "\n").prefix(3).joined(separator: "\n") == """
            user_id,event_timestamp,label,user_stats__age,user_more__age
            1,2025-11-15T00:59:59Z,0.10,,40
            1,2025-11-15T01:00:00Z,1,31.5,40
            """)
    }

    // MARK: Bad input

    /// Errors (exit 1) with the exact message; no output file, no temporary file, no record.
    @Test(arguments: [
        (["--entities", "nokey.csv", "--features", "user_stats:age"],
         "nokey.csv: missing join key column 'user_id' (entity 'user' of feature table 'user_stats')"),
        (["--entities", "badtime.csv", "--features", "user_stats:age"],
         "badtime.csv:3: column 'event_timestamp': cannot parse \"yesterday\" as timestamp"),
        (["--entities", "entities.csv", "--features", "user_stats:agee"],
         "feature ref 'user_stats:agee': feature table 'user_stats' (version 1) has no feature 'agee' (did you mean 'age'?)"),
        (["--entities", "entities.csv", "--features", "user_stat:age"],
         "feature ref 'user_stat:age': unknown feature table 'user_stat' (did you mean 'user_stats'?)"),
        (["--entities", "entities.csv", "--service", "churn_v2"],
         "unknown feature service 'churn_v2' (did you mean 'churn_v1'?)"),
        (["--entities", "missing.csv", "--features", "user_stats:age"],
         "missing.csv: cannot open: No such file or directory"),
        (["--reproduce", "ts-0123456789abcdef"], "no training set 'ts-0123456789abcdef'"),
    ])
    func badInputIsAnErrorAndWritesNothing(args: [String], message: String) throws {
        let box = try Self.store()
        try box.write("nokey.csv", "uid,event_timestamp\n1,2025-11-15T02:00:00Z\n")
        try box.write("badtime.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n2,yesterday\n")
        let before = try Self.files(box)
        try box.fails(["export"] + args + ["--out", "train.csv"], error: message)
        #expect(try Self.files(box) == before)
        let list = try #require(try box.run("list", "--json").json() as? [String: Any])
        #expect((list["training_sets"] as? [Any])?.isEmpty == true)
    }

    @Test func aFailedExportKeepsAnEarlierFileAsItWas() throws {
        let box = try Self.store()
        try box.write("train.csv", "old\n")
        try box.write("badtime.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n2,yesterday\n")
        try box.fails("export", "--entities", "badtime.csv", "--features", "user_stats:age", "--out", "train.csv",
                      error: "badtime.csv:3: column 'event_timestamp': cannot parse \"yesterday\" as timestamp")
        #expect(try box.read("train.csv") == "old\n")
        #expect(try Self.files(box).filter { $0.contains(".tmp") }.isEmpty)
    }

    /// Usage errors (exit 2): the first stderr line; nothing written.
    @Test(arguments: [
        (["export", "--entities", "entities.csv", "--features", "user_stats:age", "--out", "train.csv", "--as-of", "2025-13-01"],
         "error: --as-of: cannot parse \"2025-13-01\" as an ISO-8601 timestamp"),
        (["export", "--entities", "entities.csv", "--out", "train.csv"], "error: give --features REFS or --service NAME"),
        (["export", "--entities", "entities.csv", "--features", " , ", "--out", "train.csv"],
         "error: give --features REFS or --service NAME"),
        (["export", "--features", "user_stats:age", "--out", "train.csv"], "error: give --entities FILE (or --reproduce ID)"),
        (["export", "--entities", "entities.csv", "--features", "user_stats:age"], "error: give --out FILE"),
        (["export", "--reproduce", "ts-0123456789abcdef", "--features", "user_stats:age", "--as-of", "2025-11-15",
          "--out", "train.csv"],
         "error: --reproduce takes only --out: the training set fixes its entity file, features and options "
            + "(remove --features, --as-of)"),
        (["export", "--entities", "entities.csv", "--features", "user_stats:age", "--out", "train.csv", "--format", "xml"],
         "error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'csv', 'jsonl' or 'parquet'."),
    ])
    func usageErrorsExitTwo(args: [String], firstLine: String) throws {
        let box = try Self.store()
        let before = try Self.files(box)
        let r = try box.run(args)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == firstLine, "\(r)")
        #expect(r.stdout == "")
        #expect(try Self.files(box) == before)
    }

    @Test func helpListsExport() throws {
        let box = try Sandbox()
        #expect(try box.run("--help").stdout.contains("  export "))
        let help = try box.run("export", "--help").stdout
        for option in ["--entities", "--features", "--service", "--out", "--full-feature-names", "--as-of",
                       "--created-before-entity", "--timestamp-column", "--format", "--reproduce"] {
            #expect(help.contains(option), "export --help lacks \(option)")
        }
    }
}
