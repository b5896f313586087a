import NIOCore
import WireProtocol

/// Sent down every connection's pipeline when the server starts draining.
struct DrainEvent: Sendable {}

/// One protocol connection: frames in (after ``FrameDecoder``), reply bytes
/// out. The decisions are ``ConnectionStateMachine``'s; this handler performs
/// them: runs reads inline on the event loop, hands pushes to the writer,
/// holds `read()` while too many requests are in flight, closes on fatal errors.
final class ProtocolHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: ServerCore
    private let tls: Bool
    private var machine: ConnectionStateMachine
    private var session = SessionCache()
    private var readPending = false
    private var registered = false

    init(core: ServerCore, tls: Bool) {
        self.core = core
        self.tls = tls
        machine = ConnectionStateMachine(maxInFlight: core.config.maxInFlight, authRequired: core.config.authRequired)
    }

    func channelActive(context: ChannelHandlerContext) {
        registered = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let start = NIODeadline.now()
        switch machine.frameReceived(opcode: frame.opcode, flags: frame.flags, requestId: frame.requestId) {
        case .ignore:
            return
        case .reply(let error):
            context.write(wrapOutboundOut(ServerCore.errorFrame(error, allocator: context.channel.allocator)), promise: nil)
            core.answered(frame.opcode, error.code, since: start)
        case .replyAndClose(let error):
            core.answered(frame.opcode, error.code, since: start)
            writeAndClose(context: context, ServerCore.errorFrame(error, allocator: context.channel.allocator))
        case .process:
            process(frame, context: context, start: start)
        }
    }

    private func process(_ frame: Frame, context: ChannelHandlerContext, start: NIODeadline) {
        let allocator = context.channel.allocator
        switch frame.opcode {
        case .hello:
            let (reply, scope, code) = core.hello(frame, tls: tls, allocator: allocator)
            if let scope {
                machine.handshakeSucceeded(scope: scope)
                send(reply, context: context, opcode: .hello, code: nil, start: start)
            } else {
                machine.handshakeFailed()
                core.answered(.hello, code, since: start)
                writeAndClose(context: context, reply)
            }
        case .push:
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            core.push(frame, allocator: allocator) { reply, code in
                loopBound.eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.send(reply, context: context, opcode: .push, code: code, start: start)
                    context.flush()
                }
            }
        default:
            do {
                let reply = try core.handleRead(frame, session: &session, allocator: allocator)
                if let scope = session.scopeChange {
                    machine.reauthenticated(scope: scope)
                    session.scopeChange = nil
                }
                send(reply, context: context, opcode: frame.opcode, code: nil, start: start)
            } catch {
                var e = WireConversion.wireError(error)
                if e.code == .internalError { core.logger.error("\(frame.opcode.name) failed: \(error)") }
                e.requestId = frame.requestId
                e.opcode = frame.opcode
                send(ServerCore.errorFrame(e, allocator: allocator), context: context, opcode: frame.opcode, code: e.code, start: start)
            }
        }
    }

    /// Writes a reply to an admitted request and applies what follows from it.
    private func send(_ reply: ByteBuffer, context: ChannelHandlerContext, opcode: Opcode, code: ErrorCode?, start: NIODeadline) {
        guard context.channel.isActive else { return }
        context.write(wrapOutboundOut(reply), promise: nil)
        core.answered(opcode, code, since: start)
        switch machine.replySent() {
        case .none: break
        case .resumeReading:
            if readPending && context.channel.isWritable {
                readPending = false
                context.read()
            }
        case .close:
            context.flush()
            context.close(promise: nil)
        }
    }

    private func writeAndClose(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    /// Backpressure: reads are held while too many requests are in flight.
    func read(context: ChannelHandlerContext) {
        if machine.shouldRead && context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    /// A client that does not read its replies fills the socket: stop reading its requests until it drains.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && readPending && machine.shouldRead {
            readPending = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent {
            if machine.drain() == .close {
                context.flush()
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Decoding errors (oversize frame, stream ended mid-frame) and TLS errors:
        // answer what can be answered, then close. Never crash.
        machine.decodingFailed()
        if let e = error as? WireError {
            core.answered(e.opcode, e.code, since: NIODeadline.now())
            writeAndClose(context: context, ServerCore.errorFrame(e, allocator: context.channel.allocator))
        } else {
            context.close(promise: nil)
        }
    }
}
