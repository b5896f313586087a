import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// SPEC 6's online read statuses, one rule per test.
@Suite struct OnlineStatusTests {
    let header = "user_id,event_timestamp,v,s\n"

    @Test func theFourStatuses() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(0)),7,x\n2,\(edgeText(0)),,y\n3,\(edgeText(-120)),9,z\n", to: .online)
        let r = try t.store.onlineFeatures(refs: ["stats:v"], entities: (1...4).map { ["user_id": .int64($0)] }, at: edgeTime(0))
        let v = try #require(r.column("v"))
        #expect(v.statuses == [.present, .nullValue, .outsideMaxAge, .notFound])
        #expect(v.values == [.int64(7), nil, nil, nil])
        // A stale value still says how old it is; NOT_FOUND has no time.
        #expect(v.eventTimestamps == [edgeTime(0), edgeTime(0), edgeTime(-120), nil])
        #expect(r.column("user_id")?.values == (1...4).map { .int64($0) })
    }

    @Test func exactlyAtTheTTLBoundaryIsStillPresent() throws {
        let t = try TempStore(edgeYAML)   // stats: ttl 1h
        let ts = edgeTime(0)
        try t.ingest("stats", "a.csv", header + "1,\(Timestamp.format(ts)),7,x\n", to: .online)
        let at = try t.read("stats:v", user: 1, at: ts + edgeHour)
        #expect(at.status == .present && at.value == .int64(7) && at.eventTimestamp == ts)
        let past = try t.read("stats:v", user: 1, at: ts + edgeHour + 1)
        #expect(past.status == .outsideMaxAge && past.value == nil && past.eventTimestamp == ts)
    }

    @Test func aNullValueOlderThanTheTTLIsOutsideMaxAge() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(0)),,x\n", to: .online)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(60)).status == .nullValue)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(61)).status == .outsideMaxAge)
    }

    @Test func withoutTTLNothingIsStale() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", "user_id,event_timestamp,v\n1,1970-01-01T00:00:00Z,7\n", to: .online)
        let r = try t.read("forever:v", user: 1, at: Timestamp.parse("2100-01-01T00:00:00Z")!)
        #expect(r.status == .present && r.value == .int64(7))
    }

    @Test func theTTLIsRelativeToNowByDefault() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(0)),7,x\n", to: .online)
        let r = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": "1"]])   // no `at`: now, long after 2025-11-15
        #expect(r.column("v")?.statuses == [.outsideMaxAge])
    }

    @Test func olderEventsReadAFeatureAddedLaterAsNull() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(0)),7,x\n", to: .both)
        let v2 = edgeYAML.replacingOccurrences(of: "      - {name: s, type: string}\n",
                                               with: "      - {name: s, type: string}\n      - {name: w, type: float64}\n")
        let plan = try t.store.apply(DefinitionsParser.parse(yaml: v2, file: "v2.yaml"))
        #expect(plan.hasChanges)
        var r = try t.store.onlineFeatures(refs: ["stats:*"], entities: [["user_id": "1"], ["user_id": "2"]], at: edgeTime(0))
        #expect(r.featureNames == ["user_id", "v", "s", "w"])
        #expect(r.column("v")?.statuses == [.present, .notFound])
        #expect(r.column("w")?.statuses == [.nullValue, .notFound])
        #expect(r.column("w")?.eventTimestamps == [edgeTime(0), nil])
        // A version-2 event for user 2, and user 1's version-1 event re-materialized: both readable.
        try t.ingest("stats", "b.csv", "user_id,event_timestamp,v,w\n2,\(edgeText(1)),8,2.5\n")
        try t.store.materialize(start: edgeTime(-10), end: edgeTime(10))
        r = try t.store.onlineFeatures(refs: ["stats:v", "stats:w"], entities: [["user_id": "1"], ["user_id": "2"]], at: edgeTime(1))
        #expect(r.column("v")?.values == [.int64(7), .int64(8)])
        #expect(r.column("w")?.values == [nil, .float64(2.5)])
        #expect(r.column("w")?.statuses == [.nullValue, .present])
        #expect(try t.store.check().isHealthy)
    }

    @Test func compositeKeysWithAwkwardStrings() throws {
        let yaml = """
        entities:
          - name: shop
            join_keys:
              - {name: shop_id, type: int64}
              - {name: city, type: string}
        feature_tables:
          - name: sales
            entities: [shop]
            features:
              - {name: n, type: int32}

        """
        let t = try TempStore(yaml)
        let cities = ["", "a", "a\u{0}", "a\u{0}b", "\u{0}", "a,b", "say \"hi\"", "日本", "e\u{301}", "\u{E9}"]
        var lines = ""
        for (i, c) in cities.enumerated() {
            lines += #"{"shop_id":\#(i % 2 == 0 ? Int64.min : Int64.max),"city":\#(ModelFiles.jsonString(c)),"event_timestamp":"2025-11-15T00:00:00Z","n":\#(i)}"# + "\n"
        }
        try t.ingest("sales", "a.jsonl", lines, to: .online)
        let entities: [[String: Value]] = cities.enumerated().map { i, c in
            ["shop_id": .int64(i % 2 == 0 ? Int64.min : Int64.max), "city": .string(c)]
        }
        let r = try t.store.onlineFeatures(refs: ["sales:n"], entities: entities + [["shop_id": .int64(Int64.min), "city": .string("b")]])
        #expect(r.column("n")?.values == cities.indices.map { .int32(Int32($0)) } + [nil])
        #expect(try t.store.check().onlineRows == cities.count)
    }

    @Test func bytesJoinKeysAsBase64TextOrRawBytes() throws {
        let yaml = """
        entities:
          - name: blob
            join_keys:
              - {name: digest, type: bytes}
        feature_tables:
          - name: blobs
            entities: [blob]
            features:
              - {name: n, type: int32}

        """
        let t = try TempStore(yaml)
        let keys: [[UInt8]] = [[], [0], [0, 0xFF], [0xFF, 0], [1, 2, 3]]
        var lines = ""
        for (i, k) in keys.enumerated() {
            lines += #"{"digest":"\#(Data(k).base64EncodedString())","event_timestamp":"2025-11-15T00:00:00Z","n":\#(i)}"# + "\n"
        }
        try t.ingest("blobs", "a.jsonl", lines, to: .online)
        let typed = try t.store.onlineFeatures(refs: ["blobs:n"], entities: keys.map { ["digest": .bytes($0)] })
        let text = try t.store.onlineFeatures(refs: ["blobs:n"], entities: keys.map { ["digest": Data($0).base64EncodedString()] })
        #expect(typed.column("n")?.values == keys.indices.map { .int32(Int32($0)) })
        #expect(text == typed)
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["blobs:n"], entities: [["digest": "not base64!"]]) }
                == "entity 1: join key 'digest': cannot parse \"not base64!\" as bytes")
    }

    @Test func badEntitiesAreNamed() throws {
        let t = try TempStore(edgeYAML)
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": "x"]]) }
                == "entity 1: join key 'user_id': cannot parse \"x\" as int64")
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": "1"], [:]]) }
                == "entity 2: missing join key 'user_id'")
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": "1", "uid": "2"]]) }
                == "entity 1: unknown join key 'uid' (the features requested use 'user_id')")
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": .string("1")]]) }
                == "entity 1: join key 'user_id' expects int64, got 1")
    }
}
