import Testing
@testable import FeatureStore
import Tabular

@Suite struct SmokeTests {
    @Test func ingestMaterializeGet() throws {
        let t = try TempStore(userStatsYAML)
        let csv = try t.file("events.csv", """
        user_id,event_timestamp,created_timestamp,age,country,credit_score
        1,2025-11-15T01:00:00Z,2025-11-15T01:05:00Z,31.5,FR,700
        1,2025-11-15T03:00:00Z,2025-11-15T03:05:00Z,32,FR,
        2,2025-11-15T02:00:00Z,2025-11-15T02:05:00Z,,DE,400

        """)
        let r = try t.store.ingest(table: "user_stats", files: [csv])
        #expect(r.rows == 3)
        let end = Timestamp.parse("2025-11-16T00:00:00Z")!
        let m = try t.store.materializeIncremental(end: end)
        #expect(m.tables.first?.entities == 2)
        let got = try t.store.onlineFeatures(refs: ["user_stats:age", "user_stats:country"],
                                             entities: [["user_id": "1"], ["user_id": "2"], ["user_id": "3"]], at: end)
        #expect(got.featureNames == ["user_id", "age", "country"])
        #expect(got.column("age")?.values == [.float64(32), nil, nil])
        #expect(got.column("age")?.statuses == [.present, .nullValue, .notFound])
        #expect(got.column("country")?.values == [.string("FR"), .string("DE"), nil])
        let later = try t.store.onlineFeatures(refs: ["user_stats:age"], entities: [["user_id": "1"]],
                                               at: Timestamp.parse("2025-11-18T00:00:00Z")!)
        #expect(later.column("age")?.statuses == [.outsideMaxAge])
    }
}

@Suite struct DeleteTableTests {
    @Test func deletingTheOnlyTableWithEventsRemovesEverything() throws {
        let t = try TempStore(userStatsYAML)
        let csv = try t.file("del.csv", "user_id,event_timestamp,age\n1,2025-11-15T01:00:00Z,1\n2,2025-11-15T01:00:00Z,2\n")
        _ = try t.store.ingest(table: "user_stats", files: [csv], options: { var o = IngestOptions(); o.destination = .both; return o }())
        let r = try t.store.delete(CatalogObjectKey(.table, "user_stats"))
        #expect(r.events == 2 && r.onlineRows == 2 && r.versions == 1)
        #expect(try t.store.catalog().tables.isEmpty)
        #expect(try t.store.check().isHealthy)
    }
}

@Suite struct FirstBadLineTests {
    func message(_ csv: String) throws -> String {
        let t = try TempStore(userStatsYAML)
        let path = try t.file("mixed.csv", csv)
        do {
            _ = try t.store.ingest(table: "user_stats", files: [path])
            return "no error"
        } catch {
            return "\(error)".replacingOccurrences(of: path, with: "f.csv")
        }
    }

    @Test func aFailedCheckBeforeAnUnparsableValueIsReportedFirst() throws {
        #expect(try message("user_id,event_timestamp,credit_score\n1,2025-11-15T01:00:00Z,900\n2,2025-11-15T01:00:00Z,400\n3,2025-11-15T01:00:00Z,abc\n")
                == "f.csv:2: column 'credit_score': 900 is above the maximum 850 (expect max)")
    }

    @Test func anUnparsableValueBeforeAFailedCheckIsReportedFirst() throws {
        #expect(try message("user_id,event_timestamp,credit_score\n1,2025-11-15T01:00:00Z,abc\n2,2025-11-15T01:00:00Z,400\n3,2025-11-15T01:00:00Z,900\n")
                == "f.csv:2: column 'credit_score': cannot parse \"abc\" as float64")
    }
}
