import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// Every bad input of `ingest` (SPEC 5): the exact message (file, line,
/// column, value) and a store left exactly as it was — statistics, batch
/// records, online rows — with the failed attempt not even using up a batch id.
@Suite struct IngestBadInputTests {
    static let yaml = """
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
          - {name: credit_score, type: float64, expect: {min: 300, max: 850}}
          - {name: region, type: int32, expect: {not_null: true, in: [1, 2, 3, 4]}}
          - {name: tier, type: string, expect: {in: [gold, silver]}}

    """
    static let header = "user_id,event_timestamp,age,credit_score,region,tier\n"
    static let good = "1,2025-11-15T01:00:00Z,31.5,700,1,gold\n"
    static let refs = ["user_stats:age", "user_stats:region"]

    /// A store holding one good batch, pushed to both the log and online.
    func store() throws -> TempStore {
        let t = try TempStore(Self.yaml)
        try t.ingest("user_stats", "good.csv", Self.header + Self.good + "2,2025-11-15T02:00:00Z,40,400,2,silver\n", to: .both)
        return t
    }

    /// Ingests `text` as `name` into `table` and returns the message; checks that
    /// nothing changed and that the next good ingest gets batch id 2.
    func refused(_ name: String, _ text: String, table: String = "user_stats",
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> (message: String?, path: String) {
        let t = try store()
        let before = try t.snapshot(refs: Self.refs)
        let path = try t.input(name, text)
        var options = IngestOptions()
        options.destination = .both
        let message = edgeMessage { _ = try t.store.ingest(table: table, files: [path], options: options) }
        #expect(message != nil, "the ingest was not refused", sourceLocation: sourceLocation)
        #expect(try t.snapshot(refs: Self.refs) == before, "the store changed", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: path + ".rejects.jsonl"), sourceLocation: sourceLocation)
        let next = try t.ingest("user_stats", "next.csv", Self.header + "3,2025-11-15T03:00:00Z,1,300,3,gold\n")
        #expect(next.id == 2, "the refused ingest used up a batch id", sourceLocation: sourceLocation)
        #expect(try t.store.check().isHealthy, sourceLocation: sourceLocation)
        return (message, path)
    }

    @Test func badCSVValueNamesFileLineColumnAndValue() throws {
        let (message, path) = try refused("bad.csv", Self.header + Self.good + Self.good.replacingOccurrences(of: "31.5", with: "abc"))
        #expect(message == "\(path):3: column 'age': cannot parse \"abc\" as float64")
    }

    @Test func badJSONLValueNamesFileLineColumnAndValue() throws {
        let (message, path) = try refused("bad.jsonl", """
        {"user_id": 1, "event_timestamp": "2025-11-15T01:00:00Z", "region": 1, "tier": "gold"}

        {"user_id": 2, "event_timestamp": "2025-11-15T01:00:00Z", "region": 1.5}

        """)
        #expect(message == "\(path):3: column 'region': cannot parse 1.5 as int32")
        let (m2, p2) = try refused("bad2.jsonl", #"{"user_id": 1, "event_timestamp": "2025-11-15T01:00:00Z", "age": "abc", "region": 1}"# + "\n")
        #expect(m2 == "\(p2):1: column 'age': cannot parse \"abc\" as float64")
    }

    @Test func badTimestampIsNamed() throws {
        let (message, path) = try refused("ts.csv", Self.header + "1,2025-13-15T01:00:00Z,1,300,1,gold\n")
        #expect(message == "\(path):2: column 'event_timestamp': cannot parse \"2025-13-15T01:00:00Z\" as timestamp")
    }

    @Test func failedExpectMin() throws {
        let (message, path) = try refused("min.csv", Self.header + Self.good + "1,2025-11-15T01:00:00Z,1,299.5,1,gold\n")
        #expect(message == "\(path):3: column 'credit_score': 299.5 is below the minimum 300 (expect min)")
    }

    @Test func failedExpectMax() throws {
        let (message, path) = try refused("max.csv", Self.header + "1,2025-11-15T01:00:00Z,1,851,1,gold\n")
        #expect(message == "\(path):2: column 'credit_score': 851 is above the maximum 850 (expect max)")
    }

    @Test func failedExpectInForNumbersAndStrings() throws {
        let (message, path) = try refused("in.csv", Self.header + "1,2025-11-15T01:00:00Z,1,300,5,gold\n")
        #expect(message == "\(path):2: column 'region': 5 is not one of [1, 2, 3, 4] (expect in)")
        let (m2, p2) = try refused("in2.csv", Self.header + "1,2025-11-15T01:00:00Z,1,300,4,bronze\n")
        #expect(m2 == "\(p2):2: column 'tier': \"bronze\" is not one of [\"gold\", \"silver\"] (expect in)")
    }

    @Test func failedExpectNotNull() throws {
        let (message, path) = try refused("null.csv", Self.header + "1,2025-11-15T01:00:00Z,1,300,,gold\n")
        #expect(message == "\(path):2: column 'region': value is null (expect not_null)")
        // A file without the column: every row's value is null.
        let (m2, p2) = try refused("absent.csv", "user_id,event_timestamp,age\n1,2025-11-15T01:00:00Z,1\n")
        #expect(m2 == "\(p2):2: column 'region': value is null (expect not_null)")
    }

    @Test func nullJoinKey() throws {
        let (message, path) = try refused("key.csv", Self.header + Self.good + ",2025-11-15T01:00:00Z,1,300,1,gold\n")
        #expect(message == "\(path):3: column 'user_id': join key is null")
        let (m2, p2) = try refused("key.jsonl", #"{"user_id": null, "event_timestamp": "2025-11-15T01:00:00Z", "region": 1}"# + "\n")
        #expect(m2 == "\(p2):1: column 'user_id': join key is null")
    }

    @Test func nullTimestamp() throws {
        let (message, path) = try refused("ts.csv", Self.header + "1,,1,300,1,gold\n")
        #expect(message == "\(path):2: column 'event_timestamp': timestamp is null")
    }

    @Test func missingJoinKeyColumn() throws {
        let (message, path) = try refused("nokey.csv", "event_timestamp,age,region\n2025-11-15T01:00:00Z,1,1\n")
        #expect(message == "\(path):1: missing column 'user_id' (join key of entity 'user')")
    }

    @Test func missingTimestampColumn() throws {
        let (message, path) = try refused("nots.csv", "user_id,age,region\n1,1,1\n")
        #expect(message == "\(path):1: missing column 'event_timestamp' (the timestamp field of table 'user_stats')")
    }

    @Test func unknownColumn() throws {
        let (message, path) = try refused("extra.csv", "user_id,event_timestamp,agee,region\n1,2025-11-15T01:00:00Z,1,1\n")
        #expect(message == "\(path):1: unknown column 'agee': table 'user_stats' has no such feature (did you mean 'age'?) (use --ignore-extra to skip it)")
        let (m2, p2) = try refused("extra.jsonl", #"{"user_id": 1, "event_timestamp": "2025-11-15T01:00:00Z", "region": 1, "agee": 1}"# + "\n")
        #expect(m2?.hasPrefix("\(p2):1: unknown column 'agee'") == true, "\(m2 ?? "")")
    }

    @Test func unknownColumnIsSkippedWithIgnoreExtra() throws {
        let t = try store()
        var options = IngestOptions()
        options.ignoreExtraColumns = true
        let r = try t.store.ingest(table: "user_stats", files: [try t.input("extra.csv", "user_id,event_timestamp,agee,region\n1,2025-11-15T01:00:00Z,1,1\n")],
                                   options: options)
        #expect(r.rows == 1)
    }

    @Test func unknownTable() throws {
        let (message, _) = try refused("good2.csv", Self.header + Self.good, table: "user_stat")
        #expect(message == "no feature table 'user_stat' (did you mean 'user_stats'?)")
    }

    @Test func malformedCSVAndJSONL() throws {
        let (message, path) = try refused("quote.csv", Self.header + "1,2025-11-15T01:00:00Z,1,300,1,\"gold\n")
        #expect(message?.hasPrefix("\(path):2: ") == true, "\(message ?? "")")
        let (m2, p2) = try refused("broken.jsonl", #"{"user_id": 1, "event_timestamp": "2025-11-15T01:00:00Z", "region": 1"# + "\n")
        #expect(m2?.hasPrefix("\(p2):1: ") == true, "\(m2 ?? "")")
    }

    @Test func missingFileIsNamed() throws {
        let t = try store()
        let path = t.dir + "/in-nope.csv"
        let message = edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [path]) }
        #expect(message == "\(path): cannot open: No such file or directory")
    }

    @Test func aBadSecondFileTakesTheFirstOneDownWithIt() throws {
        let t = try store()
        let before = try t.snapshot(refs: Self.refs)
        let a = try t.input("a.csv", Self.header + "5,2025-11-15T01:00:00Z,1,300,1,gold\n")
        let b = try t.input("b.csv", Self.header + "6,2025-11-15T01:00:00Z,1,300,9,gold\n")
        let message = edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [a, b]) }
        #expect(message == "\(b):2: column 'region': 9 is not one of [1, 2, 3, 4] (expect in)")
        #expect(try t.snapshot(refs: Self.refs) == before)
        // …and the first file was not recorded as ingested either.
        #expect(try t.store.ingest(table: "user_stats", files: [a]).rows == 1)
    }

    @Test func aBadRowAfterEarlierChunksWereWrittenLandsNothing() throws {
        let t = try store()
        let before = try t.snapshot(refs: Self.refs)
        var text = Self.header
        for i in 0..<6 { text += "\(20 + i),2025-11-15T01:00:00Z,1,300,1,gold\n" }
        text += "30,2025-11-15T01:00:00Z,1,300,1,bronze\n"
        let path = try t.input("late.csv", text)
        var options = IngestOptions()
        options.batchSize = 2   // three chunks are written before line 8 is read
        options.destination = .both
        let message = edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [path], options: options) }
        #expect(message == "\(path):8: column 'tier': \"bronze\" is not one of [\"gold\", \"silver\"] (expect in)")
        #expect(try t.read("user_stats:age", user: 20, at: edgeTime(60)).status == .notFound)
        #expect(try t.snapshot(refs: Self.refs) == before)
        #expect(try t.store.check().events == 2)
    }

    @Test func sameFileTwiceIsRefusedUnlessForced() throws {
        let t = try store()
        let path = try t.input("again.csv", Self.header + "7,2025-11-15T05:00:00Z,1,300,1,gold\n")
        let first = try t.store.ingest(table: "user_stats", files: [path]).batches[0]
        let before = try t.snapshot(refs: Self.refs, users: [1, 7])
        let message = edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [path]) }
        #expect(message == "\(path): already ingested into 'user_stats' as batch \(first.id) (same SHA-256 \(first.sha256.prefix(12))…); use --force to ingest it again")
        #expect(try t.snapshot(refs: Self.refs, users: [1, 7]) == before)
        // Same bytes under another name are the same file.
        let copy = try t.input("copy.csv", Self.header + "7,2025-11-15T05:00:00Z,1,300,1,gold\n")
        #expect(edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [copy]) }?.contains("already ingested") == true)
        var options = IngestOptions()
        options.force = true
        let again = try t.store.ingest(table: "user_stats", files: [path], options: options).batches[0]
        #expect(again.id == first.id + 1 && again.sha256 == first.sha256 && again.rows == 1)
        #expect(try t.store.check().events == 4)
    }

    @Test func sameFileTwiceInOneCallIsNamedAsSuch() throws {
        // The refusal must not claim a batch that the aborted call never committed.
        let t = try store()
        let before = try t.snapshot(refs: Self.refs)
        let a = try t.input("a.csv", Self.header + "8,2025-11-15T05:00:00Z,1,300,1,gold\n")
        let b = try t.input("b.csv", Self.header + "8,2025-11-15T05:00:00Z,1,300,1,gold\n")
        let message = edgeMessage { _ = try t.store.ingest(table: "user_stats", files: [a, b]) }
        let hash = try FileHash.sha256(a)
        #expect(message == "\(b): same content as \(a), given earlier in this ingest (SHA-256 \(hash.prefix(12))…); use --force to ingest it twice")
        #expect(try t.snapshot(refs: Self.refs) == before)
        var options = IngestOptions()
        options.force = true
        #expect(try t.store.ingest(table: "user_stats", files: [a, b], options: options).batches.map(\.rows) == [1, 1])
    }

    @Test func skipLandsGoodRowsAndWritesRejectsWithReasons() throws {
        let t = try store()
        let path = try t.input("mixed.csv", Self.header + """
        10,2025-11-15T01:00:00Z,1,300,1,gold
        11,2025-11-15T01:00:00Z,abc,300,1,gold
        12,2025-11-15T01:00:00Z,1,100,1,gold
        ,2025-11-15T01:00:00Z,1,300,1,gold
        13,2025-11-15T01:00:00Z,2,310,2,silver

        """)
        var options = IngestOptions()
        options.onInvalid = .skip
        options.destination = .both
        let r = try t.store.ingest(table: "user_stats", files: [path], options: options)
        #expect(r.rows == 2 && r.rejected == 3)
        #expect(r.batches[0].failures == ["age": 1, "credit_score": 1, "user_id": 1])
        let rejects = try #require(r.rejectsFiles[path])
        #expect(rejects == path + ".rejects.jsonl")
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["line"] as? Int } == [3, 4, 5])
        #expect(records.map { $0["column"] as? String } == ["age", "credit_score", "user_id"])
        // Every reason names its column; rows the reader refused also keep their text.
        #expect(records.map { $0["reason"] as? String } == [
            "column 'age': cannot parse \"abc\" as float64", "column 'credit_score': 100 is below the minimum 300 (expect min)",
            "column 'user_id': join key is null",
        ])
        #expect(records[0]["row"] as? String == "11,2025-11-15T01:00:00Z,abc,300,1,gold")
        #expect(records[0]["value"] as? String == "abc" && records[1]["value"] as? String == "100")
        #expect(records.allSatisfy { $0["file"] as? String == path })
        let got = try t.store.onlineFeatures(refs: ["user_stats:age"], entities: (10...13).map { ["user_id": .int64($0)] },
                                             at: Timestamp.parse("2025-11-15T01:00:00Z")!)
        #expect(got.column("age")?.statuses == [.present, .notFound, .notFound, .present])
        #expect(try t.store.check().isHealthy)
    }

    @Test func skipWithEveryRowBadLandsAnEmptyBatch() throws {
        let t = try store()
        let path = try t.input("allbad.csv", Self.header + "1,2025-11-15T01:00:00Z,1,1,1,gold\n")
        var options = IngestOptions()
        options.onInvalid = .skip
        let r = try t.store.ingest(table: "user_stats", files: [path], options: options)
        #expect(r.rows == 0 && r.rejected == 1)
        #expect(r.batches[0].minEventMicros == nil)
        #expect(try t.store.check().isHealthy)
    }
}
