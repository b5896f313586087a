import FeatureStore
import Foundation
import Tabular
import Testing
import WireProtocol

/// PREDICT against a real `fsctl serve` process over loopback: the answers
/// equal what `fsctl score` writes for the same entities (versions of the
/// canary split included, bit for bit), request-time overrides, typed
/// errors, read scope, and `--log-predictions` rows in `predictions__churn`.
@Suite struct PredictServeTests {
    /// ScoreTests' store (churn/1 XGBoost on age and num_purchases, users 1-3
    /// fresh), plus churn/2 (LightGBM) and `production` = 1 with 30% on 2.
    static func sandbox() throws -> Sandbox {
        let box = try ScoreTests.sandbox()
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.lgb, "--format", "lightgbm-text",
                    "--metric", "auc=0.9"] + ModelsTests.features)
        try box.ok("models", "alias", "set", "churn", "production", "1", "--canary", "2:30")
        return box
    }

    static func predict(_ client: TestClient, _ model: String, _ ids: [Int64], names: [String] = [], values: [Double?] = [],
                        inputs: Bool = false) throws -> PredictReply {
        try client.call(PredictRequest(model: model, options: inputs ? .returnInputs : [], keyNames: ["user_id"],
                                       keys: ids.map { .int64($0) }, requestFeatureNames: names, requestFeatures: values),
                        PredictReply.self)
    }

    @Test func predictionsEqualFsctlScore() throws {
        let box = try Self.sandbox()
        let ids = Array(Int64(1)...400)
        try box.write("entities.csv", "user_id\n" + ids.map(String.init).joined(separator: "\n") + "\n")
        try box.ok("score", "--model", "churn@production", "--entities", "entities.csv", "--out", "scores.csv")
        let rows = ScoreTests.csvRows(try box.read("scores.csv"))
        let server = try ServerProcess(box)
        let client = try TestClient(port: server.port)
        try client.hello()
        let reply = try Self.predict(client, "churn@production", ids)
        #expect(reply.model == "churn" && reply.outputs == ["prediction"])
        #expect(reply.versions.map(\.version) == [1, 2])
        #expect(reply.entities.map { Int($0.version) } == rows.map { Int($0["model_version"]!)! })
        #expect(reply.entities.map { $0.scores[0] } == rows.map { Double($0["prediction"]!)! })
        let canary = reply.entities.filter { $0.version == 2 }.count
        #expect((80...160).contains(canary), "\(canary) of 400 on the canary")
        // Users 1 and 3 have both inputs, 2 has no age, the others are unknown.
        #expect(reply.entities.prefix(4).map(\.status) == [.complete, .missingInputs, .complete, .noInputs])

        // Request-time values replace stored ones; the model sees them.
        let o = try Self.predict(client, "churn/1", [1, 2], names: ["age", "user_stats:num_purchases"],
                                 values: [60, nil, nil, 9], inputs: true)
        #expect(o.entities[0].scores == [ScoreTests.expected(60, 3)])
        #expect(o.entities[1].scores == [ScoreTests.expected(nil, 9)])
        #expect(o.entities[0].inputs == [60, 3] && o.entities[1].inputs?[1] == 9)

        // Typed errors; the connection stays usable.
        func code(_ body: () throws -> PredictReply) -> ErrorCode? {
            do { _ = try body(); return nil } catch let e as WireError { return e.code } catch { return nil }
        }
        #expect(code { try Self.predict(client, "churm@production", [1]) } == .notFound)
        #expect(code { try Self.predict(client, "churn@staging", [1]) } == .notFound)
        #expect(code { try Self.predict(client, "churn/7", [1]) } == .notFound)
        #expect(code { try Self.predict(client, "churn/1", [1], names: ["country"], values: [1]) } == .invalidArgument)
        #expect(code { try client.call(PredictRequest(model: "churn/1", keyNames: ["user"], keys: [.int64(1)]), PredictReply.self) }
                == .invalidArgument)
        #expect(try Self.predict(client, "churn", [1]).entities[0].version == 2)

        // An alias move reaches the running server within its refresh interval (1 s).
        try box.ok("models", "alias", "set", "churn", "production", "2")
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try Self.predict(client, "churn@production", [1, 2, 3]).entities.allSatisfy { $0.version == 2 })
        #expect(server.terminate() == 0)
    }

    /// The server encodes a reply's model part (name, outputs, versions and
    /// their inputs) once per scorer: each ref gets its own, and an alias
    /// move, which builds a new scorer, is named in the next replies' head.
    @Test func replyHeadFollowsTheScorerOfEachRef() throws {
        let box = try Self.sandbox()
        let server = try ServerProcess(box)
        let client = try TestClient(port: server.port)
        try client.hello()
        let inputs = ["user_stats@1:age", "user_stats@1:num_purchases"]
        let both = [PredictVersion(version: 1, inputs: inputs), PredictVersion(version: 2, inputs: inputs)]
        for _ in 0..<2 {   // the second time from the cached head
            let r = try Self.predict(client, "churn@production", [1, 2, 3])
            #expect(r.model == "churn" && r.outputs == ["prediction"] && r.versions == both && !r.includesInputs)
            let pinned = try Self.predict(client, "churn/1", [1], inputs: true)
            #expect(pinned.versions == [both[0]] && pinned.includesInputs && pinned.entities[0].inputs == [31.5, 3])
            #expect(try Self.predict(client, "churn/2", []).versions == [both[1]])
        }
        try box.ok("models", "alias", "set", "churn", "production", "2")
        Thread.sleep(forTimeInterval: 1.2)
        let moved = try Self.predict(client, "churn@production", [1, 2, 3])
        #expect(moved.versions == [both[1]])
        #expect(moved.entities.allSatisfy { $0.version == 2 })
        #expect(try Self.predict(client, "churn/1", [1]).versions == [both[0]])
        #expect(server.terminate() == 0)
    }

    @Test func readScopeIsEnoughAndAConnectionWithoutATokenIsRefused() throws {
        let box = try Self.sandbox()
        let token = try box.ok("tokens", "create", "--scope", "read").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(box, ["--require-auth"])
        let reader = try TestClient(port: server.port)
        #expect(try reader.hello(token: token).scope == .read)
        #expect(try Self.predict(reader, "churn/1", [1]).entities[0].scores == [ScoreTests.expected(31.5, 3)])
        let anonymous = try TestClient(port: server.port)
        #expect(throws: WireError(.unauthenticated, "this server requires a token (HELLO carried none)", requestId: 1, opcode: .hello)) {
            try anonymous.hello()
        }
    }

    @Test func logPredictionsAppendsToThePredictionsTable() throws {
        let box = try Self.sandbox()
        let server = try ServerProcess(box, ["--log-predictions"])
        let client = try TestClient(port: server.port)
        try client.hello()
        let a = try Self.predict(client, "churn/1", [1, 2, 3])
        let b = try Self.predict(client, "churn/1", [1])
        #expect(server.terminate() == 0)
        let store = try Store.open(at: box.store)
        let batches = try store.batches().filter { $0.table == "predictions__churn" }
        #expect(batches.map(\.rows).reduce(0, +) == 4, "\(batches)")
        #expect(batches.allSatisfy { $0.source == "predict" })
        // Joined back as of later (the log is an offline table): each user's last prediction.
        try box.write("later.csv", "user_id,event_timestamp\n1,2099-01-01T00:00:00Z\n2,2099-01-01T00:00:00Z\n3,2099-01-01T00:00:00Z\n")
        try box.ok("export", "--entities", "later.csv", "--features", "predictions__churn:model_version,predictions__churn:prediction",
                   "--out", "logged.csv")
        let rows = ScoreTests.csvRows(try box.read("logged.csv"))
        #expect(rows.map { $0["model_version"] } == ["1", "1", "1"])
        #expect(rows.map { Double($0["prediction"]!)! } == [b.entities[0].scores[0], a.entities[1].scores[0], a.entities[2].scores[0]])
    }

    /// Without `--log-predictions`, only an alias set with `--log-predictions`
    /// logs: `churn@production` does once it is switched on, `churn/1` never does.
    @Test func anAliasWithLoggingOnLogsWithoutTheServerFlag() throws {
        let box = try Self.sandbox()
        let server = try ServerProcess(box)
        let client = try TestClient(port: server.port)
        try client.hello()
        _ = try Self.predict(client, "churn@production", [1, 2])
        _ = try Self.predict(client, "churn/1", [1])
        try box.ok("models", "alias", "set", "churn", "production", "1", "--canary", "2:30", "--log-predictions")
        // The server re-reads an alias at most a second after it changed.
        Thread.sleep(forTimeInterval: 1.5)
        let logged = try Self.predict(client, "churn@production", [1, 2, 3])
        _ = try Self.predict(client, "churn/1", [1, 2])
        #expect(server.terminate() == 0)
        let store = try Store.open(at: box.store)
        let batches = try store.batches().filter { $0.table == "predictions__churn" }
        #expect(batches.map(\.rows).reduce(0, +) == 3, "\(batches)")
        try box.write("later.csv", "user_id,event_timestamp\n1,2099-01-01T00:00:00Z\n3,2099-01-01T00:00:00Z\n")
        try box.ok("export", "--entities", "later.csv", "--features", "predictions__churn:model_version,predictions__churn:prediction",
                   "--out", "logged.csv")
        let rows = ScoreTests.csvRows(try box.read("logged.csv"))
        #expect(rows.map { Int($0["model_version"]!)! } == [Int(logged.entities[0].version), Int(logged.entities[2].version)])
        #expect(rows.map { Double($0["prediction"]!)! } == [logged.entities[0].scores[0], logged.entities[2].scores[0]])
    }

    /// A read-only server never logs, whatever the alias says.
    @Test func aReadOnlyServerDoesNotLog() throws {
        let box = try Self.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "1", "--log-predictions")
        let server = try ServerProcess(box, ["--read-only"])
        let client = try TestClient(port: server.port)
        try client.hello()
        let reply = try Self.predict(client, "churn@production", [1, 2])
        #expect(reply.entities.count == 2)
        #expect(server.terminate() == 0)
        let store = try Store.open(at: box.store)
        #expect(try store.batches().filter { $0.table == "predictions__churn" }.isEmpty)
    }
}
