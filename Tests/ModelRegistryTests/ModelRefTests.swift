import FeatureStore
import ModelRegistry
import Testing

/// `NAME`, `NAME/V`, `NAME@ALIAS`: parsing and resolution.
@Suite struct ModelRefTests {
    @Test func parsesTheThreeForms() throws {
        #expect(try ModelRef(parsing: "churn") == ModelRef(name: "churn", selector: .latest))
        #expect(try ModelRef(parsing: "churn/3") == ModelRef(name: "churn", selector: .version(3)))
        #expect(try ModelRef(parsing: "churn@production") == ModelRef(name: "churn", selector: .alias("production")))
        #expect(try ModelRef(parsing: "churn@latest") == ModelRef(name: "churn", selector: .latest))
        #expect(try ModelRef(parsing: "fraud.v2-eu/12").description == "fraud.v2-eu/12")
        #expect(try ModelRef(parsing: "churn@prod-eu").description == "churn@prod-eu")
    }

    @Test func badRefsSayWhatWasExpected() {
        let cases: [(String, String)] = [
            ("", "empty model ref; expected NAME, NAME/VERSION or NAME@ALIAS"),
            ("churn/x", "model ref 'churn/x': invalid version 'x': expected a positive integer, as in 'churn/3'"),
            ("churn/0", "model ref 'churn/0': invalid version '0': expected a positive integer, as in 'churn/3'"),
            ("churn/", "model ref 'churn/': invalid version '': expected a positive integer, as in 'churn/3'"),
            ("churn/1/2", "model ref 'churn/1/2': invalid version '1/2': expected a positive integer, as in 'churn/3'"),
            ("/3", "model ref '/3': missing model name; expected NAME, NAME/VERSION or NAME@ALIAS"),
            ("churn@", "model ref 'churn@': missing alias after '@', as in 'churn@production'"),
            ("churn@pro duction", "model ref 'churn@pro duction': invalid alias 'pro duction': a name has only letters, digits, '_' and '-'"),
            ("3churn", "model ref '3churn': invalid model name '3churn': a name starts with a letter or '_'"),
        ]
        for (text, message) in cases {
            #expect(thrownMessage { _ = try ModelRef(parsing: text) } == message, "\(text)")
        }
    }

    @Test func resolutionExplainsWhatIsMissing() throws {
        let t = try TestRegistry()
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "churn")) } == "no model named 'churn'")
        try t.register()
        try t.register()
        try t.register()
        _ = try t.registry.delete(ModelRef(parsing: "churn/2"))
        #expect(try t.registry.version(ModelRef(parsing: "churn")).version == 3)
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "churn/2")) }
                == "model 'churn' has no version 2 (it was deleted); its versions are 1, 3")
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "churn/4")) }
                == "model 'churn' has no version 4; its versions are 1, 3")
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "churn@production")) }
                == "model 'churn' has no alias 'production'; it has no aliases")
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "chrun/1")) }
                == "no model named 'chrun' (did you mean 'churn'?)")
        _ = try t.registry.delete(ModelRef(parsing: "churn/1"))
        _ = try t.registry.delete(ModelRef(parsing: "churn/3"))
        #expect(thrownMessage { _ = try t.registry.version(ModelRef(parsing: "churn")) }
                == "model 'churn' has no versions (every version was deleted)")
        // Numbers are never given twice.
        #expect(try t.register().version == 4)
    }

    @Test func aModelSortingRightAfterAnotherDoesNotLeakItsVersions() throws {
        // `churn` and `churn.eu` share a prefix; `churn`'s latest must not be churn.eu's.
        let t = try TestRegistry()
        try t.register("churn")
        try t.register("churn.eu")
        try t.register("churn.eu")
        try t.register("churn-")
        #expect(try t.registry.version(ModelRef(parsing: "churn")).model == "churn")
        #expect(try t.registry.model("churn").versions.count == 1)
        #expect(try t.registry.version(ModelRef(parsing: "churn.eu")).version == 2)
    }
}
