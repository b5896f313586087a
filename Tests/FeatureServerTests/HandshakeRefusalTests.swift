import NIOCore
import NIOEmbedded
import Testing
import WireProtocol
@testable import FeatureServer

/// HELLOs the server cannot accept: a version range without the server's
/// version, a payload without the magic. Each gets an error reply that says
/// what was expected, then the connection closes.
extension ProtocolHandlerTests {
    @Test func helloWithAnotherVersionOrNoMagicIsRefusedAndCloses() throws {
        let f = try Fixture()
        let version = try f.channel()
        try version.writeInbound(Self.bytes(Hello(client: "future", token: nil, minVersion: 7, maxVersion: 9), id: 1))
        let replies = try Self.replies(version)
        #expect(replies.count == 1)
        #expect(throws: WireError(.unsupportedVersion, "this server speaks protocol version 1; the client asked for 7...9",
                                  requestId: 1, opcode: .hello)) { try replies[0].decode(HelloReply.self) }
        #expect(!version.isActive)

        let magic = try f.channel()
        var raw = ByteBuffer()
        Frame(opcode: .hello, requestId: 2, payload: ByteBuffer(bytes: Array("HTTP/1.1".utf8))).write(to: &raw)
        try magic.writeInbound(raw)
        let refused = try Self.replies(magic)
        #expect(refused.count == 1)
        #expect(throws: WireError(.malformed, "HELLO: the payload does not start with the magic \"FSWP\"", requestId: 2, opcode: .hello)) {
            try refused[0].decode(HelloReply.self)
        }
        #expect(!magic.isActive)
    }
}
