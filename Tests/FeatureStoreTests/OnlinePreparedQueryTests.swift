import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// A prepared ``OnlineQuery`` is meant to be kept and reused (a server keeps
/// one per feature list). When the table gains a schema version after it was
/// prepared, rows written under that version must not silently read as null.
@Suite struct OnlinePreparedQueryTests {
    static let v2 = edgeYAML.replacingOccurrences(of: "      - {name: s, type: string}\n",
                                                  with: "      - {name: s, type: string}\n      - {name: w, type: float64}\n")

    @Test func rowsOfANewerSchemaVersionAreNotReadAsNull() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "old.csv", "user_id,event_timestamp,v\n2,\(edgeText(0)),5\n", to: .online)
        let prepared = try t.store.onlineQuery(refs: ["stats:v"])
        try t.store.apply(DefinitionsParser.parse(yaml: Self.v2, file: "v2.yaml"))
        try t.ingest("stats", "new.csv", "user_id,event_timestamp,v\n1,\(edgeText(0)),7\n", to: .online)

        // Rows of versions it knows still read fine…
        let old = try prepared.read(entities: [[.int64(2)]], at: edgeTime(0))
        #expect(old.columns[1].values == [.int64(5)])
        // …a row of the newer version is an error saying what to do, not a NULL_VALUE.
        let message = edgeMessage { _ = try prepared.read(entities: [[.int64(1)]], at: edgeTime(0)) }
        #expect(message == "table 'stats' has schema version 2, newer than this prepared query (prepare it again)")
        // A query prepared now reads it.
        let fresh = try t.store.onlineQuery(refs: ["stats:v"]).read(entities: [[.int64(1)]], at: edgeTime(0))
        #expect(fresh.columns[1].values == [.int64(7)])
        #expect(fresh.columns[1].statuses == [.present])
    }
}
