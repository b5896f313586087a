import FeatureClient
import FeatureServer
import FeatureStore
import Foundation
import Tabular
import Testing
import WireProtocol

/// The Swift client against a real server (in-process, on loopback): lookups
/// equal the store's own answer printed as `fsctl get --json` prints it, push
/// then read, typed errors, auth and scopes, TLS, and many concurrent calls on
/// one pipelined connection.
@Suite struct FeatureClientTests {
    static let refs = ["user_stats:*"]
    static let ids: [any EntityKey] = [1, 2, 3, 4, 99]

    /// `fsctl get --json`'s object for a client result: join keys PRESENT at
    /// epoch 0, float32 values by their shortest text as `fsctl` prints them.
    static func feastObject(_ r: OnlineFeatureResult) -> NSDictionary {
        func json(_ v: WireValue?) -> Any {
            guard let v else { return NSNull() }
            switch v {
            case .bool(let b): return b
            case .int32(let x): return Int(x)
            case .int64(let x): return Int(x)
            case .float32(let x): return Double("\(x)")!
            case .float64(let x): return x
            case .string(let s): return s
            case .bytes(let b): return Base64.encode(b)
            case .timestamp(let t): return Timestamp.format(t)
            case .vector(let xs): return xs.map { Double("\($0)")! }
            }
        }
        let results = r.columns.map { c -> [String: Any] in
            ["values": c.values.map(json), "statuses": c.statuses.map(\.name),
             "event_timestamps": c.eventTimestamps.map { Timestamp.format($0 ?? 0) }]
        }
        return ["metadata": ["feature_names": r.featureNames], "results": results] as NSDictionary
    }

