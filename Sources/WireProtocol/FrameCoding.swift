import NIOCore

/// Splits a byte stream into ``Frame``s, in the style of NIO's
/// `LengthFieldBasedFrameDecoder`: it peeks at the 12-byte header, refuses a
/// length over ``maxPayloadBytes`` before buffering the payload (throwing a
/// `FRAME_TOO_LARGE` ``WireError`` carrying the frame's request id and
/// opcode), and emits the payload as a slice without copying.
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 1 << 20)))
/// ```
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame
    /// The largest payload accepted.
    public let maxPayloadBytes: Int

    /// A decoder refusing payloads over `maxPayloadBytes`.
    public init(maxPayloadBytes: Int = Frame.defaultMaxPayloadBytes) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Reads one frame off `buffer` if a whole one is there; nil when more bytes are needed.
    /// Throws before consuming anything when the header announces an oversize payload.
    public func next(from buffer: inout ByteBuffer) throws -> Frame? {
        let start = buffer.readerIndex
        guard let length = buffer.getInteger(at: start, as: UInt32.self),
              let opcode = buffer.getInteger(at: start + 4, as: UInt16.self),
              let flags = buffer.getInteger(at: start + 6, as: UInt16.self),
              let requestId = buffer.getInteger(at: start + 8, as: UInt32.self) else { return nil }
        guard Int(length) <= maxPayloadBytes else {
            throw WireError(.frameTooLarge, "frame payload of \(length) bytes is over the limit of \(maxPayloadBytes)",
                            requestId: requestId, opcode: Opcode(rawValue: opcode))
        }
        guard buffer.readableBytes >= Frame.headerBytes + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerBytes)
        let payload = buffer.readSlice(length: Int(length))!
        return Frame(opcode: Opcode(rawValue: opcode), flags: FrameFlags(rawValue: flags), requestId: requestId, payload: payload)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// At the end of the stream, a partial frame is an error (`MALFORMED`), not silently dropped.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        guard buffer.readableBytes == 0 else {
            let n = buffer.readableBytes
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw WireError(.malformed, "the stream ended inside a frame (\(n) byte(s) of it)")
        }
        return .needMoreData
    }
}

/// Writes ``Frame``s: header then payload.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame
    /// An encoder.
    public init() {}
    public func encode(data: Frame, out: inout ByteBuffer) throws {
        data.write(to: &out)
    }
}
