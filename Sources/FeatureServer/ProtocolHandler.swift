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
    /// This event loop's counters (set when the handler is added).
    private var stats: LoopStats!
    /// When the last request arrived or the last reply went out (the event loop's clock).
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var idleCheck: Scheduled<Void>?
    /// When the pending idle check was due.
    private var idleDeadline = NIODeadline.uptimeNanoseconds(0)

    init(core: ServerCore, tls: Bool) {
        self.core = core
        self.tls = tls
        machine = ConnectionStateMachine(maxInFlight: core.config.maxInFlight, authRequired: core.config.authRequired)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        stats = core.metrics.stats(for: context.eventLoop)
    }

    func channelActive(context: ChannelHandlerContext) {
        registered = true
        lastActivity = context.eventLoop.now
        scheduleIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    // MARK: Idle timeout

    /// Checks at `lastActivity + timeout` whether the connection was idle all
    /// that time; no timer work per request (a request only stores its time).
    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let seconds = core.config.idleTimeoutSeconds, seconds > 0 else { return }
        let timeout = TimeAmount.seconds(Int64(seconds))
        scheduleIdleCheck(context: context, at: lastActivity + timeout, timeout: timeout)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline, timeout: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleDeadline = deadline
        idleCheck = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.idleCheckFired(context: context, timeout: timeout)
        }
    }

    private func idleCheckFired(context: ChannelHandlerContext, timeout: TimeAmount) {
        idleCheck = nil
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if now >= lastActivity + timeout && machine.inFlight == 0 {
            if now - idleDeadline > .seconds(1) {
                // The check ran late: this event loop (or process) was stalled, and a
                // request may be waiting unread in the socket. Look again once the
                // loop has had a turn to read it, rather than close a busy client.
                scheduleIdleCheck(context: context, at: now + .milliseconds(200), timeout: timeout)
                return
            }
            core.logger.debug("closing a connection idle for \(timeout.nanoseconds / 1_000_000_000) s")
            machine.idleTimedOut()
            context.close(promise: nil)
            return
        }
        // Active meanwhile (or a reply is pending): check again a timeout after the last activity.
        if now >= lastActivity + timeout { lastActivity = now }
        scheduleIdleCheck(context: context)
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let start = context.eventLoop.now
        lastActivity = start
        switch machine.frameReceived(opcode: frame.opcode, flags: frame.flags, requestId: frame.requestId) {
        case .ignore:
            return
        case .reply(let error):
            context.write(wrapOutboundOut(ServerCore.errorFrame(error, allocator: context.channel.allocator)), promise: nil)
            record(frame.opcode, error.code, since: start, context: context)
        case .replyAndClose(let error):
            record(frame.opcode, error.code, since: start, context: context)
            writeAndClose(context: context, ServerCore.errorFrame(error, allocator: context.channel.allocator))
        case .process:
            process(frame, context: context, start: start)
        }
    }

    private func process(_ frame: Frame, context: ChannelHandlerContext, start: NIODeadline) {
        let allocator = context.channel.allocator
        switch frame.opcode {
        case .hello:
            let (reply, scope, credential, code) = core.hello(frame, tls: tls, allocator: allocator)
            if let scope {
                machine.handshakeSucceeded(scope: scope)
                session.credential = credential
                send(reply, context: context, opcode: .hello, code: nil, start: start)
            } else {
                machine.handshakeFailed()
                record(.hello, code, since: start, context: context)
                writeAndClose(context: context, reply)
            }
        case .push:
            do {
                try core.checkToken(&session)
            } catch {
                fail(frame, error, context: context, start: start)
                return
            }
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
                fail(frame, error, context: context, start: start)
            }
        }
    }

    /// Sends the error reply of an admitted request; closes after it when the token was found revoked.
    private func fail(_ frame: Frame, _ error: any Error, context: ChannelHandlerContext, start: NIODeadline) {
        var e = WireConversion.wireError(error)
        if e.code == .internalError { core.logger.error("\(frame.opcode.name) failed: \(error)") }
        e.requestId = frame.requestId
        e.opcode = frame.opcode
        if session.revoked { machine.tokenRevoked() }
        send(ServerCore.errorFrame(e, allocator: context.channel.allocator), context: context, opcode: frame.opcode, code: e.code, start: start)
    }

    /// Counts an answered request in this loop's stats.
    @inline(__always)
    private func record(_ opcode: Opcode, _ code: ErrorCode?, since start: NIODeadline, context: ChannelHandlerContext,
                        lookups: (hits: Int, misses: Int, stale: Int) = (0, 0, 0)) {
        let now = context.eventLoop.now
        lastActivity = now
        stats.record(opcode, code, nanoseconds: (now - start).nanoseconds, hits: lookups.hits, misses: lookups.misses, stale: lookups.stale)
    }

    /// Writes a reply to an admitted request and applies what follows from it.
    private func send(_ reply: ByteBuffer, context: ChannelHandlerContext, opcode: Opcode, code: ErrorCode?, start: NIODeadline) {
        guard context.channel.isActive else { return }
        context.write(wrapOutboundOut(reply), promise: nil)
        if opcode == .getOnline && code == nil {
            record(opcode, code, since: start, context: context, lookups: session.lookups)
        } else {
            record(opcode, code, since: start, context: context)
        }
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
            record(e.opcode, e.code, since: context.eventLoop.now, context: context)
            writeAndClose(context: context, ServerCore.errorFrame(e, allocator: context.channel.allocator))
        } else {
            context.close(promise: nil)
        }
    }
}
