import Testing
import Tabular
@testable import FeatureStore

func definitions(_ yaml: String) throws -> Definitions {
    try DefinitionsParser.parse(yaml: yaml, file: "features.yaml")
}

/// Plans and applies `yaml` on `snapshot`, as `fsctl apply` would.
func applying(_ yaml: String, to snapshot: CatalogSnapshot = CatalogSnapshot(), allowBreaking: Bool = false,
              nextTableId: UInt32 = 1, now: Int64 = 1_000) throws -> (plan: ApplyPlan, result: AppliedCatalog) {
    let plan = try CatalogPlanner.plan(current: snapshot, desired: try definitions(yaml), allowBreaking: allowBreaking)
    return (plan, plan.apply(to: snapshot, nextTableId: nextTableId, nowMicros: now))
}

/// The planner's error text, or nil when planning succeeded.
func planError(_ yaml: String, on snapshot: CatalogSnapshot, allowBreaking: Bool = false) throws -> String? {
    let desired = try definitions(yaml)
    do {
        _ = try CatalogPlanner.plan(current: snapshot, desired: desired, allowBreaking: allowBreaking)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct CatalogPlannerTests {
    static let userEntity = """
    entities:
      - name: user
        join_keys:
          - {name: user_id, type: int64}

    """

    /// user_stats v1 with age: float32, country, old_col; ttl 1d (lines 5–12).
    static let statsV1 = userEntity + """
    feature_tables:
      - name: user_stats
        entities: [user]
        ttl: 1d
        features:
          - {name: age, type: float32}
          - {name: country, type: string}
          - {name: old_col, type: int64}

    """

    @Test func createsEverythingOnAnEmptyStore() throws {
        let (plan, result) = try applying(specExample, now: 42)
        #expect(plan.items.map(\.headline) == [
            "entity user: create", "table user_activity: create", "table user_stats: create", "service churn_v1: create",
        ])
        #expect(plan.render() == """
        entity user: create
        table user_activity: create
        table user_stats: create
        service churn_v1: create
        Plan: 4 to create, 0 new versions, 0 to update, 0 unchanged.

        """)
        #expect(plan.items[1].location == SourceLocation(file: "features.yaml", line: 22))
        // New tables take ids in plan order (by name).
        #expect(result.snapshot.tables["user_activity"]?.map(\.tableId) == [1])
        #expect(result.snapshot.tables["user_stats"]?.map(\.tableId) == [2])
        #expect(result.snapshot.tables["user_stats"]?.map(\.version) == [1])
        #expect(result.snapshot.tables["user_stats"]?.first?.createdAtMicros == 42)
        #expect(result.nextTableId == 3)
        #expect(result.changes.count == 4)
        #expect(result.snapshot.entities.keys.sorted() == ["user"])
        #expect(result.snapshot.services["churn_v1"]?.features == ["user_stats:age", "user_stats:num_purchases", "user_activity:*"])
    }

    @Test func applyingTheSameFileTwiceChangesNothing() throws {
        let first = try applying(specExample).result
        let (plan, second) = try applying(specExample, to: first.snapshot, nextTableId: first.nextTableId)
        #expect(plan.items.allSatisfy { $0.action == .unchanged })
        #expect(!plan.hasChanges)
        #expect(plan.render().hasSuffix("Plan: 0 to create, 0 new versions, 0 to update, 4 unchanged.\n"))
        #expect(second.changes.isEmpty)
        #expect(second.snapshot == first.snapshot)
        #expect(second.nextTableId == first.nextTableId)
    }

    @Test func compatibleChangeMakesANewVersion() throws {
        let v1 = try applying(Self.userEntity + """
        feature_tables:
          - name: user_stats
            entities: [user]
            features:
              - {name: age, type: float64}
        """, nextTableId: 5).result
        let (plan, v2) = try applying(Self.userEntity + """
        feature_tables:
          - name: user_stats
            entities: [user]
            features:
              - {name: age, type: float64}
              - {name: credit_score, type: float64}
        feature_services:
          - name: churn_v1
            features: [user_stats:credit_score]
        """, to: v1.snapshot, nextTableId: v1.nextTableId, now: 99)
        #expect(plan.render() == """
        entity user: unchanged
        table user_stats: new version 2 (was 1)
          + feature credit_score: float64
        service churn_v1: create
        Plan: 1 to create, 1 new version, 0 to update, 1 unchanged.

        """)
        #expect(plan.items[1].action == .newVersion(from: 1, to: 2, breaking: false))
        let versions = try #require(v2.snapshot.tables["user_stats"])
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.map(\.tableId) == [5, 5])
        #expect(versions[1].createdAtMicros == 99)
        #expect(versions[1].definition.features.map(\.name) == ["age", "credit_score"])
        #expect(v2.changes.count == 2)
        #expect(v2.nextTableId == 6)
    }

    @Test func everyCompatibleChangeIsListed() throws {
        let v1 = try applying(Self.statsV1).result
        let (plan, _) = try applying(Self.userEntity + """
        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: 2d
            timestamp_field: ts
            created_timestamp_field: created
            description: Daily user aggregates
            tags: {team: risk}
            features:
              - {name: country, type: string, description: ISO code, tags: {pii: "no"}}
              - {name: age, type: float32, expect: {min: 0, max: 130}}
              - {name: old_col, type: int64}
        """, to: v1.snapshot)
        #expect(plan.items[1].action == .newVersion(from: 1, to: 2, breaking: false))
        #expect(plan.items[1].changes.map(\.description) == [
            "~ feature country description: (none) → \"ISO code\"",
            "~ feature country tags: {} → {pii: no}",
            "~ feature age expect: {} → {min: 0, max: 130}",
            "~ feature order: age, country, old_col → country, age, old_col",
            "~ ttl: 1d → 2d",
            "~ timestamp_field: event_timestamp → ts",
            "~ created_timestamp_field: (none) → created",
            "~ description: (none) → \"Daily user aggregates\"",
            "~ tags: {} → {team: risk}",
        ])
    }

    static let breakingFile = userEntity + """
    feature_tables:
      - name: user_stats
        entities: [user]
        ttl: 1d
        features:
          - {name: age, type: float64}
          - {name: country, type: string}

    """

    @Test func breakingChangesAreRefusedWithoutAllowBreaking() throws {
        let v1 = try applying(Self.statsV1).result
        #expect(try planError(Self.breakingFile, on: v1.snapshot) == """
        features.yaml:6: feature table 'user_stats': breaking changes refused; apply with --allow-breaking to make \
        version 2 anyway (events of older versions stay readable under their own schema):
          - feature old_col
          ~ feature age: float32 → float64
        """)
    }

    @Test func breakingChangesAreAllowedWithAllowBreaking() throws {
        let v1 = try applying(Self.statsV1).result
        let (plan, v2) = try applying(Self.breakingFile, to: v1.snapshot, allowBreaking: true, nextTableId: 2)
        #expect(plan.items[1].action == .newVersion(from: 1, to: 2, breaking: true))
        #expect(plan.render() == """
        entity user: unchanged
        table user_stats: new version 2 (was 1, breaking)
          - feature old_col (breaking)
          ~ feature age: float32 → float64 (breaking)
        Plan: 0 to create, 1 new version, 0 to update, 1 unchanged.

        """)
        #expect(v2.snapshot.version(1, of: "user_stats")?.definition.features.count == 3)
        #expect(v2.snapshot.currentVersion(of: "user_stats")?.definition.features.map(\.type) == [.float64, .string])
        // Idempotent after a breaking apply too.
        let again = try applying(Self.breakingFile, to: v2.snapshot, nextTableId: 2)
        #expect(!again.plan.hasChanges)
    }

    @Test func tableEntitiesCannotChangeEvenWithAllowBreaking() throws {
        let v1 = try applying(Self.statsV1).result
        let yaml = Self.userEntity + """
          - name: account
            join_keys: [{name: account_id, type: string}]
        feature_tables:
          - name: user_stats
            entities: [user, account]
            ttl: 1d
            features:
              - {name: age, type: float32}
              - {name: country, type: string}
              - {name: old_col, type: int64}
        """
        let expected = "features.yaml:8: feature table 'user_stats': entities cannot change ([user] → [user, account]), "
            + "even with --allow-breaking: the table's keys are made of their join keys; delete the table first "
            + "(fsctl delete table user_stats) or declare a new table"
        #expect(try planError(yaml, on: v1.snapshot) == expected)
        #expect(try planError(yaml, on: v1.snapshot, allowBreaking: true) == expected)
    }

    @Test func entityJoinKeysCannotChangeWhileATableUsesThem() throws {
        let v1 = try applying(Self.statsV1).result
        let yaml = "entities:\n  - name: user\n    join_keys: [{name: user_id, type: string}]\n"
        #expect(try planError(yaml, on: v1.snapshot, allowBreaking: true) == "features.yaml:2: entity 'user': join keys "
                + "cannot change (user_id: int64 → user_id: string): the keys of every event and online row of table "
                + "'user_stats' are encoded from them; delete it first (fsctl delete table user_stats) or declare a new entity")

        // No table uses it yet: an update.
        let unused = try applying("entities:\n  - name: user\n    join_keys: [{name: user_id, type: int64}]\n").result
        let (plan, after) = try applying(yaml, to: unused.snapshot)
        #expect(plan.items[0].action == .update)
        #expect(plan.items[0].changes.map(\.description) == ["~ join keys: user_id: int64 → user_id: string"])
        #expect(after.snapshot.entities["user"]?.joinKeys == [JoinKey(name: "user_id", type: .string)])
    }

    @Test func entityAndServiceUpdatesInPlace() throws {
        let v1 = try applying(specExample).result
        let yaml = specExample
            .replacingOccurrences(of: "      - {name: user_id, type: int64}",
                                  with: "      - {name: user_id, type: int64}\n    description: A customer\n    tags: {owner: crm}")
            .replacingOccurrences(of: "features: [user_stats:age, user_stats:num_purchases, user_activity:*]",
                                  with: "features: [user_stats:age, user_stats@1:country, user_activity:*]")
        let (plan, after) = try applying(yaml, to: v1.snapshot)
        #expect(plan.render() == """
        entity user: update
          ~ description: (none) → "A customer"
          ~ tags: {} → {owner: crm}
        table user_activity: unchanged
        table user_stats: unchanged
        service churn_v1: update
          - user_stats:num_purchases
          + user_stats@1:country
        Plan: 0 to create, 0 new versions, 2 to update, 2 unchanged.

        """)
        #expect(after.changes == [.entity(after.snapshot.entities["user"]!), .service(after.snapshot.services["churn_v1"]!)])

        let reordered = specExample.replacingOccurrences(
            of: "features: [user_stats:age, user_stats:num_purchases, user_activity:*]",
            with: "features: [user_activity:*, user_stats:age, user_stats:num_purchases]")
        let reorderPlan = try applying(reordered, to: v1.snapshot).plan
        #expect(reorderPlan.items[3].changes.map(\.description) == [
            "~ feature order: user_stats:age, user_stats:num_purchases, user_activity:* → "
            + "user_activity:*, user_stats:age, user_stats:num_purchases",
        ])
    }

    @Test func tableEntitiesMustExistInFileOrStore() throws {
        let yaml = """
        feature_tables:
          - name: t
            entities: [usr]
        """
        #expect(try planError(yaml, on: CatalogSnapshot()) == "features.yaml:2: feature table 't': unknown entity 'usr'; declare it under 'entities'")
        let stored = try applying(Self.userEntity).result.snapshot
        #expect(try planError(yaml, on: stored)
                == "features.yaml:2: feature table 't': unknown entity 'usr' (did you mean 'user'?); declare it under 'entities'")
        #expect(try planError(yaml.replacingOccurrences(of: "usr", with: "user"), on: stored) == nil)
    }

    @Test func featureCollidingWithAStoredEntitysJoinKey() throws {
        let stored = try applying(Self.userEntity).result.snapshot
        let yaml = """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - {name: user_id, type: int64}
        """
        #expect(try planError(yaml, on: stored)
                == "features.yaml:2: feature 'user_id': feature name collides with join key 'user_id' of entity 'user'")
    }

    @Test func serviceRefsMustResolveAfterApply() throws {
        let missingTable = Self.userEntity + """
        feature_services:
          - name: churn_v1
            features: [user_stats:age, user_activty:*]
        """
        let v1 = try applying(Self.statsV1).result
        #expect(try planError(missingTable, on: v1.snapshot) == "features.yaml:6: feature service 'churn_v1': "
                + "feature ref 'user_activty:*': unknown feature table 'user_activty'")
        // The spec example without user_activity does not resolve.
        let withoutActivity = specExample.replacingOccurrences(of: "  - name: user_activity\n    entities: [user]\n    features:\n      - {name: logins_7d, type: int64}\n      - {name: last_login, type: timestamp}\n", with: "")
        #expect(try planError(withoutActivity, on: CatalogSnapshot()) == "features.yaml:24: feature service 'churn_v1': "
                + "feature ref 'user_activity:*': unknown feature table 'user_activity'")
        let missingFeature = Self.statsV1 + "feature_services:\n  - name: s\n    features: [user_stats:agee]\n"
        #expect(try planError(missingFeature, on: CatalogSnapshot()) == "features.yaml:14: feature service 's': "
                + "feature ref 'user_stats:agee': feature table 'user_stats' (version 1) has no feature 'agee' (did you mean 'age'?)")
        let duplicate = Self.statsV1 + "feature_services:\n  - name: s\n    features: [user_stats:age, user_stats:*]\n"
        #expect(try planError(duplicate, on: CatalogSnapshot()) == "features.yaml:14: feature service 's': "
                + "feature ref 'user_stats:*': feature 'user_stats:age' is requested twice (by 'user_stats:age' and by 'user_stats:*' of feature service 's')")
    }

    @Test func pinnedRefsMayNameVersionsThisApplyCreates() throws {
        let v1 = try applying(Self.statsV1).result
        let v2File = Self.statsV1.replacingOccurrences(of: "      - {name: old_col, type: int64}\n",
                                                       with: "      - {name: old_col, type: int64}\n      - {name: score, type: float64}\n")
        let ok = v2File + "feature_services:\n  - name: s\n    features: [user_stats@2:score, user_stats@1:old_col]\n"
        let (plan, after) = try applying(ok, to: v1.snapshot, nextTableId: 2)
        #expect(plan.items.map(\.headline) == ["entity user: unchanged", "table user_stats: new version 2 (was 1)", "service s: create"])
        #expect(try after.snapshot.resolve(service: "s").map(\.version) == [2, 1])

        let tooFar = v2File + "feature_services:\n  - name: s\n    features: [user_stats@3:score]\n"
        #expect(try planError(tooFar, on: v1.snapshot) == "features.yaml:15: feature service 's': "
                + "feature ref 'user_stats@3:score': feature table 'user_stats' has no version 3; its versions are 1, 2")
        // On an empty store, version 2 will not exist.
        #expect(try planError(ok, on: CatalogSnapshot()) == "features.yaml:15: feature service 's': "
                + "feature ref 'user_stats@2:score': feature table 'user_stats' has no version 2; its only version is 1")
    }

    @Test func storedServicesBrokenByABreakingChangeAreRefused() throws {
        let v1 = try applying(Self.statsV1 + "feature_services:\n  - name: legacy\n    features: [user_stats:old_col]\n").result
        #expect(try planError(Self.breakingFile, on: v1.snapshot, allowBreaking: true) == "feature service 'legacy': "
                + "stored service would no longer resolve after this apply (feature ref 'user_stats:old_col': feature table "
                + "'user_stats' (version 2) has no feature 'old_col' (version 1 has it)); declare it in the file with refs that resolve")
        // Pinning the old version keeps it working.
        let pinned = Self.breakingFile + "feature_services:\n  - name: legacy\n    features: [user_stats@1:old_col]\n"
        #expect(try planError(pinned, on: v1.snapshot, allowBreaking: true) == nil)
    }

    @Test func objectsNotInTheFileAreKept() throws {
        let v1 = try applying(specExample).result
        let (plan, after) = try applying(Self.userEntity, to: v1.snapshot, nextTableId: 3)
        #expect(plan.items.map(\.headline) == ["entity user: unchanged"])
        #expect(plan.notInFile == [CatalogObjectKey(.table, "user_activity"), CatalogObjectKey(.table, "user_stats"),
                                   CatalogObjectKey(.service, "churn_v1")])
        #expect(plan.render(showKept: true) == """
        entity user: unchanged
        table user_activity: not in file, kept
        table user_stats: not in file, kept
        service churn_v1: not in file, kept
        Plan: 0 to create, 0 new versions, 0 to update, 1 unchanged.

        """)
        #expect(after.snapshot == v1.snapshot)
        #expect(after.changes.isEmpty)
    }

    @Test func newTablesTakeTheNextFreeIdsExistingOnesKeepTheirs() throws {
        let v1 = try applying(Self.statsV1, nextTableId: 7).result
        #expect(v1.snapshot.currentVersion(of: "user_stats")?.tableId == 7)
        let yaml = Self.statsV1.replacingOccurrences(of: "ttl: 1d", with: "ttl: 3d") + """
          - name: b_table
            entities: [user]
          - name: a_table
            entities: [user]
        """
        let (plan, after) = try applying(yaml, to: v1.snapshot, nextTableId: 8)
        #expect(plan.items.map(\.headline) == ["entity user: unchanged", "table a_table: create", "table b_table: create",
                                               "table user_stats: new version 2 (was 1)"])
        #expect(plan.items[3].changes.map(\.description) == ["~ ttl: 1d → 3d"])
        #expect(after.snapshot.currentVersion(of: "a_table")?.tableId == 8)
        #expect(after.snapshot.currentVersion(of: "b_table")?.tableId == 9)
        #expect(after.snapshot.tables["user_stats"]?.map(\.tableId) == [7, 7])
        #expect(after.nextTableId == 10)
        #expect(after.changes.map { change -> String in
            switch change {
            case .entity(let e): "entity \(e.name)"
            case .tableVersion(let v): "table \(v.name)@\(v.version)#\(v.tableId)"
            case .service(let s): "service \(s.name)"
            }
        } == ["table a_table@1#8", "table b_table@1#9", "table user_stats@2#7"])
    }

    @Test func handBuiltDefinitionsWithDuplicatesAreRejected() throws {
        var d = Definitions()
        d.entities = [EntityDefinition(name: "u", joinKeys: [JoinKey(name: "id", type: .int64)]),
                      EntityDefinition(name: "u", joinKeys: [JoinKey(name: "id", type: .string)])]
        #expect(throws: CatalogError(object: "entity 'u'", "declared twice")) {
            try CatalogPlanner.plan(current: CatalogSnapshot(), desired: d, allowBreaking: false)
        }
    }
}
