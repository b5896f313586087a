import Foundation
import NIOCore
import Tabular
import Testing
import WireProtocol

/// `fsctl serve` over loopback: a real server process and the test client of
/// ServeSupport.swift speaking docs/wire-protocol.md.
@Suite struct ServeTests {
    /// 2025-11-16T00:00:00Z: a day after the example's events (ttl 2d).
    static let nextDay: Int64 = 1_763_251_200_000_000
    static let refs = ["user_stats:age", "user_stats:num_purchases", "user_stats:country", "user_stats:embedding"]

    /// The example store with its events ingested offline and online.
    static func served(_ args: [String] = []) throws -> (Sandbox, ServerProcess) {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.write("more.jsonl", Examples.jsonl)
        try box.ok("ingest", "user_stats", "events.csv", "more.jsonl", "--to", "both", "--quiet")
        return (box, try ServerProcess(box, args))
    }

    @Test func lookupsEqualFsctlGet() throws {
        let (box, server) = try Self.served()
        let client = try TestClient(port: server.port)
        let hello = try client.hello()
        #expect(hello.version == 1 && hello.scope == .admin && hello.serverFlags.isEmpty)
        #expect(hello.storeId.count == 32)
        let list = try client.call(FeatureSelection(refs: Self.refs), FeatureListDescription.self)
        #expect(list.columns.joinKeys == [WireField("user_id", .int64)])
        #expect(list.columns.features.map(\.type) == [.float64, .int64, .string, .float32Vector(2)])
        let ids: [WireValue] = [.int64(1), .int64(2), .int64(4), .int64(99)]
        let reply = try client.call(GetOnlineRequest(listId: list.listId, at: Self.nextDay, keyCount: 1, keys: ids), GetOnlineReply.self)
        #expect(reply.description == nil && reply.entityCount == 4)
        let expected = try box.run(["get", "--json", "--features", Self.refs.joined(separator: ","),
                                    "--entity", "user_id=1", "--entity", "user_id=2", "--entity", "user_id=4",
                                    "--entity", "user_id=99", "--at", "2025-11-16T00:00:00Z"]).json()
        let got = feastShape(keys: [("user_id", ids)], features: list.columns.features.map(\.name), reply: reply)
        #expect((got as NSDictionary).isEqual(to: expected as! [String: Any]), "\(got)\nvs\n\(expected)")

        // Inline selection: same cells, with the list described; "now" is past the ttl.
        let inline = try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: Self.refs)), at: Self.nextDay,
                                                      keyCount: 1, keys: ids), GetOnlineReply.self)
        #expect(inline.listId == list.listId && inline.description == list.columns && inline.cells == reply.cells)
        let now = try client.call(GetOnlineRequest(listId: list.listId, keyCount: 1, keys: [.int64(1)]), GetOnlineReply.self)
        #expect(now.cells[0][0].status == .outsideMaxAge && now.cells[0][0].value == nil)

        // A service, full names, and the catalog.
        let service = try client.call(FeatureSelection(services: ["churn_v1"], fullFeatureNames: true), FeatureListDescription.self)
        #expect(service.columns.features.map(\.name) == ["user_stats__age", "user_stats__num_purchases"])
        let catalog = try client.call(CatalogRequest(), CatalogReply.self)
        #expect(catalog.tables.map(\.name) == ["user_stats"] && catalog.tables[0].ttlMicros == 2 * 86_400_000_000)
        #expect(catalog.services == [.init(name: "churn_v1", refs: ["user_stats:age", "user_stats:num_purchases"])])
        let health = try client.call(HealthRequest(), HealthReply.self)
        #expect(!health.draining && health.connections == 1 && health.mapSizeBytes > 0)
    }

    @Test func errorsAreTypedAndKeepTheConnection() throws {
        let (_, server) = try Self.served()
        let client = try TestClient(port: server.port)
        try client.hello()
        func code<R: WireMessage>(_ body: () throws -> R) -> ErrorCode? {
            do { _ = try body(); return nil } catch let e as WireError { return e.code } catch { return nil }
        }
        #expect(code { try client.call(FeatureSelection(refs: ["user_stat:age"]), FeatureListDescription.self) } == .notFound)
        #expect(code { try client.call(GetOnlineRequest(listId: 4242, keyCount: 1, keys: [.int64(1)]), GetOnlineReply.self) } == .unknownFeatureList)
        #expect(code { try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age"])),
                                                        keyCount: 1, keys: [.string("x")]), GetOnlineReply.self) } == .invalidArgument)
        #expect(code { try client.call(PredictRequest(model: "churn", keyNames: ["user_id"], keys: [.int64(1)]), PredictReply.self) } == .notFound)
        #expect(code { try client.call(Hello(client: "again", token: nil), HelloReply.self) } == .protocolViolation)
        let many = [WireValue](repeating: .int64(1), count: 10_001)
        #expect(code { try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age"])),
                                                        keyCount: 1, keys: many), GetOnlineReply.self) } == .limitExceeded)
        // Unknown opcode, malformed payload: answered, connection still usable.
        var raw = ByteBuffer()
        Frame(opcode: Opcode(rawValue: 0x0777), requestId: 77, payload: ByteBuffer(bytes: [1, 2])).write(to: &raw)
        Frame(opcode: .getOnline, requestId: 78, payload: ByteBuffer(bytes: [9, 9, 9])).write(to: &raw)
        try client.sendRaw(Array(raw.readableBytesView))
        let a = try #require(try client.next()), b = try #require(try client.next())
        #expect(a.requestId == 77 && a.isError && (try? a.decode(HealthReply.self)) == nil)
        #expect(throws: WireError(.unknownOpcode, "unknown opcode 0x777", requestId: 77, opcode: Opcode(rawValue: 0x777))) { try a.decode(HealthReply.self) }
        #expect(b.requestId == 78 && b.isError)
        #expect(try client.call(HealthRequest(), HealthReply.self).connections == 1)
    }

    @Test func pushThenRead() throws {
        let (box, server) = try Self.served()
        let client = try TestClient(port: server.port)
        try client.hello()
        let t = Self.nextDay - 3_600_000_000
        let push = PushRequest(table: "user_stats", destination: .both, columns: [
            PushColumn(name: "user_id", type: .int64, values: [.int64(1), .int64(7)]),
            PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(t), .timestamp(t)]),
            PushColumn(name: "age", type: .float64, values: [.float64(40.25), nil]),
            PushColumn(name: "num_purchases", type: .int64, values: [.int64(8), .int64(1)]),
            // int64 widened to the table's int32 column
            PushColumn(name: "region", type: .int64, values: [.int64(3), nil]),
        ])
        let reply = try client.call(push, PushReply.self)
        #expect(reply.rows == 2 && reply.batchId == 3)
        let got = try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age", "user_stats:region"])),
                                                   at: Self.nextDay, keyCount: 1, keys: [.int64(1), .int64(7)]), GetOnlineReply.self)
        #expect(got.cells[0].map(\.value) == [.float64(40.25), nil])
        #expect(got.cells[0].map(\.status) == [.present, .nullValue])
        #expect(got.cells[1].map(\.value) == [.int32(3), nil])
        #expect(got.cells[0][0].eventTimestamp == t)
        // The event log has them too, as a batch recorded for lineage.
        let described = try box.ok("describe", "user_stats")
        #expect(described.contains("push"), "\(described)")

        // A failed expectation rejects the whole push, naming row and column; nothing lands.
        let bad = PushRequest(table: "user_stats", destination: .both, columns: [
            PushColumn(name: "user_id", type: .int64, values: [.int64(8), .int64(9)]),
            PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(t), .timestamp(t)]),
            PushColumn(name: "region", type: .int32, values: [.int32(1), .int32(7)]),
        ])
        #expect(throws: WireError.self) { try client.call(bad, PushReply.self) }
        do { _ = try client.call(bad, PushReply.self) } catch let e as WireError {
            #expect(e.code == .invalidArgument)
            #expect(e.message.hasPrefix("push to 'user_stats': row 2: column 'region': "), "\(e.message)")
        }
        let unknown = PushRequest(table: "user_stats", destination: .online, columns: [
            PushColumn(name: "user_id", type: .int64, values: [.int64(8)]),
            PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(t)]),
            PushColumn(name: "agee", type: .float64, values: [.float64(1)]),
        ])
        do { _ = try client.call(unknown, PushReply.self); Issue.record("unknown column accepted") } catch let e as WireError {
            #expect(e.code == .invalidArgument && e.message.contains("unknown column 'agee'") && e.message.contains("did you mean 'age'"), "\(e.message)")
        }
        let none = try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:region"])),
                                                    at: Self.nextDay, keyCount: 1, keys: [.int64(8), .int64(9)]), GetOnlineReply.self)
        #expect(none.cells[0].map(\.status) == [.notFound, .notFound])
        let after = try box.run("get", "--json", "--features", "user_stats:age", "--entity", "user_id=1", "--at", "2025-11-16T00:00:00Z").json()
        let results = (after as? [String: Any])?["results"] as? [[String: Any]]
        #expect((results?[1]["values"] as? [Any])?.first as? Double == 40.25)
    }

    @Test func readOnlyRefusesPush() throws {
        let (_, server) = try Self.served(["--read-only"])
        let client = try TestClient(port: server.port)
        #expect(try client.hello().serverFlags.contains(.readOnly))
        let push = PushRequest(table: "user_stats", destination: .online, columns: [
            PushColumn(name: "user_id", type: .int64, values: [.int64(1)]),
            PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(Self.nextDay)]),
        ])
        do { _ = try client.call(push, PushReply.self); Issue.record("a read-only server took a push") } catch let e as WireError {
            #expect(e.code == .readOnly)
        }
        #expect(try client.call(FeatureSelection(refs: ["user_stats:age"]), FeatureListDescription.self).listId > 0)
    }

    @Test func authAndScopes() throws {
        let box = try Sandbox.withExample()
        let read = try box.ok("tokens", "create", "--scope", "read", "--name", "dashboards").trimmingCharacters(in: .whitespacesAndNewlines)
        let write = try box.ok("tokens", "create", "--scope", "write").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(read.hasPrefix("fst_") && read.count == 68)
        let listed = try box.run("tokens", "list", "--json").json() as? [[String: Any]]
        #expect(listed?.map { $0["scope"] as? String } == ["read", "write"])
        #expect(listed?.allSatisfy { $0["token"] == nil } == true)
        // Only hashes are stored: the token's bytes are nowhere in the data file.
        let data = try Data(contentsOf: URL(fileURLWithPath: box.store + "/data.mdb"))
        #expect(data.range(of: Data(read.utf8)) == nil)

        let server = try ServerProcess(box, ["--require-auth"])
        // No token: refused and closed.
        let anonymous = try TestClient(port: server.port)
        do { try anonymous.hello(); Issue.record("HELLO without a token was accepted") } catch let e as WireError {
            #expect(e.code == .unauthenticated)
        }
        #expect(try anonymous.drainUntilClosed().isEmpty)
        // A wrong token: the same.
        let wrong = try TestClient(port: server.port)
        #expect(throws: WireError.self) { try wrong.hello(token: "fst_" + String(repeating: "0", count: 64)) }

        let reader = try TestClient(port: server.port)
        let hello = try reader.hello(token: read)
        #expect(hello.scope == .read && hello.serverFlags.contains(.authRequired))
        #expect(try reader.call(CatalogRequest(), CatalogReply.self).tables.count == 1)
        let push = PushRequest(table: "user_stats", destination: .online, columns: [
            PushColumn(name: "user_id", type: .int64, values: [.int64(1)]),
            PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(Self.nextDay)]),
        ])
        do { _ = try reader.call(push, PushReply.self); Issue.record("a read token pushed") } catch let e as WireError {
            #expect(e.code == .forbidden)
        }
        // AUTH upgrades the same connection.
        #expect(try reader.call(Auth(token: write), AuthReply.self).scope == .write)
        #expect(try reader.call(push, PushReply.self).rows == 1)

        // Revoked: the next handshake is refused.
        let id = try #require(listed?.first?["id"] as? String)
        try box.ok("tokens", "revoke", id)
        let late = try TestClient(port: server.port)
        #expect(throws: WireError.self) { try late.hello(token: read) }
        #expect(try box.run("tokens", "revoke", "zzzz").code == 1)
    }

    @Test func tls() throws {
        let box = try Sandbox.withExample()
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", box.dir + "/key.pem",
                             "-out", box.dir + "/cert.pem", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")
        let server = try ServerProcess(box, ["--tls-cert", "cert.pem", "--tls-key", "key.pem"])
        let client = try TestClient(port: server.port, tlsTrusting: box.dir + "/cert.pem")
        #expect(try client.hello().serverFlags.contains(.tls))
        #expect(try client.call(FeatureSelection(refs: ["user_stats:age"]), FeatureListDescription.self).listId > 0)
        // Plain text to a TLS port gets nowhere, and does not hurt the server.
        let plain = try TestClient(port: server.port)
        _ = try? plain.send(Hello(client: "plain", token: nil))
        #expect(try plain.drainUntilClosed().isEmpty)
        #expect(try client.call(HealthRequest(), HealthReply.self).connections >= 1)
    }

    @Test func sigtermDrainsInFlightRequests() throws {
        let (box, server) = try Self.served()
        let client = try TestClient(port: server.port)
        try client.hello()
        let t = Self.nextDay
        let rows = 20_000
        let id = try client.send(PushRequest(table: "user_stats", destination: .both, columns: [
            PushColumn(name: "user_id", type: .int64, values: (0..<rows).map { .int64(Int64($0) + 1000) }),
            PushColumn(name: "event_timestamp", type: .timestamp, values: (0..<rows).map { _ in .timestamp(t) }),
            PushColumn(name: "age", type: .float64, values: (0..<rows).map { .float64(Double($0)) }),
        ]))
        // Frames are handled in order and reads answered at once: when HEALTH's reply is
        // back, the server has read the push (which is committing, or committed).
        let health = try client.send(HealthRequest())
        var frames: [Frame] = []
        while let f = try client.next() {
            frames.append(f)
            if f.requestId == health { break }
        }
        kill(server.process.processIdentifier, SIGTERM)
        frames += try client.drainUntilClosed()
        #expect(server.terminate() == 0, "\(server.stderr)")
        // Everything read before SIGTERM is answered: the push committed, then the connection closed.
        let reply = try #require(frames.first { $0.requestId == id }, "no reply to the push read before SIGTERM: \(frames)")
        #expect(try reply.decode(PushReply.self).rows == UInt32(rows))
        let r = try box.run("get", "--json", "--features", "user_stats:age", "--entity", "user_id=20999", "--at", "2025-11-16T00:00:00Z").json()
        #expect((((r as? [String: Any])?["results"] as? [[String: Any]])?[1]["values"] as? [Any])?.first as? Double == 19999)
        // After the drain nothing listens.
        #expect(throws: (any Error).self) { _ = try TestClient(port: server.port) }
        #expect(server.stderr.contains("draining"))
    }

    @Test func garbageFromOneClientDoesNotAffectAnother() throws {
        let (_, server) = try Self.served(["--max-frame-bytes", "4096"])
        let good = try TestClient(port: server.port)
        try good.hello()
        let list = try good.call(FeatureSelection(refs: ["user_stats:age"]), FeatureListDescription.self)

        // Oversize length: FRAME_TOO_LARGE, then closed.
        let big = try TestClient(port: server.port)
        try big.hello()
        try big.sendRaw([0, 1, 0, 0, 0, 0x11, 0, 0, 0, 0, 0, 9])
        let closing = try big.drainUntilClosed()
        #expect(closing.count == 1 && closing[0].requestId == 9)
        #expect(throws: WireError(.frameTooLarge, "frame payload of 65536 bytes is over the limit of 4096",
                                  requestId: 9, opcode: .getOnline)) { try closing[0].decode(GetOnlineReply.self) }
        // Random bytes before any HELLO: closed.
        var rng = SystemRandomNumberGenerator()
        let noise = try TestClient(port: server.port)
        try noise.sendRaw((0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) })
        _ = try noise.drainUntilClosed()
        // A frame cut short and the socket closed.
        let cut = try TestClient(port: server.port)
        try cut.hello()
        try cut.sendRaw([0, 0, 0, 100, 0, 0x11, 0, 0, 0, 0, 0, 1, 1, 2, 3])
        cut.channel.close(promise: nil)
        // Bad flags: closed.
        let flags = try TestClient(port: server.port)
        try flags.hello()
        try flags.sendRaw([0, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 5])
        let violation = try flags.drainUntilClosed()
        #expect(violation.count == 1 && violation[0].isError)

        let reply = try good.call(GetOnlineRequest(listId: list.listId, at: Self.nextDay, keyCount: 1, keys: [.int64(1)]), GetOnlineReply.self)
        #expect(reply.cells[0][0].value == .float64(31.5))
        #expect(server.process.isRunning)
    }

    @Test func preparedListsFollowTheCatalog() throws {
        let (box, server) = try Self.served()
        let client = try TestClient(port: server.port)
        try client.hello()
        let star = try client.call(FeatureSelection(refs: ["user_stats:*"]), FeatureListDescription.self)
        let one = try client.call(FeatureSelection(refs: ["user_stats:age"]), FeatureListDescription.self)
        try box.write("v2.yaml", Examples.definitions.replacingOccurrences(
            of: "      - {name: region, type: int32, expect: {in: [1, 2, 3, 4]}}\n",
            with: "      - {name: region, type: int32, expect: {in: [1, 2, 3, 4]}}\n      - {name: tenure, type: int64}\n"))
        try box.ok("apply", "v2.yaml", "--quiet")
        // The explicit list keeps working; `*` now has another column: stale.
        let age = try client.call(GetOnlineRequest(listId: one.listId, at: Self.nextDay, keyCount: 1, keys: [.int64(1)]), GetOnlineReply.self)
        #expect(age.cells[0][0].value == .float64(31.5))
        do {
            _ = try client.call(GetOnlineRequest(listId: star.listId, at: Self.nextDay, keyCount: 1, keys: [.int64(1)]), GetOnlineReply.self)
            Issue.record("a stale list answered")
        } catch let e as WireError {
            #expect(e.code == .featureListStale)
        }
        let again = try client.call(FeatureSelection(refs: ["user_stats:*"]), FeatureListDescription.self)
        #expect(again.listId != star.listId && again.columns.features.last?.name == "tenure")
    }

    @Test func httpPort() throws {
        let (box, server) = try Self.served(["--http-port", "0"])
        let port = try #require(server.httpPort)
        let client = try TestClient(port: server.port)
        try client.hello()
        _ = try client.call(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age"])), at: Self.nextDay,
                                             keyCount: 1, keys: [.int64(1), .int64(99)]), GetOnlineReply.self)
        func curl(_ args: String...) throws -> String { try Curl.run(args) }
        let metrics = try curl("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.contains("fs_requests_total{op=\"GET_ONLINE\",status=\"OK\"} 1"), "\(metrics)")
        #expect(metrics.contains("fs_online_lookups_total{result=\"hit\"} 1"))
        #expect(metrics.contains("fs_online_lookups_total{result=\"miss\"} 1"))
        #expect(metrics.contains("fs_connections 1"))
        #expect(metrics.contains("fs_store_map_size_bytes"))
        #expect(metrics.contains("fs_request_duration_seconds_bucket{op=\"GET_ONLINE\",status=\"OK\""))
        #expect(try curl("http://127.0.0.1:\(port)/health") == "{\"status\":\"serving\"}")
        let body = #"{"features": ["user_stats:age", "user_stats:country"], "entities": {"user_id": [1, 2, 99]}}"#
        let posted = try curl("-X", "POST", "-d", body, "http://127.0.0.1:\(port)/get-online-features")
        let expected = try box.run("get", "--json", "--features", "user_stats:age,user_stats:country",
                                   "--entity", "user_id=1", "--entity", "user_id=2", "--entity", "user_id=99").json()
        let got = try JSONSerialization.jsonObject(with: Data(posted.utf8))
        // Statuses and values (timestamps too) match; "now" is the same day for both.
        #expect((got as! NSDictionary).isEqual(to: expected as! [String: Any]), "\(posted)")
        #expect(try curl("-X", "POST", "-d", "{", "http://127.0.0.1:\(port)/get-online-features").contains("error"))
    }
}
