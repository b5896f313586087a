import NIOCore
import Testing
@testable import WireProtocol

/// The byte-exact examples of docs/wire-protocol.md, section 7.
@Suite struct GoldenFrameTests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.split(whereSeparator: { $0 == " " || $0 == "\n" })
        return digits.map { UInt8($0, radix: 16)! }
    }

    static func encoded(_ frame: Frame) -> [UInt8] {
        var b = ByteBuffer()
        frame.write(to: &b)
        return Array(b.readableBytesView)
    }

    @Test func helloRequest() throws {
        let frame = Frame(request: Hello(client: "py", token: nil), id: 1)
        let expected = Self.bytes("00 00 00 0E 00 01 00 00 00 00 00 01 46 53 57 50 00 01 00 01 00 02 70 79 00 00")
        #expect(Self.encoded(frame) == expected)
        let back = try Hello.decode(frame.payload)
        #expect(back == Hello(client: "py", token: nil))
    }

    @Test func getOnlineByListId() throws {
        let frame = Frame(request: GetOnlineRequest(listId: 7, keyCount: 1, keys: [.int64(1001)]), id: 2)
        let expected = Self.bytes("""
            00 00 00 1E 00 11 00 00 00 00 00 02
            00 00 00 00 07
            80 00 00 00 00 00 00 00
            00 00 00 01 00 00 00 01
            03 00 00 00 00 00 00 03 E9
            """)
        #expect(Self.encoded(frame) == expected)
        let back = try GetOnlineRequest.decode(frame.payload)
        #expect(back.at == nil && back.keys == [.int64(1001)] && back.target == .list(7))
    }

    @Test func getOnlineReply() throws {
        let ts: Int64 = 1_763_164_800_000_000
        let reply = GetOnlineReply(listId: 7, description: nil, types: [.float64, .string], entityCount: 1, cells: [
            [WireCell(status: .present, eventTimestamp: ts, value: .float64(31.5))],
            [WireCell(status: .nullValue, eventTimestamp: ts, value: nil)],
        ])
        let expected = Self.bytes("""
            00 00 00 29 00 11 00 01 00 00 00 02
            00 00 00 07 00
            00 00 00 01 00 00 00 02
            05 06
            00 00 06 43 96 CB 95 A0 00 40 3F 80 00 00 00 00 00
            01 00 06 43 96 CB 95 A0 00
            """)
        #expect(Self.encoded(Frame(reply: reply, id: 2)) == expected)
        #expect(try GetOnlineReply.decode(Frame(reply: reply, id: 2).payload) == reply)
    }

    @Test func errorReply() throws {
        let error = WireError(.unknownFeatureList, "unknown feature list 42", requestId: 9, opcode: .getOnline)
        let bytes = Self.encoded(Frame(error: error))
        #expect(Array(bytes.prefix(16)) == Self.bytes("00 00 00 1B 00 11 00 03 00 00 00 09 00 16 00 17"))
        #expect(String(decoding: bytes.dropFirst(16), as: UTF8.self) == "unknown feature list 42")
        let frame = Frame(error: error)
        #expect(throws: error) { try frame.decode(GetOnlineReply.self) }
    }

    @Test func taggedVector() {
        var b = ByteBuffer()
        b.writeWireTaggedValue(.vector([1, 2]))
        #expect(Array(b.readableBytesView) == Self.bytes("09 00 00 00 02 3F 80 00 00 40 00 00 00"))
    }

    @Test func errorCodesAreStable() {
        let pinned: [(ErrorCode, UInt16, String)] = [
            (.malformed, 1, "MALFORMED"), (.unknownOpcode, 2, "UNKNOWN_OPCODE"), (.unsupportedVersion, 3, "UNSUPPORTED_VERSION"),
            (.frameTooLarge, 4, "FRAME_TOO_LARGE"), (.handshakeRequired, 5, "HANDSHAKE_REQUIRED"),
            (.protocolViolation, 6, "PROTOCOL_VIOLATION"), (.unauthenticated, 10, "UNAUTHENTICATED"),
            (.forbidden, 11, "FORBIDDEN"), (.invalidArgument, 20, "INVALID_ARGUMENT"), (.notFound, 21, "NOT_FOUND"),
            (.unknownFeatureList, 22, "UNKNOWN_FEATURE_LIST"), (.featureListStale, 23, "FEATURE_LIST_STALE"),
            (.limitExceeded, 24, "LIMIT_EXCEEDED"), (.readOnly, 25, "READ_ONLY"),
            (.unsupportedOperation, 26, "UNSUPPORTED_OPERATION"), (.conflict, 27, "CONFLICT"),
            (.modelNotServable, 28, "MODEL_NOT_SERVABLE"),
            (.unavailable, 30, "UNAVAILABLE"), (.internalError, 31, "INTERNAL"),
        ]
        #expect(pinned.count == ErrorCode.all.count)
        for (code, raw, name) in pinned {
            #expect(code.rawValue == raw)
            #expect(code.name == name)
        }
        #expect(ErrorCode(rawValue: 999).name == "CODE_999")
    }

    @Test func opcodesAreStable() {
        #expect(Opcode.all.map(\.rawValue) == [0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x20])
    }
}
