import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// The export end to end (entity file → CSV), its training-set records and
/// reproduction, and bad input with the exact messages users see.
@Suite struct PointInTimeExportTests {
    static let events = """
    user_id,event_timestamp,created_timestamp,age,country,credit_score
    1,2025-11-15T01:00:00Z,2025-11-15T01:05:00Z,31.5,FR,700
    1,2025-11-15T03:00:00Z,2025-11-15T03:05:00Z,32,FR,
    1,2025-11-15T03:00:00Z,2025-11-15T03:10:00Z,33,"a,b",
    2,2025-11-15T02:00:00Z,2025-11-15T02:05:00Z,,DE,400

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

    static func store() throws -> TempStore {
        let t = try TempStore(userStatsYAML)
        _ = try t.store.ingest(table: "user_stats", files: [try t.file("events.csv", events)])
        return t
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func csvExportMatchesFeastSemantics() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", Self.entities)
        let out = t.dir + "-train.csv"
        let record = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: out)
        #expect(try Self.read(out) == """
        user_id,event_timestamp,label,age,country,credit_score
        1,2025-11-15T00:59:59Z,0.10,,,
        1,2025-11-15T01:00:00Z,1,31.5,FR,700.0
        1,2025-11-15T03:00:00Z,x,33.0,"a,b",
        2,2025-11-17T02:00:00Z,,,DE,400.0
        2,2025-11-17T02:00:00.000001Z,y,,,
        3,2025-11-16T00:00:00Z,z,,,
        1,2025-11-15T01:00:00Z,1,31.5,FR,700.0

        """)
        #expect(record.rows == 7)
        #expect(record.features == ["user_stats@1:age", "user_stats@1:country", "user_stats@1:credit_score"])
        #expect(record.tables.map(\.matchedRows) == [4])
        #expect(record.batchHighWaterMark == 1)
        #expect(record.columns == ["user_id", "event_timestamp", "label", "age", "country", "credit_score"])
    }

    @Test func parquetOutputHoldsTheSameRowsAsCSV() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", Self.entities)
        let csvOut = t.dir + "-train.csv", parquetOut = t.dir + "-train.parquet"
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: csvOut)
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: parquetOut)
        let reader = try ParquetReader(path: parquetOut)
        #expect(reader.columnNames == ["user_id", "event_timestamp", "label", "age", "country", "credit_score"])
        #expect(reader.rowCount == 7)
        var rows: [String] = []
        let batches = try reader.batches(schema: reader.schema)
        while let b = try batches.next() {
            for r in 0..<b.rowCount {
                rows.append(b.columns.map { $0.value(at: r).map { "\($0)" } ?? "" }.joined(separator: "|"))
            }
        }
        #expect(rows[1] == "1|2025-11-15T01:00:00Z|1|31.5|FR|700.0")
        #expect(rows[0] == "1|2025-11-15T00:59:59Z|0.10|||")
        #expect(rows.count == 7)
        // A Parquet entity file gives the same training set.
        let parquetEntities = t.dir + "-entities.parquet"
        let w = try ParquetWriter(path: parquetEntities, fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)])
        var ids = Column(type: .int64), times = Column(type: .timestamp)
        ids.appendInt64(1); times.appendInt64(Timestamp.parse("2025-11-15T01:00:00Z")!)
        try w.write(batch: RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                                       columns: [ids, times], sourceLines: [1]))
        try w.close()
        let out2 = t.dir + "-train2.csv"
        try t.store.exportTrainingSet(entities: parquetEntities, refs: ["user_stats:age"], to: out2,
                                      options: { var o = PointInTimeOptions(); o.fullFeatureNames = true; return o }())
        #expect(try Self.read(out2) == "user_id,event_timestamp,user_stats__age\n1,2025-11-15T01:00:00Z,31.5\n")
    }

    @Test func createdBeforeEntityAndFullNames() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", Self.entities)
        let out = t.dir + "-train.csv"
        var options = PointInTimeOptions()
        options.createdBeforeEntity = true
        options.fullFeatureNames = true
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:country", "user_stats:age"], to: out, options: options)
        #expect(try Self.read(out) == """
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

