import NIOCore
import NIOEmbedded
import Testing
@testable import WireProtocol
import TestSupport

/// The frame decoder through an EmbeddedChannel, as NIO tests its decoders.
@Suite struct FrameDecoderTests {
    static func stream(_ frames: [Frame]) -> ByteBuffer {
        var b = ByteBuffer()
        for f in frames { f.write(to: &b) }
        return b
    }

    static func sampleFrames() -> [Frame] {
        [
            Frame(request: Hello(client: "test", token: "fst_abc"), id: 1),
            Frame(request: HealthRequest(), id: 2),
            Frame(request: GetOnlineRequest(target: .selection(FeatureSelection(refs: ["t:a", "t:*"])), keyCount: 2,
                                            keys: [.int64(1), .string("x"), .int64(-5), .string("")]), id: 3),
            Frame(opcode: Opcode(rawValue: 0x7777), requestId: 4, payload: ByteBuffer(bytes: [1, 2, 3])),
        ]
    }

    @Test func everySplitOffset() throws {
        let frames = Self.sampleFrames()
        let whole = Self.stream(frames)
        for split in 0...whole.readableBytes {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 1024)))
            var b = whole
            let first = b.readSlice(length: split)!
            try channel.writeInbound(first)
            try channel.writeInbound(b)
            var got: [Frame] = []
            while let f = try channel.readInbound(as: Frame.self) { got.append(f) }
            #expect(got == frames, "split at \(split)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test func byteByByte() throws {
        let frames = Self.sampleFrames()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        for byte in Self.stream(frames).readableBytesView { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        var got: [Frame] = []
        while let f = try channel.readInbound(as: Frame.self) { got.append(f) }
        #expect(got == frames)
        #expect(try channel.finish().isClean)
    }

    @Test func oversizeIsRefusedBeforeThePayloadArrives() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 100)))
        var header = ByteBuffer()
        header.writeInteger(UInt32(101)); header.writeInteger(UInt16(0x11)); header.writeInteger(UInt16(0)); header.writeInteger(UInt32(77))
        do {
            try channel.writeInbound(header)
            Issue.record("an oversize frame must throw")
        } catch let e as WireError {
            #expect(e.code == .frameTooLarge)
            #expect(e.requestId == 77 && e.opcode == .getOnline)
        }
        _ = try? channel.finish()
    }

    @Test func exactlyTheLimitIsAccepted() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 100)))
        let frame = Frame(opcode: .predict, requestId: 1, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 100)))
        try channel.writeInbound(Self.stream([frame]))
        #expect(try channel.readInbound(as: Frame.self) == frame)
        #expect(try channel.finish().isClean)
    }

    @Test func truncatedStreamIsLeftover() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var b = Self.stream([Frame(request: HealthRequest(), id: 1)])
        b.writeBytes([0, 0, 0, 9, 0])
        try channel.writeInbound(b)
        #expect(try channel.readInbound(as: Frame.self) != nil)
        #expect(throws: WireError.self) { _ = try channel.finish() }
    }

    /// Garbage bytes: either frames with unknown opcodes (which decode as frames,
    /// for the server to refuse) or an oversize error; never a crash or a hang.
    @Test func seededGarbage() throws {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<300 {
            let n = Int(rng.next() % 200)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 64)))
            do {
                try channel.writeInbound(ByteBuffer(bytes: bytes))
                while try channel.readInbound(as: Frame.self) != nil {}
            } catch let e as WireError {
                #expect(e.code == .frameTooLarge)
            }
            _ = try? channel.finish()
        }
    }
}
