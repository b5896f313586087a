import Testing
@testable import FeatureStore

/// Every error the parser can report, with its exact text and line.
@Suite struct DefinitionsErrorTests {
    /// A valid prefix: an entity `user` (join key `user_id`) on lines 1–4.
    static let header = """
    entities:
      - name: user
        join_keys:
          - {name: user_id, type: int64}

    """

    @Test func unknownTypeMatchesTheSpecExample() {
        let yaml = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}

        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: 2d
            description: Daily user aggregates
            tags: {team: risk}
            features:
              - {name: country, type: string}
              - {name: age, type: flaot64}
        """
        let message = parseError(yaml)
        #expect(message?.hasPrefix("features.yaml:14: feature 'age': unknown type 'flaot64'") == true)
        #expect(message == "features.yaml:14: feature 'age': unknown type 'flaot64' (did you mean 'float64'?)")
    }

    @Test func unknownTypeWithoutCloseMatchListsTypes() {
        let yaml = Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - name: blob
                type: image
        """
        #expect(parseError(yaml) == "features.yaml:10: feature 'blob': unknown type 'image' (types: bool, int32, "
                + "int64, float32, float64, string, bytes, timestamp, float32[N])")
    }

    @Test func unknownFields() {
        let table = Self.header + """
        feature_tables:
          - name: user_stats
            entities: [user]
            tll: 2d
        """
        #expect(parseError(table) == "features.yaml:8: feature table 'user_stats': unknown field 'tll' (did you mean 'ttl'?)")

        let feature = Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - {name: age, type: float64, descripton: x}
        """
        #expect(parseError(feature) == "features.yaml:9: feature 'age': unknown field 'descripton' (did you mean 'description'?)")

        let top = "entity:\n  - name: user\n"
        #expect(parseError(top) == "features.yaml:1: unknown field 'entity' (did you mean 'entities'?)")

        let expect = Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - name: age
                type: float64
                expect: {minimum: 3}
        """
        #expect(parseError(expect) == "features.yaml:11: feature 'age': unknown field 'minimum'")

        let joinKey = "entities:\n  - name: user\n    join_keys: [{name: id, type: int64, nullable: true}]\n"
        #expect(parseError(joinKey) == "features.yaml:3: join key 'id': unknown field 'nullable'")

        let service = "feature_services:\n  - name: s\n    refs: [a:b]\n"
        #expect(parseError(service) == "features.yaml:3: feature service 's': unknown field 'refs'")
    }

    @Test func missingNameAndType() {
        #expect(parseError("feature_tables:\n  - entities: [user]\n")
                == "features.yaml:2: feature table: missing required field 'name'")
        #expect(parseError("entities:\n  - join_keys: []\n") == "features.yaml:2: entity: missing required field 'name'")
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    features:\n      - {type: int64}\n")
                == "features.yaml:9: feature: missing required field 'name'")
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    features:\n      - {name: x}\n")
                == "features.yaml:9: feature 'x': missing required field 'type'")
        #expect(parseError("feature_services:\n  - features: [a:b]\n")
                == "features.yaml:2: feature service: missing required field 'name'")
    }

    @Test func invalidNames() {
        #expect(parseError("entities:\n  - name: user-id\n")
                == "features.yaml:2: entity: invalid name 'user-id': a name has only letters, digits and '_'")
        #expect(parseError("entities:\n  - name: 1user\n")
                == "features.yaml:2: entity: invalid name '1user': a name starts with a letter or '_'")
        let long = String(repeating: "a", count: 129)
        #expect(parseError("entities:\n  - name: \(long)\n")
                == "features.yaml:2: entity: invalid name '\(long)': names are at most 128 characters")
        #expect(parseError("entities:\n  - name: \(String(long.dropLast()))\n    join_keys: [{name: k, type: string}]\n") == nil)
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    timestamp_field: event time\n")
                == "features.yaml:8: feature table 't': invalid timestamp_field 'event time': "
                + "a name has only letters, digits and '_'")
    }

    @Test func badTTL() {
        func ttlError(_ ttl: String) -> String? {
            parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    ttl: \(ttl)\n")
        }
        let invalid = "write 0 (no expiry), a number of seconds, or a number with a unit s, m, h, d or w (30s, 15m, 2h, 2d, 1w)"
        #expect(ttlError("2x") == "features.yaml:8: feature table 't': invalid ttl '2x': \(invalid)")
        #expect(ttlError("1.5h") == "features.yaml:8: feature table 't': invalid ttl '1.5h': \(invalid)")
        #expect(ttlError("1.5") == "features.yaml:8: feature table 't': invalid ttl '1.5': \(invalid)")
        #expect(ttlError("d") == "features.yaml:8: feature table 't': invalid ttl 'd': \(invalid)")
        #expect(ttlError("10s5") == "features.yaml:8: feature table 't': invalid ttl '10s5': \(invalid)")
        #expect(ttlError("[1]") == "features.yaml:8: feature table 't': 'ttl' must be a single value, found a list")
        #expect(ttlError("-5") == "features.yaml:8: feature table 't': ttl cannot be negative: '-5'")
        #expect(ttlError("-1d") == "features.yaml:8: feature table 't': ttl cannot be negative: '-1d'")
        #expect(ttlError("99999999999999999w") == "features.yaml:8: feature table 't': ttl '99999999999999999w' is too large")
    }

    @Test func badExpectations() {
        func expectError(_ type: String, _ expect: String) -> String? {
            parseError(Self.header + """
            feature_tables:
              - name: t
                entities: [user]
                features:
                  - name: f
                    type: \(type)
                    expect: \(expect)
            """)
        }
        let at = "features.yaml:11: feature 'f': "
        #expect(expectError("string", "{min: 1}") == at + "expect.min only applies to numeric features, not string")
        #expect(expectError("float32[4]", "{max: 1}") == at + "expect.max only applies to numeric features, not float32[4]")
        #expect(expectError("float64", "{min: 850, max: 300}") == at + "expect.min (850) is greater than expect.max (300)")
        #expect(expectError("float64", "{min: low}") == at + "expect.min must be a finite number, found 'low'")
        #expect(expectError("float64", "{max: .inf}") == at + "expect.max must be a finite number, found the number .inf")
        #expect(expectError("int64", "{not_null: maybe}") == at + "expect.not_null must be true or false, found 'maybe'")
        #expect(expectError("int64", "{in: [1, two]}") == at + "expect.in values must be integers for a int64 feature, found 'two'")
        #expect(expectError("int32", "{in: [1.5]}") == at + "expect.in values must be integers for a int32 feature, found the number 1.5")
        #expect(expectError("int32", "{in: [3000000000]}") == at + "expect.in value 3000000000 does not fit in int32")
        #expect(expectError("float64", "{in: [a]}") == at + "expect.in values must be numbers for a float64 feature, found 'a'")
        #expect(expectError("string", "{in: [a, 1]}")
                == at + "expect.in values must be strings for a string feature, found the number 1 (quote it to make it a string)")
        #expect(expectError("bool", "{in: [true, 0]}")
                == at + "expect.in values must be true or false for a bool feature, found the number 0")
        #expect(expectError("bytes", "{in: [a]}") == at + "expect.in does not apply to bytes features")
        #expect(expectError("int64", "{in: []}") == at + "expect.in must list at least one value")
        #expect(expectError("int64", "{in: 3}") == at + "'expect.in' must be a list, found the number 3")
        #expect(expectError("int64", "[1]") == "features.yaml:11: expected a mapping with min, max, not_null or in, found a list")
        #expect(expectError("int64", "{min: 1, max: 1}") == nil)
    }

    @Test func duplicateNames() {
        #expect(parseError("""
        entities:
          - name: user
            join_keys: [{name: id, type: int64}]
          - name: user
            join_keys: [{name: id, type: int64}]
        """) == "features.yaml:4: entity 'user': declared twice (first at line 2)")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
          - name: t
            entities: [user]
        """) == "features.yaml:8: feature table 't': declared twice (first at line 6)")

        #expect(parseError("""
        feature_services:
          - name: s
            features: [a:b]
          - {name: s, features: [a:c]}
        """) == "features.yaml:4: feature service 's': declared twice (first at line 2)")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - {name: age, type: float64}
              - {name: country, type: string}
              - {name: age, type: float32}
        """) == "features.yaml:11: feature 'age': declared twice in feature table 't' (first at line 9)")

        #expect(parseError("""
        entities:
          - name: user
            join_keys:
              - {name: id, type: int64}
              - {name: id, type: string}
        """) == "features.yaml:5: join key 'id': declared twice in entity 'user' (first at line 4)")

        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user, user]\n")
                == "features.yaml:7: feature table 't': entity 'user' is listed twice")

        #expect(parseError("feature_services:\n  - name: s\n    features:\n      - a:b\n      - a:b\n")
                == "features.yaml:5: feature service 's': feature ref 'a:b' is listed twice")

        // A key repeated in one mapping is caught by the YAML layer.
        #expect(parseError("entities:\n  - name: user\n    name: other\n")
                == "features.yaml:2: duplicate key 'name' in the same mapping")
    }

    @Test func joinKeys() {
        #expect(parseError("entities:\n  - name: user\n    join_keys:\n      - {name: score, type: float64}\n")
                == "features.yaml:4: join key 'score': a join key cannot be of type float64; "
                + "join key types are int32, int64, string, bytes")
        #expect(parseError("entities:\n  - name: user\n    join_keys: [user_id]\n")
                == "features.yaml:3: entity 'user': join key 'user_id' needs a type: write "
                + "{name: user_id, type: int64} (join key types: int32, int64, string, bytes)")
        #expect(parseError("entities:\n  - name: user\n")
                == "features.yaml:2: entity 'user': an entity needs at least one join key, "
                + "e.g. join_keys: [{name: user_id, type: int64}]")
        #expect(parseError("entities:\n  - name: user\n    join_keys: {name: id, type: int64}\n")
                == "features.yaml:3: entity 'user': 'join_keys' must be a list, found a mapping")
    }

    @Test func tableShape() {
        #expect(parseError("feature_tables:\n  - name: t\n    features: []\n")
                == "features.yaml:2: feature table 't': a feature table needs at least one entity, e.g. entities: [user]")
        #expect(parseError("feature_tables:\n  - name: t\n    entities: user\n")
                == "features.yaml:3: feature table 't': 'entities' must be a list, found 'user'")
        #expect(parseError("feature_tables:\n  name: t\n")
                == "features.yaml:2: feature table: 'feature_tables' must be a list, found a mapping"
                || parseError("feature_tables:\n  name: t\n") == "features.yaml:2: 'feature_tables' must be a list, found a mapping")
        #expect(parseError("feature_tables:\n  - t\n")
                == "features.yaml:2: expected a feature table (a mapping with a 'name'), found 't'")
        #expect(parseError("- a\n- b\n")
                == "features.yaml:1: expected a mapping with 'entities', 'feature_tables' and 'feature_services', found a list")
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    tags: [a]\n")
                == "features.yaml:8: feature table 't': 'tags' must be a mapping of names to values, found a list")
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    tags: {team: }\n")
                == "features.yaml:8: feature table 't': tags 'team' has no value")
        #expect(parseError(Self.header + "feature_tables:\n  - name: t\n    entities: [user]\n    description: [a]\n")
                == "features.yaml:8: feature table 't': 'description' must be a single value, found a list")
    }

    @Test func featureCollidingWithColumns() {
        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - {name: age, type: float64}
              - {name: user_id, type: int64}
        """) == "features.yaml:10: feature 'user_id': feature name collides with join key 'user_id' of entity 'user'")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            features:
              - {name: event_timestamp, type: timestamp}
        """) == "features.yaml:9: feature 'event_timestamp': feature name collides with the table's timestamp field")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            created_timestamp_field: created
            features:
              - {name: created, type: timestamp}
        """) == "features.yaml:10: feature 'created': feature name collides with the table's created timestamp field")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            timestamp_field: ts
            created_timestamp_field: ts
        """) == "features.yaml:6: feature table 't': the created timestamp field must differ from the timestamp field 'ts'")

        #expect(parseError(Self.header + """
        feature_tables:
          - name: t
            entities: [user]
            timestamp_field: user_id
        """) == "features.yaml:6: feature table 't': timestamp field 'user_id' collides with join key 'user_id' of entity 'user'")

        #expect(parseError(Self.header + """
          - name: account
            join_keys: [{name: user_id, type: int64}]
        feature_tables:
          - name: t
            entities: [user, account]
        """) == "features.yaml:8: feature table 't': entities 'user' and 'account' both have join key 'user_id'; "
                + "the join keys of a table's entities must be distinct")
    }

    @Test func serviceRefSyntax() {
        #expect(parseError("feature_services:\n  - name: s\n    features:\n      - user_stats\n")
                == "features.yaml:4: feature ref 'user_stats': expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'")
        #expect(parseError("feature_services:\n  - name: s\n    features: [\"t@x:a\"]\n")
                == "features.yaml:3: feature ref 't@x:a': invalid version 'x': expected a positive integer, as in 'table@2:feature'")
        #expect(parseError("feature_services:\n  - name: s\n    features: []\n")
                == "features.yaml:2: feature service 's': a feature service needs at least one feature ref, e.g. features: [user_stats:age]")
    }

    @Test func yamlSyntaxErrorsCarryFileAndLine() {
        let message = parseError("entities:\n  - name: user\n    join_keys: [{name: id, type: int64}\n  - name: x\n",
                                 file: "defs.yaml")
        #expect(message?.hasPrefix("defs.yaml:") == true)
        #expect(message?.contains("YAML syntax error") == true)

        let tab = parseError("entities:\n\t- name: user\n")
        #expect(tab?.hasPrefix("features.yaml:2: YAML syntax error: ") == true)

        let badIndent = parseError("entities:\n  - name: user\n   join_keys: []\n")
        #expect(badIndent == "features.yaml:3: YAML syntax error: did not find expected '-' indicator "
                + "(while parsing a block collection at line 2)")

        #expect(parseError("a: b\n---\nc: d\n") == "features.yaml:2: YAML syntax error: "
                + "expected a single document in the stream, but found another document")
        #expect(parseError("entities: *x\n") == "features.yaml:1: YAML syntax error: found undefined alias")
    }
}

