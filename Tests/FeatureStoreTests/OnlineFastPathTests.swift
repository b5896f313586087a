import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// The prepared lookup's in-place path: a result reused across reads of
/// different sizes, every status, string and composite keys, schema versions.
@Suite struct OnlineFastPathTests {
    static let yaml = """
    entities:
      - name: user
        join_keys:
          - {name: user_id, type: int64}
      - name: shop
        join_keys:
          - {name: country, type: string}
          - {name: shop_id, type: int32}
    feature_tables:
      - name: user_stats
        entities: [user]
        ttl: 2d
        created_timestamp_field: created_timestamp
        features:
          - {name: age, type: float64}
          - {name: name, type: string}
          - {name: visits, type: int64}
          - {name: active, type: bool}
      - name: shop_stats
        entities: [shop]
        ttl: 0
        features:
          - {name: revenue, type: float64}
    """

    static let end = Timestamp.parse("2025-11-16T00:00:00Z")!

    func makeStore() throws -> TempStore {
        let t = try TempStore(Self.yaml)
        let users = try t.file("users.csv", """
        user_id,event_timestamp,created_timestamp,age,name,visits,active
        1,2025-11-15T01:00:00Z,2025-11-15T01:05:00Z,31.5,ann,7,true
        2,2025-11-15T02:00:00Z,2025-11-15T02:05:00Z,,a name longer than fifteen bytes,,false
        -3,2025-11-15T03:00:00Z,2025-11-15T03:05:00Z,40,zoë,12,

        """)
        let shops = try t.file("shops.csv", """
        country,shop_id,event_timestamp,revenue
        FR,1,2025-11-15T01:00:00Z,10.5
        DE,1,2025-11-15T01:00:00Z,20.25
        ÜS,2,2025-11-15T01:00:00Z,30

        """)
        _ = try t.store.ingest(table: "user_stats", files: [users])
        _ = try t.store.ingest(table: "shop_stats", files: [shops])
        _ = try t.store.materialize(start: Int64.min, end: Self.end)
        return t
    }

