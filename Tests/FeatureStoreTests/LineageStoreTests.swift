import Testing
import Foundation
@testable import FeatureStore
import LMDB
import TestSupport

/// The lineage graph store: edges written in the caller's transaction, both
/// indexes kept in step, removals, and stores made before lineage existed.
@Suite struct LineageStoreTests {
    let t0: Int64 = 1_700_000_000_000_000

    func edge(_ from: LineageNode, _ to: LineageNode, _ kind: String, _ attributes: [String: String] = [:]) -> LineageEdge {
        LineageEdge(from: from, to: to, kind: kind, atMicros: t0, attributes: attributes)
    }

    func add(_ store: Store, _ edges: [LineageEdge]) throws {
        try store.environment.write { txn in try store.addLineage(edges, in: &txn) }
    }

    @Test func nodeNamesAreCanonical() {
        #expect(LineageNode.modelVersion("churn", 3).name == "churn/3")
        #expect(LineageNode.alias("churn", "production").name == "churn@production")
        #expect(LineageNode.tableVersion("user_stats", 2).name == "user_stats@2")
        #expect(LineageNode.feature(table: "user_stats", feature: "age").name == "user_stats:age")
        #expect(LineageNode.batch(17).name == "17")
        #expect(LineageNode.tableVersion("user_stats", 2).description == "table_version:user_stats@2")
        #expect(LineageNode.Kind.tableVersion.rawValue == "table_version")
        // Storage codes are distinct and round-trip.
        let codes = LineageNode.Kind.allCases.map(\.code)
        #expect(Set(codes).count == codes.count)
        for k in LineageNode.Kind.allCases { #expect(LineageNode.Kind(code: k.code) == k) }
    }

    @Test func edgesAreReadableFromBothEnds() throws {
        let t = try TempStore()
        let file = LineageNode.file(sha256: String(repeating: "ab", count: 32))
        let e1 = edge(file, .batch(1), "ingested", ["path": "/data/events.csv", "rows": "3"])
        let e2 = edge(.batch(1), .tableVersion("user_stats", 1), "appended")
        let e3 = edge(.table("user_stats"), .tableVersion("user_stats", 1), "version_of")
        try add(t.store, [e1, e2, e3])
        #expect(try t.store.lineageEdges(from: file) == [e1])
        #expect(try t.store.lineageEdges(into: .batch(1)) == [e1])
        #expect(try t.store.lineageEdges(into: .tableVersion("user_stats", 1)).sorted { $0.kind < $1.kind } == [e2, e3])
        #expect(try t.store.lineageEdges(from: .tableVersion("user_stats", 1)).isEmpty)
        #expect(try t.store.allLineageEdges().count == 3)
    }

    @Test func nodesSharingANamePrefixDoNotMix() throws {
        let t = try TempStore()
        let a = edge(.table("user"), .tableVersion("user", 1), "version_of")
        let b = edge(.table("user_stats"), .tableVersion("user_stats", 1), "version_of")
        let c = edge(.online("user"), .trainingSet("ts-1"), "x")   // same name, other kind
        try add(t.store, [a, b, c])
        #expect(try t.store.lineageEdges(from: .table("user")) == [a])
        #expect(try t.store.lineageEdges(from: .table("user_stats")) == [b])
        #expect(try t.store.lineageEdges(from: .online("user")) == [c])
    }

    @Test func oddNamesAndAttributesRoundTrip() throws {
        let t = try TempStore()
        let e = edge(.model("m\u{0}odèl"), .modelVersion("m\u{0}odèl", 1), "version_of",
                     ["": "empty key", "nul": "a\u{0}b", "ünï": "", "path": "/tmp/a b/c.csv"])
        try add(t.store, [e])
        #expect(try t.store.lineageEdges(from: .model("m\u{0}odèl")) == [e])
        #expect(try t.store.lineageEdges(into: .modelVersion("m\u{0}odèl", 1)) == [e])
    }

    @Test func reAddingAnEdgeReplacesItsAttributes() throws {
        let t = try TempStore()
        try add(t.store, [edge(.table("s"), .online("s"), "materialized", ["watermark": "1"])])
        var later = edge(.table("s"), .online("s"), "materialized", ["watermark": "2"])
        later.atMicros = t0 + 5
        try add(t.store, [later])
        #expect(try t.store.lineageEdges(from: .table("s")) == [later])
        #expect(try t.store.lineageEdges(into: .online("s")) == [later])
        // Another kind between the same nodes is another edge.
        try add(t.store, [edge(.table("s"), .online("s"), "pushed")])
        #expect(try t.store.lineageEdges(into: .online("s")).count == 2)
    }

    @Test func removingEdgesIntoANodeKeepsItsOutgoingEdges() throws {
        let t = try TempStore()
        let alias = LineageNode.alias("churn", "production")
        try add(t.store, [edge(.modelVersion("churn", 1), alias, "alias"),
                          edge(.modelVersion("churn", 2), .alias("churn", "staging"), "alias"),
                          edge(alias, .trainingSet("ts-x"), "odd")])
        try t.store.environment.write { txn in
            try t.store.removeLineageEdges(into: alias, in: &txn)
            try t.store.addLineage([edge(.modelVersion("churn", 2), alias, "alias")], in: &txn)
        }
        #expect(try t.store.lineageEdges(into: alias).map(\.from) == [.modelVersion("churn", 2)])
        #expect(try t.store.lineageEdges(from: .modelVersion("churn", 1)).isEmpty)
        #expect(try t.store.lineageEdges(from: alias).count == 1)
        #expect(try t.store.lineageEdges(into: .alias("churn", "staging")).count == 1)
        try expectIndexesAgree(t.store)
    }

    @Test func removingANodeRemovesEveryEdgeTouchingIt() throws {
        let t = try TempStore()
        let v = LineageNode.modelVersion("churn", 3)
        try add(t.store, [edge(.trainingSet("ts-a"), v, "trained_on"),
                          edge(.feature(table: "s", feature: "age"), v, "reads"),
                          edge(.model("churn"), v, "version_of"),
                          edge(v, .alias("churn", "production"), "alias"),
                          edge(.trainingSet("ts-a"), .modelVersion("churn", 4), "trained_on")])
        try t.store.environment.write { txn in try t.store.removeLineageNode(v, in: &txn) }
        let left = try t.store.allLineageEdges()
        #expect(left == [edge(.trainingSet("ts-a"), .modelVersion("churn", 4), "trained_on")])
        #expect(try t.store.lineageEdges(into: .alias("churn", "production")).isEmpty)
        try expectIndexesAgree(t.store)
    }

    @Test func edgesRollBackWithTheirTransaction() throws {
        struct Refused: Error {}
        let t = try TempStore()
        #expect(throws: Refused.self) {
            try t.store.environment.write { txn in
                try t.store.addLineage([edge(.table("s"), .tableVersion("s", 1), "version_of")], in: &txn)
                throw Refused()
            }
        }
        #expect(try t.store.allLineageEdges().isEmpty)
    }