    static func parse(_ json: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary)
    }

    @Test func lookupsEqualFsctlGetJSON() async throws {
        // What `fsctl get --json` prints is `OnlineFeatures.feastJSON()` of this call.
        let served = try ServedStore { store in
            let users = Self.ids.map { ["user_id": "\($0)"] }
            return [
                try store.onlineFeatures(refs: Self.refs, entities: users, at: Fixture.at).feastJSON(),
                try store.onlineFeatures(refs: [], services: ["profile"], entities: users, at: Fixture.at,
                                         fullFeatureNames: true).feastJSON(),
                try store.onlineFeatures(refs: ["device_user:sessions", "user_stats:country"],
                                         entities: [["user_id": "1", "device_id": "laptop"], ["user_id": "2", "device_id": "phone"],
                                                    ["user_id": "2", "device_id": "laptop"]], at: Fixture.at).feastJSON(),
            ]
        }
        let client = try await FeatureClient.connect(port: served.port)
        #expect(client.server.version == 1 && client.server.scope == .admin)

        let all = try await client.getOnlineFeatures(features: Self.refs, entities: ["user_id": Self.ids], at: Fixture.at)
        #expect(Self.feastObject(all) == (try Self.parse(served.oracle[0])))
        #expect(all.column("age")?.statuses == [.present, .nullValue, .outsideMaxAge, .present, .notFound])
        #expect(all.column("embedding")?.values[0] == .vector([0.5, 1.5, -2]))
        #expect(all.column("avatar")?.values[3] == .bytes([0xFF]))

        let service = try await client.getOnlineFeatures(service: "profile", entities: ["user_id": Self.ids],
                                                         at: Fixture.at, fullFeatureNames: true)
        #expect(service.featureNames == ["user_id", "user_stats__age", "user_stats__country", "user_stats__score"])
        #expect(Self.feastObject(service) == (try Self.parse(served.oracle[1])))

        // Two join keys, given in any order: sent in the list's order.
        let pairs = try await client.getOnlineFeatures(features: ["device_user:sessions", "user_stats:country"],
                                                       entities: ["device_id": ["laptop", "phone", "laptop"], "user_id": [1, 2, 2]],
                                                       at: Fixture.at)
        #expect(Self.feastObject(pairs) == (try Self.parse(served.oracle[2])))

        // The prepared path gives the same cells; "now" is past every ttl.
        let list = try await client.prepare(features: Self.refs)
        #expect(list.joinKeys == [WireField("user_id", .int64)] && list.features.count == 10)
        let byId = try await client.getOnlineFeatures(list, keys: Self.ids.map(\.wireValue), at: Fixture.at)
        #expect(byId == all)
        let now = try await client.getOnlineFeatures(list, entities: ["user_id": [1]])
        #expect(now.column("age")?.statuses == [.outsideMaxAge])
        try await client.close()
    }

    @Test func pushThenRead() async throws {
        let served = try ServedStore()
        let client = try await FeatureClient.connect(port: served.port)
        let t: Int64 = 1_763_200_000_000_000
        let reply = try await client.push(table: "user_stats", rows: [
            ["user_id": .int64(10), "event_timestamp": .timestamp(t), "age": .float64(40.25), "visits": .int64(3),
             "country": .string("PT"), "premium": .bool(true), "score": .float64(0.5), "embedding": .vector([1, 2, 3]),
             "last_login": .timestamp(t - 1), "avatar": .bytes([0, 1, 2, 255]), "region": .int64(2)],
            ["user_id": .int64(11), "event_timestamp": .timestamp(t), "age": nil, "country": .string("ES")],
        ], to: .both)
        #expect(reply.rows == 2 && reply.batchId > 0)
        let r = try await client.getOnlineFeatures(features: ["user_stats:*"], entities: ["user_id": [10, 11]], at: t + 1)
        #expect(r.column("age")?.values == [.float64(40.25), nil])
        #expect(r.column("age")?.statuses == [.present, .nullValue])
        #expect(r.column("visits")?.values[0] == .int32(3))
        #expect(r.column("score")?.values[0] == .float32(0.5))
        #expect(r.column("embedding")?.values[0] == .vector([1, 2, 3]))
        #expect(r.column("last_login")?.values[0] == .timestamp(t - 1))
        #expect(r.column("avatar")?.values[0] == .bytes([0, 1, 2, 255]))
        #expect(r.column("country")?.values == [.string("PT"), .string("ES")])
        #expect(r.column("country")?.eventTimestamps == [t, t])

        // A failed expectation rejects the whole push: nothing of user 12 lands.
        await #expect(throws: FeatureClientError.self) {
            try await client.push(table: "user_stats", rows: [
                ["user_id": .int64(12), "event_timestamp": .timestamp(t), "region": .int64(2)],
                ["user_id": .int64(13), "event_timestamp": .timestamp(t), "region": .int64(7)],
            ])
        }
        do {
            _ = try await client.push(table: "user_stats", rows: [["user_id": .int64(13), "event_timestamp": .timestamp(t), "region": .int64(7)]])
            Issue.record("a push outside expect {in: [1, 2, 3]} was accepted")
        } catch let e as FeatureClientError {
            #expect(e.code == .invalidArgument && e.operation == "PUSH")
            #expect(e.message.contains("row 1") && e.message.contains("region"), "\(e)")
        }
        let none = try await client.getOnlineFeatures(features: ["user_stats:region"], entities: ["user_id": [12]], at: t + 1)
        #expect(none.column("region")?.statuses == [.notFound])
        do {
            _ = try await client.push(table: "user_statz", rows: [["user_id": .int64(1), "event_timestamp": .timestamp(t)]])
            Issue.record("a push to an unknown table was accepted")
        } catch let e as FeatureClientError {
            #expect(e.code == .notFound, "\(e)")
        }
        // Client-side checks, before anything is sent.
        do {
            _ = try await client.push(table: "user_stats", rows: [["age": .float64(1)], ["age": .int64(2)]])
            Issue.record("mixed column types were sent")
        } catch let e as FeatureClientError {
            #expect(e.kind == .invalidArgument && e.message.contains("row 2") && e.message.contains("'age'"), "\(e)")
        }
    }

    @Test func errorsCarryTheServersCode() async throws {
        let served = try ServedStore()
        let client = try await FeatureClient.connect(port: served.port)
        func code(_ body: () async throws -> Void) async -> ErrorCode? {
            do { try await body(); return nil } catch let e as FeatureClientError { return e.code } catch { return nil }
        }
        #expect(await code { _ = try await client.prepare(features: ["user_stat:age"]) } == .notFound)
        #expect(await code { _ = try await client.getOnlineFeatures(features: ["user_stats:age"], entities: ["user_id": ["x"]]) } == .invalidArgument)
        #expect(await code { _ = try await client.predict(model: "churn@production", entities: ["user_id": [1]]) } == .notFound)
        let stale = PreparedFeatureList(selection: FeatureSelection(refs: ["user_stats:age"]),
                                        description: FeatureListDescription(listId: 4242, columns: FeatureListColumns(
                                            joinKeys: [WireField("user_id", .int64)], features: [ListedFeature(name: "age", ref: "user_stats:age", type: .float64)])))
        #expect(await code { _ = try await client.getOnlineFeatures(stale, entities: ["user_id": [1]]) } == .unknownFeatureList)
        let many = [any EntityKey](repeating: 1, count: 10_001)
        #expect(await code { _ = try await client.getOnlineFeatures(features: ["user_stats:age"], entities: ["user_id": many]) } == .limitExceeded)
        do {
            _ = try await client.getOnlineFeatures(features: ["user_stats:age"], entities: ["user": [1]])
            Issue.record("a wrong join key name was sent")
        } catch let e as FeatureClientError {
            #expect(e.kind == .invalidArgument && e.description.contains("'user' is not a join key"), "\(e)")
        }
        // After all that, the connection still serves.
        let catalog = try await client.catalog()
        #expect(catalog.tables.map(\.name) == ["device_user", "user_stats"])
        #expect(catalog.entities.map(\.name) == ["device", "user"])
        #expect(catalog.services == [.init(name: "profile", refs: ["user_stats:age", "user_stats:country", "user_stats:score"])])
        let health = try await client.health()
        #expect(!health.draining && health.connections == 1 && health.requests >= 8)

        // A closed client fails fast with the endpoint in the message.
        try await client.close()
        do {
            _ = try await client.health()
            Issue.record("a closed client answered")
        } catch let e as FeatureClientError {
            #expect(e.kind == .connectionClosed && e.description.hasPrefix("127.0.0.1:\(served.port): HEALTH:"), "\(e)")
        }
    }

    @Test func connectionFailuresNameHostAndPort() async throws {
        // A port nobody listens on: bind one, note it, stop the server.
        let port: Int
        do {
            let served = try ServedStore()
            port = served.port
        }
        do {
            _ = try await FeatureClient.connect(host: "127.0.0.1", port: port)
            Issue.record("connected to a closed port")
        } catch let e as FeatureClientError {
            #expect(e.kind == .connectionFailed && e.description.hasPrefix("127.0.0.1:\(port): cannot connect"), "\(e)")
        }
    }

    @Test func authenticationAndScopes() async throws {
        let served = try ServedStore(tokens: [.read, .write, .admin]) { $0.requireAuth = true }
        let read = try #require(served.tokens[.read]), write = try #require(served.tokens[.write])
        for token in [nil, "fst_0000"] as [String?] {
            do {
                _ = try await FeatureClient.connect(port: served.port, token: token)
                Issue.record("connected without a valid token")
            } catch let e as FeatureClientError {
                #expect(e.code == .unauthenticated && e.operation == "HELLO", "\(e)")
            }
        }
        let reader = try await FeatureClient.connect(port: served.port, token: read)
        #expect(reader.server.scope == .read && reader.server.serverFlags.contains(.authRequired))
        let r = try await reader.getOnlineFeatures(features: ["user_stats:age"], entities: ["user_id": [1]], at: Fixture.at)
        #expect(r.column("age")?.values == [.float64(31.5)])
        let row: [String: WireValue?] = ["user_id": .int64(5), "event_timestamp": .timestamp(Fixture.at), "age": .float64(1)]
        do {
            _ = try await reader.push(table: "user_stats", rows: [row])
            Issue.record("a read token pushed")
        } catch let e as FeatureClientError {
            #expect(e.code == .forbidden, "\(e)")
        }
        // AUTH upgrades the same connection; an unknown token keeps the scope.
        #expect(try await reader.authenticate(token: write) == .write)
        #expect(try await reader.push(table: "user_stats", rows: [row]).rows == 1)
        do {
            try await reader.authenticate(token: "fst_nope")
            Issue.record("an unknown token was accepted")
        } catch let e as FeatureClientError {
            #expect(e.code == .unauthenticated)
        }
        #expect(try await reader.push(table: "user_stats", rows: [row]).rows == 1)
    }

    @Test func manyConcurrentCallsShareOnePipelinedConnection() async throws {
        let served = try ServedStore()
        let client = try await FeatureClient.connect(port: served.port)
        let list = try await client.prepare(features: ["user_stats:age", "user_stats:visits"])
        let expectedAge: [Int: WireValue?] = [1: .float64(31.5), 2: nil, 3: nil, 4: .float64(22), 5: nil]  // 3: outside max age
        // 2000 lookups and 20 pushes in flight at once, from as many tasks, on one connection.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<2000 {
                group.addTask {
                    let id = i % 5 + 1
                    let r = try await client.getOnlineFeatures(list, entities: ["user_id": [id, 99]], at: Fixture.at)
                    #expect(r.column("age")?.values == [expectedAge[id]!, nil])
                    #expect(r.column("user_id")?.values == [.int64(Int64(id)), .int64(99)])
                }
                if i % 100 == 0 {
                    group.addTask {
                        let row: [String: WireValue?] = ["user_id": .int64(Int64(1000 + i)), "event_timestamp": .timestamp(Fixture.at),
                                                         "visits": .int64(Int64(i))]
                        let reply = try await client.push(table: "user_stats", rows: [row])
                        #expect(reply.rows == 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        let pushed = try await client.getOnlineFeatures(list, entities: ["user_id": (0..<20).map { 1000 + $0 * 100 }], at: Fixture.at)
        #expect(pushed.column("visits")?.values == (0..<20).map { .int32(Int32($0 * 100)) })
        let health = try await client.health()
        #expect(health.connections == 1 && health.requests >= 2022)
    }

    @Test func tls() async throws {
        let dir = NSTemporaryDirectory() + "/fsclient-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
                             "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")
        let served = try ServedStore {
            $0.tlsCertificatePath = dir + "/cert.pem"
            $0.tlsKeyPath = dir + "/key.pem"
        }
        let client = try await FeatureClient.connect(port: served.port, tls: try .trusting(caFile: dir + "/cert.pem", serverHostname: "localhost"))
        #expect(client.server.serverFlags.contains(.tls))
        let r = try await client.getOnlineFeatures(features: ["user_stats:age"], entities: ["user_id": [1]], at: Fixture.at)
        #expect(r.column("age")?.values == [.float64(31.5)])
        try await client.close()
        // Trusting nothing but the system roots: the handshake fails, naming the endpoint.
        do {
            _ = try await FeatureClient.connect(port: served.port, tls: .system)
            Issue.record("an untrusted certificate was accepted")
        } catch let e as FeatureClientError {
            #expect(e.description.hasPrefix("127.0.0.1:\(served.port):"), "\(e)")
        }
    }
}
