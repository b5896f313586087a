import Testing
import Tabular
@testable import FeatureStore

@Suite struct FeatureRefTests {
    @Test func parsesEveryForm() throws {
        #expect(try FeatureRef(parsing: "user_stats:age") == FeatureRef(table: "user_stats", selection: .feature("age")))
        #expect(try FeatureRef(parsing: "user_stats:*") == FeatureRef(table: "user_stats", selection: .all))
        #expect(try FeatureRef(parsing: "user_stats@2:age") == FeatureRef(table: "user_stats", version: 2, selection: .feature("age")))
        #expect(try FeatureRef(parsing: "user_stats@12:*") == FeatureRef(table: "user_stats", version: 12, selection: .all))
        for text in ["user_stats:age", "user_stats:*", "user_stats@2:age", "t@3:*"] {
            #expect(try FeatureRef(parsing: text).description == text)
        }
    }

    @Test func parseErrors() {
        func error(_ text: String) -> String? {
            do { _ = try FeatureRef(parsing: text); return nil } catch { return error.description }
        }
        let shape = "expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'"
        #expect(error("") == "empty feature ref; expected 'table:feature' or 'table:*'")
        #expect(error("user_stats") == "feature ref 'user_stats': \(shape)")
        #expect(error("a:b:c") == "feature ref 'a:b:c': \(shape)")
        #expect(error(":age") == "feature ref ':age': missing table name before ':'")
        #expect(error("t:") == "feature ref 't:': missing feature name after ':' (write 'table:*' for all features)")
        #expect(error("t@:a") == "feature ref 't@:a': invalid version '': expected a positive integer, as in 'table@2:feature'")
        #expect(error("t@0:a") == "feature ref 't@0:a': invalid version '0': expected a positive integer, as in 'table@2:feature'")
        #expect(error("t@-1:a") == "feature ref 't@-1:a': invalid version '-1': expected a positive integer, as in 'table@2:feature'")
        #expect(error("t@v2:a") == "feature ref 't@v2:a': invalid version 'v2': expected a positive integer, as in 'table@2:feature'")
        #expect(error("my-table:a") == "feature ref 'my-table:a': invalid table name 'my-table': a name has only letters, digits and '_'")
        #expect(error("t:a b") == "feature ref 't:a b': invalid feature name 'a b': a name has only letters, digits and '_'")
        #expect(error("t:a*") == "feature ref 't:a*': invalid feature name 'a*': a name has only letters, digits and '_'")
    }

    @Test func splitsRepeatedCommaSeparatedOptions() {
        #expect(FeatureRef.splitList(["a:x,b:*"]) == ["a:x", "b:*"])
        #expect(FeatureRef.splitList(["a:x, b:*", "c@2:y"]) == ["a:x", "b:*", "c@2:y"])
        #expect(FeatureRef.splitList(["a:x,", " ,b:y"]) == ["a:x", "b:y"])
        #expect(FeatureRef.splitList([]) == [])
    }
}

@Suite struct FeatureRefResolutionTests {
    /// user_stats v1 (tableId 3): age float32, country; v2: age float64, country, credit_score.
    /// user_activity v1 (tableId 5): logins. Service churn_v1.
    static let snapshot: CatalogSnapshot = {
        var s = CatalogSnapshot()
        s.entities["user"] = EntityDefinition(name: "user", joinKeys: [JoinKey(name: "user_id", type: .int64)])
        let v1 = FeatureTableDefinition(name: "user_stats", entities: ["user"], features: [
            FeatureDefinition(name: "age", type: .float32), FeatureDefinition(name: "country", type: .string)])
        var v2 = v1
        v2.features = [FeatureDefinition(name: "age", type: .float64), FeatureDefinition(name: "country", type: .string),
                       FeatureDefinition(name: "credit_score", type: .float64)]
        s.tables["user_stats"] = [FeatureTableVersion(tableId: 3, version: 1, definition: v1, createdAtMicros: 10),
                                  FeatureTableVersion(tableId: 3, version: 2, definition: v2, createdAtMicros: 20)]
        let activity = FeatureTableDefinition(name: "user_activity", entities: ["user"],
                                              features: [FeatureDefinition(name: "logins", type: .int64)])
        s.tables["user_activity"] = [FeatureTableVersion(tableId: 5, version: 1, definition: activity, createdAtMicros: 10)]
        s.services["churn_v1"] = FeatureServiceDefinition(name: "churn_v1", features: ["user_activity:*", "user_stats:age"])
        return s
    }()