    @Test func jsonlEntities() throws {
        let t = try Self.store()
        let entities = try t.file("entities.jsonl", """
        {"label": 1, "user_id": 1, "event_timestamp": "2025-11-15T02:00:00Z", "w": 0.5}
        {"label": 0, "user_id": 2, "event_timestamp": "2025-11-15T02:00:00Z", "w": null}

        """)
        let out = t.dir + "-train.csv"
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age"], to: out)
        #expect(try Self.read(out) == """
        label,user_id,event_timestamp,w,age
        1,1,2025-11-15T02:00:00Z,0.5,31.5
        0,2,2025-11-15T02:00:00Z,,

        """)
    }

    @Test func emptyEntityFileGivesTheHeader() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", "user_id,event_timestamp\n")
        let out = t.dir + "-train.csv"
        let record = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age"], to: out)
        #expect(try Self.read(out) == "user_id,event_timestamp,age\n")
        #expect(record.rows == 0)
    }

    @Test func sameInputsSameBytesSameRecord() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", Self.entities)
        let a = t.dir + "-a.csv", b = t.dir + "-b.csv"
        let first = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: a)
        let second = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: b)
        #expect(try Self.read(a) == Self.read(b))
        #expect(first == second)
        #expect(first.id == "ts-" + first.fingerprint.prefix(16))
        #expect(try t.store.trainingSets() == [first])
        #expect(try t.store.trainingSet(id: first.id) == first)
        #expect(try t.store.trainingSet(id: "ts-nope") == nil)
    }

    @Test func asOfAndReproductionIgnoreLaterData() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", Self.entities)
        let first = t.dir + "-first.csv"
        let record = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: first)
        let before = Clock.nowMicros()
        usleep(2000)
        // Late data: a newer value for user 1 at 01:00 and a first one for user 3.
        _ = try t.store.ingest(table: "user_stats", files: [try t.file("late.csv", """
        user_id,event_timestamp,created_timestamp,age,country,credit_score
        1,2025-11-15T01:00:00Z,2025-11-15T01:06:00Z,99,XX,800
        3,2025-11-15T23:00:00Z,2025-11-15T23:00:00Z,50,IT,500

        """)])
        let now = t.dir + "-now.csv", again = t.dir + "-again.csv", asOf = t.dir + "-asof.csv"
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: now)
        #expect(try Self.read(now) != Self.read(first))
        let reproduced = try t.store.reproduceTrainingSet(id: record.id, to: again)
        #expect(try Self.read(again) == Self.read(first))
        #expect(reproduced.id == record.id)
        var options = PointInTimeOptions()
        options.asOf = before
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: asOf, options: options)
        #expect(try Self.read(asOf) == Self.read(first))
        #expect(try t.store.trainingSets().count == 3)
    }

    @Test func columnarJoinWithoutAFile() throws {
        let t = try Self.store()
        var ids = Column(type: .int64), ts = Column(type: .timestamp)
        for (id, time) in [(1, "2025-11-15T02:00:00Z"), (2, "2025-11-15T02:00:00Z"), (1, "2025-11-20T00:00:00Z")] {
            ids.appendInt64(Int64(id)); ts.appendInt64(Timestamp.parse(time)!)
        }
        let batch = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                                columns: [ids, ts], sourceLines: [2, 3, 4])
        let out = try t.store.historicalFeatures(refs: ["user_stats:age", "user_stats:country"], entities: batch)
        #expect(out.fields.map(\.name) == ["user_id", "event_timestamp", "age", "country"])
        #expect((0..<3).map { out.columns[2].value(at: $0) } == [.float64(31.5), nil, nil])
        #expect((0..<3).map { out.columns[3].value(at: $0) } == [.string("FR"), .string("DE"), nil])
    }

    @Test func nullJoinKeyMatchesNothing() throws {
        let t = try Self.store()
        let entities = try t.file("entities.csv", "user_id,event_timestamp\n,2025-11-15T02:00:00Z\n1,2025-11-15T02:00:00Z\n")
        let out = t.dir + "-train.csv"
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age"], to: out)
        #expect(try Self.read(out) == "user_id,event_timestamp,age\n,2025-11-15T02:00:00Z,\n1,2025-11-15T02:00:00Z,31.5\n")
    }

    // MARK: Bad input

    @Test func nullTimestampInJSONL() throws {
        let t = try Self.store()
        let entities = try t.file("entities.jsonl", """
        {"user_id": 1, "event_timestamp": "2025-11-15T02:00:00Z"}
        {"user_id": 2, "event_timestamp": null}

        """)
        #expect(Self.message { try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age"], to: t.dir + "-o.csv") }
                == "\(entities):2: column 'event_timestamp': missing timestamp")
    }

    @Test func badInputErrorsNameTheColumn() throws {
        let t = try Self.store()
        let out = t.dir + "-train.csv"
        let noKey = try t.file("nokey.csv", "uid,event_timestamp\n1,2025-11-15T02:00:00Z\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: noKey, refs: ["user_stats:age"], to: out) }
                == "\(noKey): missing join key column 'user_id' (entity 'user' of feature table 'user_stats')")
        let noTime = try t.file("notime.csv", "user_id,ts\n1,2025-11-15T02:00:00Z\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: noTime, refs: ["user_stats:age"], to: out) }
                == "\(noTime): missing timestamp column 'event_timestamp' (name another one with --timestamp-column)")
        var options = PointInTimeOptions()
        options.timestampColumn = "ts"
        try t.store.exportTrainingSet(entities: noTime, refs: ["user_stats:age"], to: out, options: options)
        #expect(try Self.read(out) == "user_id,ts,age\n1,2025-11-15T02:00:00Z,31.5\n")
        let badTime = try t.file("badtime.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n2,yesterday\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: badTime, refs: ["user_stats:age"], to: out) }
                == "\(badTime):3: column 'event_timestamp': cannot parse \"yesterday\" as timestamp")
        let nullTime = try t.file("nulltime.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n2,\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: nullTime, refs: ["user_stats:age"], to: out) }
                == "\(nullTime):3: column 'event_timestamp': missing timestamp")
        let badKey = try t.file("badkey.csv", "user_id,event_timestamp\nabc,2025-11-15T02:00:00Z\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: badKey, refs: ["user_stats:age"], to: out) }
                == "\(badKey):2: column 'user_id': cannot parse \"abc\" as int64")
        let good = try t.file("good.csv", "user_id,event_timestamp,age\n1,2025-11-15T02:00:00Z,3\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: good, refs: ["user_stats:nope"], to: out) }
                == "feature ref 'user_stats:nope': feature table 'user_stats' (version 1) has no feature 'nope'")
        #expect(Self.message { try t.store.exportTrainingSet(entities: good, refs: ["user_stat:age"], to: out) }
                == "feature ref 'user_stat:age': unknown feature table 'user_stat' (did you mean 'user_stats'?)")
        #expect(Self.message { try t.store.exportTrainingSet(entities: good, refs: ["user_stats:age"], to: out) }
                == "\(good): feature 'age' of table 'user_stats' has the name of an entity column; use full feature names (--full-feature-names: user_stats__age)")
        // No partial output is left behind by a failed export, and the last good one is intact.
        #expect(!FileManager.default.fileExists(atPath: out + ".tmp-\(getpid())"))
        #expect(try Self.read(out) == "user_id,ts,age\n1,2025-11-15T02:00:00Z,31.5\n")
    }

    /// An existing output is replaced (moved aside, then deleted: no leftover);
    /// a directory in the way is an error and stays.
    @Test func replacesAnExistingOutput() throws {
        let t = try Self.store()
        let out = t.dir + "-again.csv"
        let one = try t.file("one.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n")
        let two = try t.file("two.csv", "user_id,event_timestamp\n2,2025-11-15T02:00:00Z\n1,2025-11-15T02:00:00Z\n")
        try t.store.exportTrainingSet(entities: one, refs: ["user_stats:age"], to: out)
        try t.store.exportTrainingSet(entities: two, refs: ["user_stats:age"], to: out)
        #expect(try Self.read(out).hasPrefix("user_id,event_timestamp,age\n2,"))
        #expect(!FileManager.default.fileExists(atPath: out + ".old-\(getpid())"))
        let dir = t.dir + "-a-directory"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let error = Self.message { try t.store.exportTrainingSet(entities: one, refs: ["user_stats:age"], to: dir) }
        #expect(error?.hasPrefix("\(dir): cannot write") == true, "\(String(describing: error))")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(!FileManager.default.fileExists(atPath: dir + ".old-\(getpid())"))
    }

    @Test func collisionNamesBothTables() throws {
        let t = try TempStore(userStatsYAML + """

          - name: user_more
            entities: [user]
            features:
              - {name: age, type: int64}
        """)
        let entities = try t.file("e.csv", "user_id,event_timestamp\n1,2025-11-15T02:00:00Z\n")
        #expect(Self.message { try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age", "user_more:age"], to: t.dir + "-o.csv") }
                == "feature name 'age' is in both 'user_stats' and 'user_more'; use full feature names (--full-feature-names: user_stats__age, user_more__age)")
        var options = PointInTimeOptions()
        options.fullFeatureNames = true
        try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:age", "user_more:age"], to: t.dir + "-o.csv", options: options)
        #expect(try Self.read(t.dir + "-o.csv") == "user_id,event_timestamp,user_stats__age,user_more__age\n1,2025-11-15T02:00:00Z,,\n")
    }

    @Test func wrongColumnTypeInABatch() throws {
        let t = try Self.store()
        var ids = Column(type: .string), ts = Column(type: .timestamp)
        ids.appendString("1"); ts.appendInt64(0)
        let batch = RecordBatch(fields: [Field("user_id", .string), Field("event_timestamp", .timestamp)],
                                columns: [ids, ts], sourceLines: [2])
        #expect(Self.message { _ = try t.store.historicalFeatures(refs: ["user_stats:age"], entities: batch) }
                == "column 'user_id' is string, but join key 'user_id' of entity 'user' is int64")
    }
}
