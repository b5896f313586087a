import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing
import WireProtocol
@testable import FeatureServer
@testable import FeatureStore
import Tabular

/// The protocol handler and the server core on a real store, through an
/// EmbeddedChannel: no sockets, every byte visible.
@Suite struct ProtocolHandlerTests {
    static let yaml = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}
        feature_tables:
          - name: user_stats
            entities: [user]
            features:
              - {name: age, type: float64}
              - {name: country, type: string}
        """

    final class Fixture {
        let dir = NSTemporaryDirectory() + "fs-server-test-" + UUID().uuidString
        let store: Store
        let core: ServerCore
        init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
            store = try Store.create(at: dir)
            try store.apply(DefinitionsParser.parse(yaml: ProtocolHandlerTests.yaml, file: "t.yaml"))
            var ages = Column(type: .float64); ages.appendFloat64(31.5)
            var ids = Column(type: .int64); ids.appendInt64(1)
            var ts = Column(type: .timestamp); ts.appendInt64(1_000_000)
            try store.push(table: "user_stats", rows: RecordBatch(
                fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("age", .float64)],
                columns: [ids, ts, ages], sourceLines: [1]), destination: .online)
            var config = ServerConfiguration(storePath: dir)
            configure(&config)
            core = try ServerCore(store: store, config: config, tokens: try store.tokenBook(), logger: Logger(label: "test"))
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func channel() throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayloadBytes: core.config.maxFrameBytes)))
            try channel.pipeline.syncOperations.addHandler(ProtocolHandler(core: core, tls: false))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6570)).wait()
            return channel
        }
    }

    static func bytes<M: WireMessage>(_ m: M, id: UInt32) -> ByteBuffer {
        var b = ByteBuffer()
        Frame(request: m, id: id).write(to: &b)
        return b
    }

    /// Every frame written out so far.
    static func replies(_ channel: EmbeddedChannel) throws -> [Frame] {
        var all = ByteBuffer()
        while var b = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&b) }
        var out: [Frame] = []
        while let f = try FrameDecoder().next(from: &all) { out.append(f) }
        #expect(all.readableBytes == 0)
        return out
    }

    @Test func pipelinedRequestsInOneWrite() throws {
        let f = try Fixture()
        let channel = try f.channel()
        var input = Self.bytes(Hello(client: "t", token: nil), id: 1)
        var more = Self.bytes(GetOnlineRequest(target: .selection(FeatureSelection(refs: ["user_stats:age", "user_stats:country"])),
                                               keyCount: 1, keys: [.int64(1), .int64(2)]), id: 2)
        input.writeBuffer(&more)
        var health = Self.bytes(HealthRequest(), id: 3)
        input.writeBuffer(&health)
        try channel.writeInbound(input)
        let frames = try Self.replies(channel)
        try #require(frames.map(\.requestId) == [1, 2, 3])
        let reply = try frames[1].decode(GetOnlineReply.self)
        #expect(reply.cells[0].map(\.value) == [.float64(31.5), nil])
        #expect(reply.cells[0].map(\.status) == [.present, .notFound])
        #expect(reply.cells[1].map(\.status) == [.nullValue, .notFound])
        #expect(reply.description?.features.map(\.name) == ["age", "country"])
        #expect(try frames[2].decode(HealthReply.self).requests >= 2)
        #expect(try channel.finish().isClean)
    }

    @Test func requestBeforeHelloClosesWithAnError() throws {
        let f = try Fixture()
        let channel = try f.channel()
        try channel.writeInbound(Self.bytes(HealthRequest(), id: 5))
        let frames = try Self.replies(channel)
        #expect(frames.count == 1)
        #expect(throws: WireError(.handshakeRequired, "the first frame on a connection must be HELLO", requestId: 5, opcode: .health)) {
            try frames[0].decode(HealthReply.self)
        }
        #expect(!channel.isActive)
    }

    @Test func authRequiredRefusesAnonymousHello() throws {
        let f = try Fixture { $0.requireAuth = true }
        let (token, _) = try f.store.tokenBook().create(scope: .read)
        let anonymous = try f.channel()
        try anonymous.writeInbound(Self.bytes(Hello(client: "t", token: nil), id: 1))
        #expect(try Self.replies(anonymous).first?.isError == true)
        #expect(!anonymous.isActive)
        let reader = try f.channel()
        try reader.writeInbound(Self.bytes(Hello(client: "t", token: token), id: 1))
        #expect(try Self.replies(reader).first?.decode(HelloReply.self).scope == .read)
        try reader.writeInbound(Self.bytes(PushRequest(table: "user_stats", destination: .online, columns: []), id: 2))
        let refused = try Self.replies(reader)
        try #require(refused.count == 1)
        #expect(throws: WireError.self) { try refused[0].decode(PushReply.self) }
        #expect(reader.isActive)
    }

    @Test func oversizeFrameGetsAnErrorThenClose() throws {
        let f = try Fixture { $0.maxFrameBytes = 64 }
        let channel = try f.channel()
        try channel.writeInbound(Self.bytes(Hello(client: "t", token: nil), id: 1))
        var header = ByteBuffer()
        header.writeInteger(UInt32(65)); header.writeInteger(UInt16(0x11)); header.writeInteger(UInt16(0)); header.writeInteger(UInt32(9))
        _ = try? channel.writeInbound(header)
        let frames = try Self.replies(channel)
        try #require(frames.count == 2)
        #expect(frames[1].requestId == 9 && frames[1].isError)
        #expect(!channel.isActive)
    }

    @Test func malformedPayloadKeepsTheConnection() throws {
        let f = try Fixture()
        let channel = try f.channel()
        try channel.writeInbound(Self.bytes(Hello(client: "t", token: nil), id: 1))
        var bad = ByteBuffer()
        Frame(opcode: .prepare, requestId: 2, payload: ByteBuffer(bytes: [0, 0, 0, 0, 9])).write(to: &bad)
        try channel.writeInbound(bad)
        try channel.writeInbound(Self.bytes(CatalogRequest(), id: 3))
        let frames = try Self.replies(channel)
        try #require(frames.map(\.requestId) == [1, 2, 3])
        #expect(frames[1].isError)
        #expect(try frames[2].decode(CatalogReply.self).tables.map(\.name) == ["user_stats"])
        #expect(try channel.finish().isClean)
    }
}