    func error(_ refs: [String], services: [String] = []) -> String? {
        do { _ = try Self.snapshot.resolve(refs: refs, services: services); return nil } catch { return error.description }
    }

    @Test func resolvesInOrderWithVersionsAndIndexes() throws {
        let r = try Self.snapshot.resolve(refs: ["user_stats:credit_score", "user_activity:logins", "user_stats@1:age"])
        #expect(r.map(\.description) == ["user_stats:credit_score", "user_activity:logins", "user_stats@1:age"])
        #expect(r.map(\.tableId) == [3, 5, 3])
        #expect(r.map(\.version) == [2, 1, 1])
        #expect(r.map(\.isPinned) == [false, false, true])
        #expect(r.map(\.index) == [2, 0, 0])
        #expect(r[2].feature.type == .float32)
        #expect(r[0].fullName == "user_stats__credit_score")
    }

    @Test func starExpandsInDeclarationOrderOfTheVersion() throws {
        let current = try Self.snapshot.resolve(refs: ["user_stats:*"])
        #expect(current.map(\.name) == ["age", "country", "credit_score"])
        #expect(current.map(\.index) == [0, 1, 2])
        #expect(current.map(\.feature.type) == [.float64, .string, .float64])
        let pinned = try Self.snapshot.resolve(refs: ["user_stats@1:*"])
        #expect(pinned.map(\.name) == ["age", "country"])
        #expect(pinned.allSatisfy { $0.version == 1 && $0.isPinned })
    }

    @Test func servicesExpandAfterRefs() throws {
        let r = try Self.snapshot.resolve(refs: ["user_stats:country"], services: ["churn_v1"])
        #expect(r.map(\.description) == ["user_stats:country", "user_activity:logins", "user_stats:age"])
        #expect(try Self.snapshot.resolve(service: "churn_v1").map(\.description) == ["user_activity:logins", "user_stats:age"])
    }

    @Test func errorsNameTheRef() {
        #expect(error(["user_stat:age"]) == "feature ref 'user_stat:age': unknown feature table 'user_stat' (did you mean 'user_stats'?)")
        #expect(error(["nothing:age"]) == "feature ref 'nothing:age': unknown feature table 'nothing'")
        #expect(error(["user_stats:agee"])
                == "feature ref 'user_stats:agee': feature table 'user_stats' (version 2) has no feature 'agee' (did you mean 'age'?)")
        #expect(error(["user_stats@1:credit_score"])
                == "feature ref 'user_stats@1:credit_score': feature table 'user_stats' (version 1) has no feature 'credit_score' (version 2 has it)")
        #expect(error(["user_stats@3:age"])
                == "feature ref 'user_stats@3:age': feature table 'user_stats' has no version 3; its versions are 1, 2")
        #expect(error(["user_activity@2:*"])
                == "feature ref 'user_activity@2:*': feature table 'user_activity' has no version 2; its only version is 1")
        #expect(error([], services: ["churn_v2"]) == "unknown feature service 'churn_v2' (did you mean 'churn_v1'?)")
        #expect(error(["user_stats"]) == "feature ref 'user_stats': expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'")
    }

    @Test func duplicatesAreErrors() {
        #expect(error(["user_stats:age", "user_stats:*"])
                == "feature ref 'user_stats:*': feature 'user_stats:age' is requested twice (by 'user_stats:age' and by 'user_stats:*')")
        #expect(error(["user_stats:age", "user_stats@1:age"])
                == "feature ref 'user_stats@1:age': feature 'user_stats:age' is requested twice (by 'user_stats:age' and by 'user_stats@1:age')")
        #expect(error(["user_activity:logins"], services: ["churn_v1"])
                == "feature ref 'user_activity:*': feature 'user_activity:logins' is requested twice "
                + "(by 'user_activity:logins' and by 'user_activity:*' of feature service 'churn_v1')")
        // The same feature name in two tables is fine here; export decides about column names.
        var s = Self.snapshot
        s.tables["other"] = [FeatureTableVersion(tableId: 9, version: 1, definition: FeatureTableDefinition(
            name: "other", entities: ["user"], features: [FeatureDefinition(name: "age", type: .int32)]), createdAtMicros: 0)]
        #expect((try? s.resolve(refs: ["user_stats:age", "other:age"]))?.count == 2)
    }

    @Test func emptyRefListResolvesToNothing() throws {
        #expect(try Self.snapshot.resolve(refs: []).isEmpty)
    }
}
