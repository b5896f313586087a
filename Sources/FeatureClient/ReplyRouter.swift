import NIOCore
import WireProtocol

/// A request on its way to the wire: the opcode, the encoded payload, and the
/// promise its reply frame completes. The request id is chosen by ``ReplyRouter``.
struct PendingRequest: Sendable {
    let opcode: Opcode
    let payload: ByteBuffer
    let promise: EventLoopPromise<Frame>
}

/// The connection's only stateful handler, confined to its event loop: it gives
/// each outgoing request a fresh request id, remembers its promise, and
/// completes the promise when the reply with that id arrives, in whatever
/// order replies come (PUSH replies may overtake reads). When the connection
/// ends, every request still waiting fails with `connectionClosed`, naming a
/// connection-level error reply (request id 0) if the server sent one.
final class ReplyRouter: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = ByteBuffer

    private let endpoint: String
    private var waiting: [UInt32: (Opcode, EventLoopPromise<Frame>)] = [:]
    private var nextId: UInt32 = 1
    /// Set once the channel is gone: later requests fail at once.
    private var closed: FeatureClientError?
    /// The last connection-level error the server sent (request id 0).
    private var serverNotice: WireError?
    /// A local error (bad frame from the server, TLS failure) that ended the connection.
    private var failure: String?

    init(endpoint: String) { self.endpoint = endpoint }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closed {
            var e = closed
            e.operation = request.opcode.name
            request.promise.fail(e)
            promise?.fail(e)
            return
        }
        // Id 0 is the server's "no particular request"; skip it and any id still waiting.
        var id = nextId
        while id == 0 || waiting[id] != nil { id &+= 1 }
        nextId = id &+ 1
        waiting[id] = (request.opcode, request.promise)
        var header = context.channel.allocator.buffer(capacity: Frame.headerBytes)
        header.writeInteger(UInt32(request.payload.readableBytes))
        header.writeInteger(request.opcode.rawValue)
        header.writeInteger(UInt16(0))
        header.writeInteger(id)
        context.write(wrapOutboundOut(header), promise: nil)
        context.write(wrapOutboundOut(request.payload), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let (_, promise) = waiting.removeValue(forKey: frame.requestId) {
            promise.succeed(frame)
        } else if frame.isError, let reply = try? ErrorReply.decode(frame.payload) {
            // A connection-level error (id 0), e.g. UNAVAILABLE while draining or FRAME_TOO_LARGE.
            serverNotice = WireError(reply.code, reply.message, requestId: frame.requestId, opcode: frame.opcode)
        }
        // A reply to no request of ours is ignored: the server never invents ids.
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure = "\(error)"
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        var reason = "the server closed the connection"
        if let serverNotice { reason += " after \(serverNotice.code.name): \(serverNotice.message)" }
        if let failure { reason = failure }
        let error = FeatureClientError(.connectionClosed, reason, endpoint: endpoint)
        closed = error
        let pending = waiting
        waiting.removeAll()
        for (_, (opcode, promise)) in pending {
            var e = error
            e.operation = opcode.name
            promise.fail(e)
        }
        context.fireChannelInactive()
    }
}
