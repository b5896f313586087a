import Foundation
import NIOCore
import Testing
import WireProtocol

/// `fsctl serve` over loopback: connections that go idle, and tokens revoked
/// by another process while a connection that used them is open.
@Suite struct ServeSessionTests {
    @Test func idleConnectionsAreClosed() throws {
        let (_, server) = try ServeTests.served(["--idle-timeout", "1"])
        let idle = try TestClient(port: server.port)
        try idle.hello()
        // Closed without a message once a second passed without a request.
        #expect(try idle.next(timeout: .seconds(20)) == nil)
        // New connections are still served.
        let fresh = try TestClient(port: server.port)
        #expect(try fresh.hello().version == 1)
    }

    @Test func revokedTokenStopsWorkingOnOpenConnections() throws {
        let (box, server) = try ServeTests.served(["--require-auth"])
        let token = try box.ok("tokens", "create", "--scope", "read").trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try box.run("tokens", "list", "--json").json() as? [[String: Any]]
        let id = try #require(listed?.first?["id"] as? String)

        let client = try TestClient(port: server.port)
        #expect(try client.hello(token: token).scope == .read)
        let list = try client.call(FeatureSelection(refs: ["user_stats:age"]), FeatureListDescription.self)
        let lookup = GetOnlineRequest(listId: list.listId, at: ServeTests.nextDay, keyCount: 1, keys: [.int64(1)])
        #expect(try client.call(lookup, GetOnlineReply.self).cells[0][0].status == .present)
        let other = try TestClient(port: server.port)
        try other.hello(token: token)

        // Another process revokes it; the very next request on each open connection is refused, then closed.
        try box.ok("tokens", "revoke", id)
        do {
            _ = try client.call(lookup, GetOnlineReply.self)
            Issue.record("a lookup with a revoked token was answered")
        } catch let e as WireError {
            #expect(e.code == .unauthenticated && e.message.contains("revoked"))
        }
        #expect(try client.drainUntilClosed().isEmpty)
        do {
            _ = try other.call(CatalogRequest(), CatalogReply.self)
            Issue.record("a catalog request with a revoked token was answered")
        } catch let e as WireError {
            #expect(e.code == .unauthenticated)
        }
        #expect(try other.drainUntilClosed().isEmpty)
        // And it cannot open a new one.
        let late = try TestClient(port: server.port)
        #expect(throws: WireError.self) { try late.hello(token: token) }
    }
}