    @Test func reusedResultShrinksAndGrows() throws {
        let t = try makeStore()
        let q = try t.store.onlineQuery(refs: ["user_stats:*"])
        var r = q.emptyResult()
        try q.read(entities: [[.int64(1)], [.int64(2)], [.int64(9)], [.int64(-3)]], at: Self.end, into: &r)
        #expect(r.count == 4)
        #expect(r.column("user_id")?.values == [.int64(1), .int64(2), .int64(9), .int64(-3)])
        #expect(r.column("age")?.values == [.float64(31.5), nil, nil, .float64(40)])
        #expect(r.column("age")?.statuses == [.present, .nullValue, .notFound, .present])
        #expect(r.column("name")?.values == [.string("ann"), .string("a name longer than fifteen bytes"), nil, .string("zoë")])
        #expect(r.column("visits")?.values == [.int64(7), nil, nil, .int64(12)])
        #expect(r.column("active")?.values == [.bool(true), .bool(false), nil, nil])
        #expect(r.column("active")?.statuses == [.present, .present, .notFound, .nullValue])
        let t1 = Timestamp.parse("2025-11-15T01:00:00Z")!
        #expect(r.column("age")?.eventTimestamps[0] == t1)
        #expect(r.column("age")?.eventTimestamps[2] == nil)
        #expect(r.column("user_id")?.eventTimestamps == [nil, nil, nil, nil])

        // Same result, one entity: every column shrinks to one row, old rows gone.
        try q.read(entities: [[.int64(2)]], at: Self.end, into: &r)
        #expect(r.count == 1)
        for c in r.columns { #expect(c.values.count == 1 && c.statuses.count == 1 && c.eventTimestamps.count == 1) }
        #expect(r.column("age")?.statuses == [.nullValue])
        #expect(r.column("name")?.values == [.string("a name longer than fifteen bytes")])

        // Same size again: overwritten in place, nothing left from the previous row.
        try q.read(entities: [[.int64(9)]], at: Self.end, into: &r)
        #expect(r.column("name")?.values == [nil])
        #expect(r.column("name")?.statuses == [.notFound])
        #expect(r.column("name")?.eventTimestamps == [nil])

        // Matches a fresh result, and an empty lookup gives empty columns.
        try q.read(entities: [[.int64(-3)], [.int64(1)]], at: Self.end, into: &r)
        #expect(r == (try q.read(entities: [[.int64(-3)], [.int64(1)]], at: Self.end)))
        try q.read(entities: [], at: Self.end, into: &r)
        #expect(r.count == 0)
    }

    @Test func ttlAndInt32Keys() throws {
        let t = try makeStore()
        let q = try t.store.onlineQuery(refs: ["user_stats:age"])
        var r = q.emptyResult()
        let later = Timestamp.parse("2025-11-18T00:00:00Z")!
        try q.read(entities: [[.int64(1)], [.int32(-3)]], at: later, into: &r)
        #expect(r.column("age")?.statuses == [.outsideMaxAge, .outsideMaxAge])
        #expect(r.column("age")?.values == [nil, nil])
        try q.read(entities: [[.int32(-3)]], at: Self.end, into: &r)
        #expect(r.column("age")?.values == [.float64(40)])
    }

    @Test func compositeStringKeysAndTwoTables() throws {
        let t = try makeStore()
        let q = try t.store.onlineQuery(refs: ["shop_stats:revenue", "user_stats:visits"])
        #expect(q.joinKeys.map(\.name) == ["country", "shop_id", "user_id"])
        var r = q.emptyResult()
        try q.read(entities: [[.string("DE"), .int32(1), .int64(1)],
                              [.string("ÜS"), .int64(2), .int64(5)],
                              [.string("FR"), .int32(2), .int64(-3)]], at: Self.end, into: &r)
        #expect(r.column("revenue")?.values == [.float64(20.25), .float64(30), nil])
        #expect(r.column("visits")?.values == [.int64(7), nil, .int64(12)])
        #expect(r.column("visits")?.statuses == [.present, .notFound, .present])
    }

    @Test func badEntitiesThrowAndLeaveTheStoreReadable() throws {
        let t = try makeStore()
        let q = try t.store.onlineQuery(refs: ["shop_stats:revenue"])
        var r = q.emptyResult()
        #expect(throws: FeatureStoreError.self) { try q.read(entities: [[.string("FR")]], at: Self.end, into: &r) }
        #expect(throws: FeatureStoreError.self) { try q.read(entities: [[.int64(1), .int32(1)]], at: Self.end, into: &r) }
        let long = String(repeating: "x", count: 600)
        #expect(throws: FeatureStoreError.self) { try q.read(entities: [[.string(long), .int32(1)]], at: Self.end, into: &r) }
        try q.read(entities: [[.string("FR"), .int32(1)]], at: Self.end, into: &r)
        #expect(r.column("revenue")?.values == [.float64(10.5)])
    }

    @Test func olderSchemaVersionRowsDecode() throws {
        let t = try makeStore()
        // A compatible change (a new feature) makes version 2; rows written
        // under version 1 read the new feature as null.
        let v2 = Self.yaml.replacingOccurrences(of: "      - {name: active, type: bool}",
                                                 with: "      - {name: active, type: bool}\n      - {name: score, type: float64}")
        #expect(v2 != Self.yaml)
        _ = try t.store.apply(DefinitionsParser.parse(yaml: v2, file: "v2.yaml"))
        let q = try t.store.onlineQuery(refs: ["user_stats:visits", "user_stats:score"])
        var r = q.emptyResult()
        try q.read(entities: [[.int64(1)]], at: Self.end, into: &r)
        #expect(r.column("visits")?.values == [.int64(7)])
        #expect(r.column("score")?.values == [nil])
        #expect(r.column("score")?.statuses == [.nullValue])
    }
}
