import Foundation
import Testing

/// Values typed on the command line: feature refs, `--entity`, timestamps and
/// windows, drift options, token ids, lineage refs, backup destinations and
/// the store path (`--store`, FSCTL_STORE).
extension BadInputTests {
    @Test func refsEntitiesAndTimesAreRefusedAndChangeNothing() throws {
        let box = try Self.ingested()
        let get = ["get", "--entity", "user_id=1", "--features"]
        let forms = "expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'"
        try box.refuses([
            (get + ["user_stats"], 2, "feature ref 'user_stats': \(forms)"),
            (get + ["user_stats::"], 2, "feature ref 'user_stats::': \(forms)"),
            (get + [":age"], 2, "feature ref ':age': missing table name before ':'"),
            (get + ["user_stats@0:age"], 2, "feature ref 'user_stats@0:age': invalid version '0': expected a positive integer, as in 'table@2:feature'"),
            (get + ["user_stats@x:age"], 2, "feature ref 'user_stats@x:age': invalid version 'x': expected a positive integer, as in 'table@2:feature'"),
            (get + ["user_stats@9:age"], 1, "feature ref 'user_stats@9:age': feature table 'user_stats' has no version 9; its only version is 1"),
            (get + ["nope:*"], 1, "feature ref 'nope:*': unknown feature table 'nope'"),
            (["export", "--entities", "events.csv", "--out", "t.csv", "--features", "user_stats:age,user_stats"], 2, "feature ref 'user_stats': \(forms)"),
            (["models", "register", "m", "--artifact", ModelsTests.xgb, "--format", "xgboost-json", "--features", "user_stats:age,:x"], 2,
             "feature ref ':x': missing table name before ':'"),
            (["get", "--features", "user_stats:age", "--entity", "user_id"], 2, "--entity: expected key=value[,key2=value2], got \"user_id\""),
            (["get", "--features", "user_stats:age", "--entity", "=1"], 2, "--entity: expected key=value[,key2=value2], got \"=1\""),
            (["get", "--features", "user_stats:age", "--entity", "user_id=1,user_id=2"], 2,
             "--entity: join key 'user_id' is given twice in \"user_id=1,user_id=2\""),
            (["get", "--features", "user_stats:age", "--entity", "user=1"], 1, "entity 1: unknown join key 'user' (the features requested use 'user_id')"),
            (["get", "--features", "user_stats:age", "--entity", "user_id=1", "--entity", "user_id="], 1,
             "entity 2: join key 'user_id': cannot parse \"\" as int64"),
            (["get", "--features", "user_stats:age", "--entity", "user_id=99999999999999999999"], 1,
             "entity 1: join key 'user_id': cannot parse \"99999999999999999999\" as int64"),
            (["get", "--features", "user_stats:age", "--entity", "user_id=1", "--at", "2025-11-15T25:00:00Z"], 2,
             "--at: cannot parse \"2025-11-15T25:00:00Z\" as an ISO-8601 timestamp"),
            (["materialize", "2025-11-16T00:00:00Z", "2025-11-15T00:00:00Z"], 2, "START (2025-11-16T00:00:00Z) is after END (2025-11-15T00:00:00Z)"),
            (["materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--tables", "nope"], 1, "no feature table 'nope'"),
            (["materialize-incremental", "x"], 2, "END: cannot parse \"x\" as an ISO-8601 timestamp"),
            (["materialize-incremental", "2025-11-16T00:00:00Z", "--tables", "user_stat"], 1, "no feature table 'user_stat' (did you mean 'user_stats'?)"),
        ])
    }

    @Test func driftTokensLineageBackupAndStoreOptionsAreRefusedAndChangeNothing() throws {
        let box = try Self.ingested()
        let windows = ["--reference", "2025-11-15T00:00:00Z..2025-11-15T12:00:00Z", "--current", "2025-11-15T00:00:00Z..2025-11-16T00:00:00Z"]
        let drift = ["drift", "user_stats"] + windows
        let refs = "a ref is a table (user_stats), a table version (user_stats@2), a feature (user_stats:age), a training set (ts-…), "
            + "a model (churn), a model version (churn/3), an alias (churn@production), a batch (batch:17), "
            + "an online table (online:user_stats) or a file path"
        try box.write("afile", "not a store\n")
        try box.refuses([
            (["drift", "user_stats", "--reference", "2025-11-15T00:00:00Z..", "--current", "2025-11-15T00:00:00Z..2025-11-16T00:00:00Z"], 2,
             "--reference END: cannot parse \"\" as an ISO-8601 timestamp"),
            (["drift", "user_stats", "--reference", "2025-11-15...2025-11-16", "--current", "2025-11-15T00:00:00Z..2025-11-16T00:00:00Z"], 2,
             "--reference END: cannot parse \".2025-11-16\" as an ISO-8601 timestamp"),
            (drift + ["--threshold=-1"], 2, "--threshold: expected a non-negative number, got -1.0"),
            (drift + ["--threshold", "nan"], 2, "--threshold: expected a non-negative number, got nan"),
            (drift + ["--feature-method", "age"], 2, "--feature-method: expected FEATURE=VALUE, got \"age\""),
            (drift + ["--feature-method", "age=kl"], 2,
             "--feature-method: unknown method \"kl\" for 'age' (expected one of auto, ks, chisquare, z, wasserstein, jensenshannon, psi)"),
            (drift + ["--feature-method", "agee=ks"], 1,
             "per-feature override for 'agee', which is not among the compared features of 'user_stats' (age, num_purchases, country, is_premium, credit_score, region)"),
            (drift + ["--feature-threshold", "age=-2"], 2, "--feature-threshold: expected a non-negative number for 'age', got \"-2\""),
            (drift + ["--features", "nope"], 1, "table 'user_stats' has no feature 'nope'"),
            (drift + ["--reference-training-set", "ts-nope"], 2, "--reference and --reference-training-set exclude each other"),
            (["tokens", "revoke", "12"], 1, "token id '12' is too short (give at least 4 hex digits)"),
            (["tokens", "revoke", ""], 1, "token id '' is too short (give at least 4 hex digits)"),
            (["lineage", ""], 1, "lineage: empty ref; expected \(refs.dropFirst("a ref is ".count))"),
            (["lineage", "user_stats:"], 1, "lineage: feature ref 'user_stats:': missing feature name after ':' (write 'table:*' for all features)"),
            (["lineage", "::"], 1, "lineage: feature ref '::': expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'"),
            (["backup", ""], 1, "backup destination is empty: expected a directory path"),
        ])
        // A store path that is not a store: refused, and nothing is created there.
        let missing = box.dir + "/no-store-here"
        for (env, why) in [(missing, " (create one with `fsctl init \(missing)`)"),
                           (box.dir + "/afile", ": it is a file, and a store is a directory (create one elsewhere with `fsctl init DIR`)")] {
            let r = try box.run(["list"], env: ["FSCTL_STORE": env])
            #expect(r.code == 1 && r.stderr == "error: no feature store at '\(env)'\(why)\n", "\(r)")
        }
        #expect(!box.exists("no-store-here"))
        let r = try box.run(["list"], env: ["FSCTL_STORE": ""])
        #expect(r.code == 1 && r.stderr == "error: no feature store at './feature_store' (create one with `fsctl init ./feature_store`)\n", "\(r)")
        #expect(!box.exists("feature_store"))
    }
}