    @Test func overlongAndEmptyEdgesAreRefusedWithContext() throws {
        let t = try TempStore()
        let long = String(repeating: "x", count: 600)
        let e = try #require(throws: FeatureStoreError.self) {
            try add(t.store, [edge(.table(long), .tableVersion("s", 1), "version_of")])
        }
        #expect(e.message.contains("exceeds LMDB's 511-byte limit"))
        let empty = try #require(throws: FeatureStoreError.self) {
            try add(t.store, [edge(.table("s"), .tableVersion("s", 1), "")])
        }
        #expect(empty.message.contains("kind is empty"))
        #expect(try t.store.allLineageEdges().isEmpty)
    }

    /// A store written before the lineage databases existed opens read-only
    /// with an empty graph, and a writable open adds the databases.
    @Test func aStoreFromBeforeLineageStillOpens() throws {
        let dir = NSTemporaryDirectory() + "fs-old-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let env = try Environment(path: dir)
            var dbs: [String: Database] = [:]
            for name in ["meta", "catalog", "events", "online", "batches", "sources", "watermarks", "training_sets"] {
                dbs[name] = try env.openDatabase(name)
            }
            try env.write { txn in
                try txn.put(Array("format".utf8), Bytes.uint32(Store.formatVersion), in: dbs["meta"]!)
                try txn.put(Array("store_id".utf8), Array("0123456789abcdef".utf8), in: dbs["meta"]!)
            }
        }
        var readOnly = Environment.Options()
        readOnly.readOnly = true
        do {
            let old = try Store.open(at: dir, options: readOnly)
            #expect(try old.allLineageEdges().isEmpty)
            #expect(try old.lineageEdges(into: .table("s")).isEmpty)
            #expect(try old.lineageEdges(from: .table("s")).isEmpty)
        }
        do {
            let store = try Store.open(at: dir)
            try add(store, [edge(.table("s"), .tableVersion("s", 1), "version_of")])
            #expect(try store.lineageEdges(into: .tableVersion("s", 1)).count == 1)
        }
    }

    /// Every forward edge has its reverse entry and vice versa.
    func expectIndexesAgree(_ store: Store) throws {
        let forward = try store.allLineageEdges()
        var reverse = 0
        for node in Set(forward.flatMap { [$0.from, $0.to] }) {
            reverse += try store.lineageEdges(into: node).count
        }
        #expect(reverse == forward.count)
        let stat = try store.environment.read { txn in try txn.stat(store.db.lineageReverse!) }
        #expect(stat.entries == forward.count)
    }
}

