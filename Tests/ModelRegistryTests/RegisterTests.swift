import FeatureStore
import Foundation
import ModelRegistry
import Testing

/// Registration: numbering, pinned inputs, training sets, mutable fields, and
/// every refusal leaving the registry unchanged.
@Suite struct RegisterTests {
    @Test func versionsNumberFromOnePerModel() throws {
        let t = try TestRegistry()
        #expect(try t.register("churn").version == 1)
        #expect(try t.register("churn", file: "lgb_binary.txt", format: .lightgbmText).version == 2)
        #expect(try t.register("fraud").version == 1)
        #expect(try t.register("churn").version == 3)
        let models = try t.registry.models()
        #expect(models.map(\.model.name) == ["churn", "fraud"])
        #expect(models[0].versions.map(\.version) == [1, 2, 3])
        #expect(models[0].latest?.format == .xgboostJSON)
        #expect(try t.registry.version(ModelRef(parsing: "churn")).version == 3)
        #expect(try t.registry.version(ModelRef(parsing: "churn@latest")).version == 3)
        #expect(try t.registry.version(ModelRef(parsing: "churn/2")).format == .lightgbmText)
    }

    @Test func inputsArePinnedInTheGivenOrder() throws {
        let t = try TestRegistry()
        var r = try t.registration()
        r.features = ["user_stats:num_purchases", "user_stats:age"]
        let v1 = try t.registry.register(r)
        #expect(v1.inputs.map(\.ref) == ["user_stats@1:num_purchases", "user_stats@1:age"])
        #expect(v1.inputs.map(\.type) == ["int64", "float64"])
        #expect(v1.featureRefs == ["user_stats:num_purchases", "user_stats:age"])
        // A new schema version: later registrations pin it, earlier ones keep theirs.
        try TestRegistry.definitions.replacingOccurrences(of: "{name: country, type: string}",
                                                          with: "{name: country, type: string}\n      - {name: tenure, type: int32}")
            .write(toFile: t.dir + "/features.yaml", atomically: true, encoding: .utf8)
        _ = try t.store.apply(definitionsFile: t.dir + "/features.yaml")
        let v2 = try t.registry.register(r)
        #expect(v2.inputs.map(\.ref) == ["user_stats@2:num_purchases", "user_stats@2:age"])
        #expect(try t.registry.version(ModelRef(parsing: "churn/1")).inputs.map(\.ref)
                == ["user_stats@1:num_purchases", "user_stats@1:age"])
    }

    @Test func aFeatureServiceResolvesToItsRefs() throws {
        let t = try TestRegistry()
        var r = try t.registration()
        r.features = []
        r.service = "churn_v1"
        let v = try t.registry.register(r)
        #expect(v.inputs.map(\.ref) == ["user_stats@1:age", "user_stats@1:num_purchases"])
        #expect(v.service == "churn_v1")
    }

    @Test func everythingGivenIsStored() throws {
        let t = try TestRegistry()
        var r = try t.registration(metrics: ["auc": 0.91, "logloss": 0.3])
        r.params = ["max_depth": "2"]
        r.tags = ["team": "risk"]
        r.description = "first try"
        let v = try t.registry.register(r, by: "alice")
        let stored = try t.registry.version(ModelRef(parsing: "churn/1"))
        #expect(stored == v)
        #expect(stored.metrics == ["auc": 0.91, "logloss": 0.3])
        #expect(stored.params == ["max_depth": "2"])
        #expect(stored.tags == ["team": "risk"])
        #expect(stored.description == "first try")
        #expect(stored.createdBy == "alice")
        #expect(stored.artifactName == "xgb_binary.json")
        #expect(stored.size == (try Data(contentsOf: URL(fileURLWithPath: TestRegistry.fixture("xgb_binary.json")))).count)
    }

    @Test func aTrainingSetMustExist() throws {
        let t = try TestRegistry()
        try "user_id,event_timestamp,age,num_purchases\n1,2025-11-15T01:00:00Z,31.5,3\n"
            .write(toFile: t.dir + "/events.csv", atomically: true, encoding: .utf8)
        _ = try t.store.ingest(table: "user_stats", files: [t.dir + "/events.csv"])
        try "user_id,event_timestamp,label\n1,2025-11-16T00:00:00Z,1\n"
            .write(toFile: t.dir + "/entities.csv", atomically: true, encoding: .utf8)
        let ts = try t.store.exportTrainingSet(entities: t.dir + "/entities.csv", refs: ["user_stats:age"],
                                               to: t.dir + "/train.csv")
        var r = try t.registration()
        r.trainingSet = ts.id
        #expect(try t.registry.register(r).trainingSet == ts.id)

        let before = try t.dump()
        r.trainingSet = String(ts.id.dropLast()) + (ts.id.hasSuffix("0") ? "1" : "0")
        #expect(thrownMessage { try t.registry.register(r) } == "no training set '\(r.trainingSet!)' (did you mean '\(ts.id)'?)")
        r.trainingSet = "ts-nothing-like-it"
        #expect(thrownMessage { try t.registry.register(r) } == "no training set 'ts-nothing-like-it'")
        #expect(try t.dump() == before)
    }

    @Test func refusalsLeaveTheRegistryUnchanged() throws {
        let t = try TestRegistry()
        try t.register()
        let before = try t.dump()
        func refused(_ expected: String, _ change: (inout ModelRegistration) -> Void,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
            var r = try t.registration()
            change(&r)
            #expect(thrownMessage { try t.registry.register(r) } == expected, sourceLocation: sourceLocation)
        }
        try refused("model 'churn': feature ref 'user_stats:agee': feature table 'user_stats' (version 1) has no feature 'agee' (did you mean 'age'?)") {
            $0.features = ["user_stats:agee", "user_stats:num_purchases"]
        }
        try refused("model 'churn': feature ref 'user_stat:age': unknown feature table 'user_stat' (did you mean 'user_stats'?)") {
            $0.features = ["user_stat:age", "user_stats:num_purchases"]
        }
        try refused("model 'churn': unknown feature service 'churn_v2' (did you mean 'churn_v1'?)") {
            $0.features = []; $0.service = "churn_v2"
        }
        try refused("model 'churn': xgb_binary.json takes 2 input columns, but --features names 3 features (in the model's input order)") {
            $0.artifactName = "xgb_binary.json"
            $0.features = ["user_stats:*"]
        }
        try refused("invalid model name 'churn/2': a name has only letters, digits, '_', '-' and '.'") { $0.name = "churn/2" }
        try refused("invalid metric name 'a uc': it cannot contain whitespace") { $0.metrics = ["a uc": 1] }
        try refused("metric 'auc' is nan; metrics are finite numbers") { $0.metrics = ["auc": .nan] }
        try refused("lgb.txt: xgboost-json: line 1 column 1: invalid JSON: expected true") {
            $0.artifact = Array("tree\nversion=v4\n".utf8); $0.artifactName = "lgb.txt"
        }
        #expect(try t.dump() == before)
    }

    @Test func aMissingArtifactFileIsNamed() {
        #expect(thrownMessage { _ = try ModelRegistration(name: "churn", artifactFile: "/nonexistent/model.json", format: .onnx) }
                == "/nonexistent/model.json: cannot read the artifact: No such file or directory")
        #expect(thrownMessage { _ = try ModelRegistration(name: "churn", artifactFile: "/tmp", format: .onnx) }
                == "/tmp: cannot read the artifact: it is a directory")
    }

    @Test func keyValueOptionsAreChecked() throws {
        #expect(try ModelRegistration.metrics(["auc=0.91", "n=3"]) == ["auc": 0.91, "n": 3])
        #expect(try ModelRegistration.pairs(["a=b=c", "d="], what: "tag") == ["a": "b=c", "d": ""])
        #expect(thrownMessage { _ = try ModelRegistration.metrics(["auc"]) } == "invalid metric 'auc': expected KEY=VALUE")
        #expect(thrownMessage { _ = try ModelRegistration.metrics(["auc=high"]) }
                == "invalid metric 'auc=high': 'high' is not a finite number")
        #expect(thrownMessage { _ = try ModelRegistration.metrics(["auc=inf"]) }
                == "invalid metric 'auc=inf': 'inf' is not a finite number")
        #expect(thrownMessage { _ = try ModelRegistration.metrics(["auc=1", "auc=2"]) } == "metric 'auc' is given twice")
        #expect(thrownMessage { _ = try ModelRegistration.pairs(["=x"], what: "param") } == "invalid param '=x': the name before '=' is empty; expected KEY=VALUE")
        #expect(thrownMessage { _ = try ModelRegistration.pairs(["a<b=x"], what: "tag") }
                == "invalid tag name 'a<b': it cannot contain '<'")
    }

    @Test func tagsAndDescriptionChangeNothingElse() throws {
        let t = try TestRegistry()
        var r = try t.registration()
        r.tags = ["team": "risk", "stage": "dev"]
        let v = try t.registry.register(r)
        let u = try t.registry.update(ModelRef(parsing: "churn/1"), tags: ["stage": "prod", "owner": "bo"],
                                      removingTags: ["team"], description: "calibrated")
        #expect(u.tags == ["stage": "prod", "owner": "bo"])
        #expect(u.description == "calibrated")
        #expect(u.updatedAtMicros != nil)
        var same = u
        same.tags = v.tags; same.description = v.description; same.updatedAtMicros = nil
        #expect(same == v)
        #expect(try t.registry.update(ModelRef(parsing: "churn/1"), description: "").description == nil)
        let before = try t.dump()
        #expect(thrownMessage { _ = try t.registry.update(ModelRef(parsing: "churn/1"), removingTags: ["owners"]) }
                == "model version churn/1 has no tag 'owners' (did you mean 'owner'?)")
        #expect(thrownMessage { _ = try t.registry.update(ModelRef(parsing: "churn/9"), tags: ["a": "b"]) }
                == "model 'churn' has no version 9; its only version is 1")
        #expect(try t.dump() == before)
    }
}
