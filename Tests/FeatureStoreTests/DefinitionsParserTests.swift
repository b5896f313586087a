import Testing
import Tabular
@testable import FeatureStore

/// The example of SPEC section 3, verbatim, plus the `user_activity` table its
/// service refers to.
let specExample = """
entities:
  - name: user
    join_keys:
      - {name: user_id, type: int64}

feature_tables:
  - name: user_stats
    entities: [user]
    ttl: 2d                      # s, m, h, d, w; 0 or absent = no expiry
    timestamp_field: event_timestamp          # default event_timestamp
    created_timestamp_field: created_timestamp # optional; absent = ingest time
    description: Daily user aggregates
    tags: {team: risk}
    features:
      - {name: age, type: float64}
      - {name: num_purchases, type: int64}
      - {name: country, type: string}
      - {name: is_premium, type: bool}
      - {name: embedding, type: "float32[8]"}
      - {name: credit_score, type: float64, expect: {min: 300, max: 850}}
      - {name: region, type: int32, expect: {not_null: true, in: [1, 2, 3, 4]}}
  - name: user_activity
    entities: [user]
    features:
      - {name: logins_7d, type: int64}
      - {name: last_login, type: timestamp}

feature_services:
  - name: churn_v1
    features: [user_stats:age, user_stats:num_purchases, user_activity:*]
"""

/// Parses `yaml` and returns the error's text, or nil when it parsed.
func parseError(_ yaml: String, file: String = "features.yaml") -> String? {
    do {
        _ = try DefinitionsParser.parse(yaml: yaml, file: file)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct DefinitionsParserTests {
    @Test func parsesTheSpecExample() throws {
        let d = try DefinitionsParser.parse(yaml: specExample, file: "features.yaml")
        #expect(d.entities == [EntityDefinition(name: "user", joinKeys: [JoinKey(name: "user_id", type: .int64)])])
        #expect(d.featureTables.map(\.name) == ["user_stats", "user_activity"])
        let stats = d.featureTables[0]
        #expect(stats.entities == ["user"])
        #expect(stats.ttlMicros == 2 * 86_400_000_000)
        #expect(stats.timestampField == "event_timestamp")
        #expect(stats.createdTimestampField == "created_timestamp")
        #expect(stats.description == "Daily user aggregates")
        #expect(stats.tags == ["team": "risk"])
        #expect(stats.features.map(\.name) == ["age", "num_purchases", "country", "is_premium", "embedding",
                                               "credit_score", "region"])
        #expect(stats.features.map(\.type) == [.float64, .int64, .string, .bool, .float32Vector(8), .float64, .int32])
        #expect(stats.features[0].expect == nil)
        #expect(stats.features[5].expect == Expectation(min: 300, max: 850))
        #expect(stats.features[6].expect == Expectation(notNull: true, allowed: [.number(1), .number(2), .number(3), .number(4)]))

        let activity = d.featureTables[1]
        #expect(activity.ttlMicros == 0)
        #expect(activity.timestampField == "event_timestamp")
        #expect(activity.createdTimestampField == nil)
        #expect(activity.description == nil)
        #expect(activity.tags == [:])

        #expect(d.featureServices == [FeatureServiceDefinition(
            name: "churn_v1", features: ["user_stats:age", "user_stats:num_purchases", "user_activity:*"])])
        #expect(d.locations == [
            CatalogObjectKey(.entity, "user"): SourceLocation(file: "features.yaml", line: 2),
            CatalogObjectKey(.table, "user_stats"): SourceLocation(file: "features.yaml", line: 7),
            CatalogObjectKey(.table, "user_activity"): SourceLocation(file: "features.yaml", line: 22),
            CatalogObjectKey(.service, "churn_v1"): SourceLocation(file: "features.yaml", line: 29),
        ])
    }

    @Test func emptyFileAndEmptySectionsGiveEmptyDefinitions() throws {
        #expect(try DefinitionsParser.parse(yaml: "", file: "f.yaml") == Definitions())
        #expect(try DefinitionsParser.parse(yaml: "# nothing\n", file: "f.yaml") == Definitions())
        #expect(try DefinitionsParser.parse(yaml: "entities:\nfeature_tables: []\n", file: "f.yaml") == Definitions())
    }

    @Test func ttlForms() throws {
        func ttl(_ text: String) throws -> Int64 {
            let yaml = """
            entities: [{name: u, join_keys: [{name: id, type: string}]}]
            feature_tables: [{name: t, entities: [u], ttl: \(text)}]
            """
            return try DefinitionsParser.parse(yaml: yaml, file: "f.yaml").featureTables[0].ttlMicros
        }
        let s: Int64 = 1_000_000
        #expect(try ttl("0") == 0)
        #expect(try ttl("30s") == 30 * s)
        #expect(try ttl("15m") == 15 * 60 * s)
        #expect(try ttl("2h") == 2 * 3600 * s)
        #expect(try ttl("2d") == 2 * 86400 * s)
        #expect(try ttl("1w") == 7 * 86400 * s)
        #expect(try ttl("86400") == 86400 * s)
        #expect(try ttl("\"3600\"") == 3600 * s)
        #expect(try ttl("1h30m") == 5400 * s)
    }

    @Test func tagsStringifyScalarsAndDescriptionsKeepText() throws {
        let yaml = """
        entities:
          - name: user
            description: People
            tags: {version: 2, active: true, ratio: 0.5, owner: "ml"}
            join_keys: [{name: user_id, type: int64}, {name: region, type: string}]
        """
        let e = try DefinitionsParser.parse(yaml: yaml, file: "f.yaml").entities[0]
        #expect(e.tags == ["version": "2", "active": "true", "ratio": "0.5", "owner": "ml"])
        #expect(e.description == "People")
        #expect(e.joinKeys.map(\.name) == ["user_id", "region"])
    }

    @Test func expectationsOfEachType() throws {
        let yaml = """
        entities: [{name: u, join_keys: [{name: id, type: int32}]}]
        feature_tables:
          - name: t
            entities: [u]
            features:
              - {name: s, type: string, expect: {in: [a, "b", "1"]}}
              - {name: b, type: bool, expect: {in: [true, false]}}
              - {name: f, type: float32, expect: {min: -1.5, max: 2, in: [0, 0.5]}}
              - {name: n, type: int64, expect: {not_null: false}}
              - {name: e, type: float64, expect: {}}
        """
        let f = try DefinitionsParser.parse(yaml: yaml, file: "f.yaml").featureTables[0].features
        #expect(f[0].expect == Expectation(allowed: [.string("a"), .string("b"), .string("1")]))
        #expect(f[1].expect == Expectation(allowed: [.bool(true), .bool(false)]))
        #expect(f[2].expect == Expectation(min: -1.5, max: 2, allowed: [.number(0), .number(0.5)]))
        #expect(f[3].expect == nil)
        #expect(f[4].expect == nil)
    }

    @Test func entitiesMayBeDeclaredInAnotherFile() throws {
        // The parser cannot know the store's entities; the planner checks them.
        let yaml = "feature_tables: [{name: t, entities: [stored_entity], features: [{name: x, type: bool}]}]"
        let d = try DefinitionsParser.parse(yaml: yaml, file: "f.yaml")
        #expect(d.featureTables[0].entities == ["stored_entity"])
    }
}
