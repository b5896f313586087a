import FeatureStore
import Foundation
import LMDB
import Testing

/// Per-alias prediction logging end to end: `models alias set
/// --log-predictions` shown by `show`, `list` and `history`; `fsctl score`
/// through that alias logs without `--log` and `--no-log` suppresses it; an
/// alias record written before the setting existed still works; refusals
/// change nothing.
@Suite struct AliasLogTests {
    @Test func theFlagIsStoredShownAndRecorded() throws {
        let box = try ScoreTests.sandbox()
        #expect(try box.run(["models", "alias", "set", "churn", "production", "1", "--log-predictions"],
                            env: ["FSCTL_USER": "alice"]).stdout
                == "churn@production -> 1 (logs predictions) (new alias)\n")
        #expect(try box.ok("models", "alias", "set", "churn", "production", "1")
                == "churn@production -> 1 (logs predictions) (unchanged)\n")
        let show = try #require(try box.run("models", "show", "churn", "--json").json() as? [String: Any])
        #expect((show["aliases"] as? [[String: Any]])?.first?["log_predictions"] as? Bool == true)
        #expect(try box.ok("models", "show", "churn/1").contains("  aliases: production (logs predictions)\n"))
        let list = try #require(try box.run("models", "list", "--json").json() as? [[String: Any]])
        #expect(list.first?["log_predictions"] as? [String: Bool] == ["production": true])
        #expect(try box.ok("models", "list").contains(" production=1 (logs predictions) "))
        try box.ok("models", "alias", "set", "churn", "staging", "1")
        #expect(try box.ok("models", "alias", "set", "churn", "production", "1", "--no-log-predictions")
                == "churn@production -> 1 (was 1 (logs predictions))\n")
        let after = try #require(try box.run("models", "list", "--json").json() as? [[String: Any]])
        #expect(after.first?["log_predictions"] as? [String: Bool] == ["production": false, "staging": false])

        let moves = try #require(try box.run("models", "history", "churn", "--json").json() as? [[String: Any]])
        #expect(moves.map { $0["from_log_predictions"] as? Bool } == [nil, nil, true])
        #expect(moves.map { $0["to_log_predictions"] as? Bool } == [true, false, false])
        #expect(moves.first?.keys.contains("from_log_predictions") == false, "absent, not null, for a new alias")
        let history = try box.ok("models", "history", "churn").split(separator: "\n")
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(history.count == 4, "\(history)")
        #expect(history[1][2...] == ["alice", "production", "set", "-", "1", "(logs", "predictions)"])
        #expect(history[2][3...] == ["staging", "set", "-", "1"])
        #expect(history[3][3...] == ["production", "set", "1", "(logs", "predictions)", "1"])
    }

    @Test func scoringThroughALoggingAliasLogs() throws {
        let box = try ScoreTests.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "1", "--log-predictions")
        try box.write("entities.csv", "user_id\n1\n3\n")
        let said = try box.ok("score", "--model", "churn@production", "--entities", "entities.csv", "--out", "s.csv")
        #expect(said.hasPrefix("scored 2 rows with churn/1 to s.csv\nlogged 2 predictions to predictions__churn (batch "), "\(said)")
        #expect(try box.ok("describe", "predictions__churn").contains("events: 2 in 1 batch"))
        // --no-log suppresses it: same scores, nothing appended.
        #expect(try box.ok("score", "--model", "churn@production", "--entities", "entities.csv", "--out", "quiet.csv", "--no-log")
                == "scored 2 rows with churn/1 to quiet.csv\n")
        #expect(try box.read("quiet.csv") == (try box.read("s.csv")))
        // A version reference does not log by default; --log still does.
        #expect(try box.ok("score", "--model", "churn/1", "--entities", "entities.csv", "--out", "v.csv")
                == "scored 2 rows with churn/1 to v.csv\n")
        #expect(try box.ok("describe", "predictions__churn").contains("events: 2 in 1 batch"))
        let json = try #require(try box.run("score", "--model", "churn@production", "--entities", "entities.csv",
                                            "--out", "j.csv", "--json").json() as? [String: Any])
        #expect(json["log_table"] as? String == "predictions__churn")
        #expect(try box.ok("describe", "predictions__churn").contains("events: 4 in 2 batches"))
        // The logged predictions are the scored ones.
        try box.write("labels.csv", "user_id,event_timestamp,label\n1,\(ScoreTests.recent(-60)),1\n3,\(ScoreTests.recent(-60)),0\n")
        try box.ok("export", "--entities", "labels.csv", "--features", "predictions__churn:prediction", "--out", "joined.csv")
        #expect(ScoreTests.csvRows(try box.read("joined.csv")).map { $0["prediction"] }
                == ScoreTests.csvRows(try box.read("s.csv")).map { $0["prediction"] })
        // Turned off, the alias scores without logging.
        try box.ok("models", "alias", "set", "churn", "production", "1", "--no-log-predictions")
        #expect(!(try box.ok("score", "--model", "churn@production", "--entities", "entities.csv", "--out", "o.csv"))
            .contains("logged"))
    }

    @Test func aBacktestLogsOnlyWhenAskedAndAtItsRowsTimes() throws {
        let box = try ScoreTests.sandbox()
        try ScoreTests.ingestHistory(box)
        try box.ok("models", "alias", "set", "churn", "production", "1", "--log-predictions")
        try box.write("backtest.csv", "user_id,event_timestamp\n7,2026-01-01T12:00:00Z\n7,2026-01-02T12:00:00Z\n")
        // A backtest is not serving: the alias's logging does not apply to it.
        #expect(try box.ok("score", "--model", "churn@production", "--entities", "backtest.csv", "--out", "bt.csv",
                           "--point-in-time") == "scored 2 rows with churn/1 to bt.csv\n")
        #expect(try box.run("describe", "predictions__churn").code == 1)
        // Asked with --log, each prediction is an event at its row's timestamp.
        let said = try box.ok("score", "--model", "churn@production", "--entities", "backtest.csv", "--out", "bt2.csv",
                              "--point-in-time", "--log")
        #expect(said.contains("logged 2 predictions to predictions__churn (batch "), "\(said)")
        #expect(try box.read("bt2.csv") == (try box.read("bt.csv")))
        // Joined back as of each row's time: the first row sees only its own prediction.
        try box.write("asof.csv", "user_id,event_timestamp\n7,2026-01-01T12:00:00Z\n7,2026-01-02T11:59:59Z\n7,2026-01-02T12:00:00Z\n")
        try box.ok("export", "--entities", "asof.csv", "--features", "predictions__churn:prediction", "--out", "joined.csv")
        let scored = ScoreTests.csvRows(try box.read("bt.csv")).map { $0["prediction"] }
        #expect(ScoreTests.csvRows(try box.read("joined.csv")).map { $0["prediction"] } == [scored[0], scored[0], scored[1]])
    }

    @Test func anAliasRecordWrittenBeforeTheFlagStillWorks() throws {
        let box = try ScoreTests.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "1")
        do {
            // The record exactly as fsctl wrote it before per-alias logging existed.
            let store = try Store.open(at: box.store)
            let aliases = try store.environment.openDatabase("model_aliases")
            try store.environment.write { txn in
                try txn.put(Array("churn".utf8) + [0] + Array("production".utf8), Array("""
                    {"alias":"production","canary":[],"model":"churn","setAtMicros":1767225600000000,"setBy":"old","version":1}
                    """.utf8), in: aliases)
            }
        }
        let show = try #require(try box.run("models", "show", "churn", "--json").json() as? [String: Any])
        let alias = try #require((show["aliases"] as? [[String: Any]])?.first)
        #expect(alias["log_predictions"] as? Bool == false && alias["set_by"] as? String == "old")
        try box.write("entities.csv", "user_id\n1\n")
        #expect(try box.ok("score", "--model", "churn@production", "--entities", "entities.csv", "--out", "s.csv")
                == "scored 1 row with churn/1 to s.csv\n")
        #expect(try box.ok("check").hasSuffix("store is healthy\n"))
        #expect(try box.ok("models", "alias", "set", "churn", "production", "1", "--log-predictions")
                == "churn@production -> 1 (logs predictions) (was 1)\n")
    }

    @Test func refusalsChangeNothing() throws {
        let box = try ScoreTests.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "1")
        try box.write("entities.csv", "user_id\n1\n")
        let before = try ModelsTests.state(box)
        try box.fails("models", "alias", "set", "chrn", "production", "1", "--log-predictions",
                      error: "no model named 'chrn' (did you mean 'churn'?)")
        try box.fails("models", "alias", "set", "churn", "production", "4", "--log-predictions",
                      error: "model 'churn' has no version 4; its only version is 1")
        let gate = try box.run("models", "alias", "set", "churn", "production", "1", "--log-predictions", "--require", "auc>=0.95")
        #expect(gate.code == 3 && gate.stdout == "")
        #expect(gate.stderr == "quality gate failed: churn/1 has auc=0.9, required auc>=0.95; alias 'production' not changed\n")
        try box.fails("score", "--model", "churn@staging", "--entities", "entities.csv", "--out", "o.csv", "--no-log",
                      error: "model 'churn' has no alias 'staging'; its only alias is production")
        let both = try box.run("models", "alias", "set", "churn", "production", "1", "--log-predictions", "--no-log-predictions")
        #expect(both.code == 2)
        #expect(both.stderr.hasPrefix("error: Value to be set with flag '--no-log-predictions' had already been set with flag '--log-predictions'"),
                "\(both)")
        let twice = try box.run("score", "--model", "churn", "--entities", "entities.csv", "--out", "o.csv", "--log", "--no-log")
        #expect(twice.code == 2)
        #expect(twice.stderr.hasPrefix("error: Value to be set with flag '--no-log' had already been set with flag '--log'"), "\(twice)")
        #expect(!box.exists("o.csv"))
        #expect(try ModelsTests.state(box) == before)
        #expect(!(try box.run("list", "--json").stdout.contains("predictions__churn")))
    }
}