/// `check` finds a lineage index out of step.
@Suite struct LineageCheckTests {
    @Test func checkFindsAnEdgeMissingFromEitherIndex() throws {
        let t = try TempStore(userStatsYAML)
        #expect(try t.store.check().isHealthy)
        let edge = try LineageKey.key(.table("user_stats"), "version_of", .tableVersion("user_stats", 1))
        let reverse = try LineageKey.key(.tableVersion("user_stats", 1), "version_of", .table("user_stats"))
        try t.store.environment.write { txn in _ = try txn.delete(reverse, in: t.store.db.lineageReverse!) }
        #expect(try t.store.check().problems == [
            "lineage_in: edge table:user_stats -version_of-> table_version:user_stats@1 is missing from the reverse index"])
        try t.store.environment.write { txn in
            try txn.put(reverse, [], in: t.store.db.lineageReverse!)
            _ = try txn.delete(edge, in: t.store.db.lineage!)
        }
        #expect(try t.store.check().problems == [
            "lineage_in: reverse entry table:user_stats -version_of-> table_version:user_stats@1 has no edge in 'lineage'"])
        try t.store.environment.write { txn in try txn.put(edge, [1, 2], in: t.store.db.lineage!) }
        #expect(try t.store.check().problems == [
            "lineage: edge table:user_stats -version_of-> table_version:user_stats@1 has a malformed value"])
    }
}

/// The graph store against a naive in-memory model: seeded random adds,
/// re-adds, removals of edges into a node and of nodes; after each step the
/// edges, both indexes and every walk (reachability, depth) agree.
@Suite struct LineageModelTests {
    struct Key: Hashable { var from: LineageNode; var kind: String; var to: LineageNode }

    @Test(arguments: [1, 2, 3])
    func randomOperationsMatchTheModel(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let t = try TempStore()
        let universe: [LineageNode] = (0..<4).map { LineageNode.batch(UInt64($0)) }
            + (0..<4).map { LineageNode.trainingSet("ts-\($0)") }
            + (0..<3).map { LineageNode.modelVersion("m", $0) } + [.alias("m", "prod"), .table("t"), .table("t\u{0}x")]
        let kinds = ["a", "b", "ab"]
        var model: [Key: LineageEdge] = [:]
        for step in 0..<120 {
            let node = universe[Int(rng.next() % UInt64(universe.count))]
            switch rng.next() % 10 {
            case 0:
                try t.store.environment.write { txn in try t.store.removeLineageEdges(into: node, in: &txn) }
                model = model.filter { $0.key.to != node }
            case 1:
                try t.store.environment.write { txn in try t.store.removeLineageNode(node, in: &txn) }
                model = model.filter { $0.key.to != node && $0.key.from != node }
            default:
                var edges: [LineageEdge] = []
                for _ in 0..<Int(1 + rng.next() % 3) {
                    let to = universe[Int(rng.next() % UInt64(universe.count))]
                    guard to != node else { continue }
                    let e = LineageEdge(from: node, to: to, kind: kinds[Int(rng.next() % 3)], atMicros: Int64(step),
                                        attributes: ["step": String(step), "r": String(rng.next() % 5)])
                    edges.append(e)
                    model[Key(from: e.from, kind: e.kind, to: e.to)] = e
                }
                try t.store.environment.write { txn in try t.store.addLineage(edges, in: &txn) }
            }
            let stored = try t.store.allLineageEdges()
            #expect(Dictionary(uniqueKeysWithValues: stored.map { (Key(from: $0.from, kind: $0.kind, to: $0.to), $0) }) == model,
                    "seed \(seed) step \(step)")
            #expect(try t.store.check().isHealthy)
        }
        // Walks: reachability and depth against a breadth-first walk of the model.
        for start in universe {
            for downstream in [true, false] {
                for depth in [1, 2, nil] as [Int?] {
                    var reached: Set<LineageNode> = [start], frontier = [start], level = 0
                    while !frontier.isEmpty, depth.map({ level < $0 }) ?? true {
                        frontier = frontier.flatMap { n in
                            model.keys.filter { downstream ? $0.from == n : $0.to == n }.map { downstream ? $0.to : $0.from }
                        }.filter { reached.insert($0).inserted }
                        level += 1
                    }
                    let g = try t.store.lineage(of: start, direction: downstream ? .downstream : .upstream, depth: depth)
                    #expect(Set(g.nodes) == reached && g.nodes.count == reached.count && g.nodes.first == start,
                            "seed \(seed) \(start) downstream \(downstream) depth \(String(describing: depth))")
                    #expect(g.edges.allSatisfy { reached.contains($0.from) && reached.contains($0.to) })
                }
            }
        }
    }
}
