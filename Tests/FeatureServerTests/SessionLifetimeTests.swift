import Foundation
import NIOCore
import NIOEmbedded
import Testing
import WireProtocol
@testable import FeatureServer
@testable import FeatureStore

/// How long a connection lives: the idle timeout (on the embedded loop's
/// virtual clock, so no sleeping), and a token revoked while the connection
/// is open. Reuses ProtocolHandlerTests' fixture.
@Suite struct SessionLifetimeTests {
    typealias T = ProtocolHandlerTests

    @Test func idleConnectionIsClosedAfterTheTimeout() throws {
        let f = try T.Fixture { $0.idleTimeoutSeconds = 5 }
        let channel = try f.channel()
        let loop = channel.embeddedEventLoop
        try channel.writeInbound(T.bytes(Hello(client: "t", token: nil), id: 1))
        #expect(try T.replies(channel).count == 1)
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        // A request at t=4 moves the deadline to t=9.
        try channel.writeInbound(T.bytes(HealthRequest(), id: 2))
        #expect(try T.replies(channel).count == 1)
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive, "closed 4 s after a request with a 5 s timeout")
        loop.advanceTime(by: .milliseconds(1500))
        #expect(!channel.isActive, "still open 5.5 s after the last request")
    }

    @Test func noIdleTimeoutKeepsConnectionsOpen() throws {
        let f = try T.Fixture { $0.idleTimeoutSeconds = 0 }
        let channel = try f.channel()
        try channel.writeInbound(T.bytes(Hello(client: "t", token: nil), id: 1))
        #expect(try T.replies(channel).count == 1)
        channel.embeddedEventLoop.advanceTime(by: .hours(10))
        #expect(channel.isActive)
        #expect(try channel.finish().isClean)
    }

    static func lookup(_ id: UInt32) -> ByteBuffer {
        T.bytes(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age"])), keyCount: 1, keys: [.int64(1)]), id: id)
    }

    @Test func revokedTokenIsRefusedOnAnOpenConnectionThenClosed() throws {
        let f = try T.Fixture { $0.requireAuth = true }
        let book = try f.store.tokenBook()
        let (token, record) = try book.create(scope: .read)
        let (other, _) = try book.create(scope: .read)

        // A lookup (checked inside its own read transaction) ...
        let looker = try f.channel()
        try looker.writeInbound(T.bytes(Hello(client: "t", token: token), id: 1))
        try looker.writeInbound(Self.lookup(2))
        let before = try T.replies(looker)
        try #require(before.count == 2)
        #expect(try before[1].decode(GetOnlineReply.self).cells[0][0].value == .float64(31.5))
        // ... and another operation (checked in a read of its own), on a second connection.
        let cataloger = try f.channel()
        try cataloger.writeInbound(T.bytes(Hello(client: "t", token: token), id: 1))
        // A third connection with another token is not affected.
        let bystander = try f.channel()
        try bystander.writeInbound(T.bytes(Hello(client: "t", token: other), id: 1))
        _ = try T.replies(cataloger)
        _ = try T.replies(bystander)

        try book.revoke(id: record.id)

        try looker.writeInbound(Self.lookup(3))
        let refused = try T.replies(looker)
        try #require(refused.count == 1)
        #expect(throws: WireError(.unauthenticated, ServerCore.revokedMessage, requestId: 3, opcode: .getOnline)) {
            try refused[0].decode(GetOnlineReply.self)
        }
        #expect(!looker.isActive)

        try cataloger.writeInbound(T.bytes(CatalogRequest(), id: 2))
        let refusedToo = try T.replies(cataloger)
        try #require(refusedToo.count == 1)
        #expect(throws: WireError(.unauthenticated, ServerCore.revokedMessage, requestId: 2, opcode: .catalog)) {
            try refusedToo[0].decode(CatalogReply.self)
        }
        #expect(!cataloger.isActive)

        try bystander.writeInbound(Self.lookup(2))
        #expect(try T.replies(bystander).first?.decode(GetOnlineReply.self).cells[0][0].value == .float64(31.5))
        #expect(bystander.isActive)
    }

    @Test func metricsCountRequestsPerLoopAndSumThemAtScrape() throws {
        let f = try T.Fixture()
        let channel = try f.channel()
        try channel.writeInbound(T.bytes(Hello(client: "t", token: nil), id: 1))
        try channel.writeInbound(T.bytes(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age"])),
                                                          keyCount: 1, keys: [.int64(1), .int64(7)]), id: 2))
        try channel.writeInbound(T.bytes(CatalogRequest(), id: 3))
        try channel.writeInbound(T.bytes(GetOnlineRequest(listId: 999, keyCount: 1, keys: [.int64(1)]), id: 4))
        #expect(try T.replies(channel).count == 4)
        let text = String(decoding: f.core.metrics.exposition(), as: UTF8.self)
        #expect(text.contains("fs_requests_total{op=\"GET_ONLINE\",status=\"OK\"} 1\n"), "\(text)")
        #expect(text.contains("fs_requests_total{op=\"GET_ONLINE\",status=\"UNKNOWN_FEATURE_LIST\"} 1\n"))
        #expect(text.contains("fs_requests_total{op=\"CATALOG\",status=\"OK\"} 1\n"))
        #expect(text.contains("fs_request_duration_seconds_count{op=\"HELLO\",status=\"OK\"} 1\n"))
        #expect(text.contains("fs_request_duration_seconds_bucket{op=\"GET_ONLINE\",status=\"OK\",le=\"+Inf\"} 1\n"))
        #expect(text.contains("fs_online_lookups_total{result=\"hit\"} 1\n"))
        #expect(text.contains("fs_online_lookups_total{result=\"miss\"} 1\n"))
        #expect(text.contains("# TYPE fs_request_duration_seconds histogram\n"))
        #expect(f.core.metrics.totals().requests == 4)
        #expect(try channel.finish().isClean)
    }
}
