import WireProtocol

/// The protocol logic of one connection as a value: frames and events in,
/// actions out. No sockets, no store: the channel handler performs the
/// actions, and tests drive it directly (Hummingbird's style).
///
/// ```swift
/// var machine = ConnectionStateMachine(maxInFlight: 64, authRequired: false)
/// switch machine.frameReceived(opcode: .hello, flags: [], requestId: 1) { … }
/// ```
struct ConnectionStateMachine: Sendable {
    enum State: Equatable, Sendable {
        /// Waiting for HELLO; the handshake's reply is pending when `helloInFlight`.
        case awaitingHello(helloInFlight: Bool)
        /// Handshake done, with the scope granted.
        case ready(scope: WireScope)
        /// SIGTERM: answering what was read, refusing the rest.
        case draining(scope: WireScope)
        case closed
    }

    /// What the handler must do with a frame.
    enum FrameAction: Equatable, Sendable {
        /// Run the operation (the scope was checked) and reply later.
        case process
        /// Reply with this error; the connection stays open.
        case reply(WireError)
        /// Reply with this error, then close the connection.
        case replyAndClose(WireError)
        /// Drop the frame (the connection is closing).
        case ignore
    }

    /// What the handler must do after a reply went out (or an event).
    enum AfterAction: Equatable, Sendable {
        case none
        /// Reading had stopped for backpressure: read again.
        case resumeReading
        case close
    }

    private(set) var state: State = .awaitingHello(helloInFlight: false)
    /// Requests admitted and not yet answered.
    private(set) var inFlight = 0
    let maxInFlight: Int
    let authRequired: Bool

    init(maxInFlight: Int, authRequired: Bool) {
        self.maxInFlight = maxInFlight
        self.authRequired = authRequired
    }

    /// True while the channel may read more (backpressure when false).
    var shouldRead: Bool { inFlight < maxInFlight && state != .closed }

    /// The scope requests are checked against.
    var scope: WireScope {
        switch state {
        case .ready(let s), .draining(let s): s
        default: .none
        }
    }

    /// Admits or refuses a decoded frame.
    mutating func frameReceived(opcode: Opcode, flags: FrameFlags, requestId: UInt32) -> FrameAction {
        func error(_ code: ErrorCode, _ message: String) -> WireError {
            WireError(code, message, requestId: requestId, opcode: opcode)
        }
        if case .closed = state { return .ignore }
        guard flags.isEmpty else {
            state = .closed
            return .replyAndClose(error(.protocolViolation, "request frames have flags 0 (got 0x\(String(flags.rawValue, radix: 16)))"))
        }
        switch state {
        case .closed:
            return .ignore
        case .awaitingHello(let pending):
            guard opcode == .hello, !pending else {
                if pending {
                    // Pipelined right behind HELLO: wait for its outcome by answering in order.
                    return admit(opcode: opcode, requestId: requestId, scope: authRequired ? .none : .admin, error: error)
                }
                state = .closed
                return .replyAndClose(error(.handshakeRequired, "the first frame on a connection must be HELLO"))
            }
            state = .awaitingHello(helloInFlight: true)
            inFlight += 1
            return .process
        case .ready(let scope):
            if opcode == .hello { return .reply(error(.protocolViolation, "HELLO was already done on this connection")) }
            return admit(opcode: opcode, requestId: requestId, scope: scope, error: error)
        case .draining:
            return .reply(error(.unavailable, "the server is shutting down"))
        }
    }

    private mutating func admit(opcode: Opcode, requestId: UInt32, scope: WireScope,
                                error: (ErrorCode, String) -> WireError) -> FrameAction {
        guard opcode.isKnown else { return .reply(error(.unknownOpcode, "unknown opcode \(opcode.name)")) }
        let needed = WireScope.required(for: opcode)
        guard needed <= scope else {
            return .reply(error(scope == .none ? .unauthenticated : .forbidden,
                                "\(opcode.name) needs scope \(needed.name); this connection has \(scope.name)"))
        }
        inFlight += 1
        return .process
    }

    /// The HELLO was accepted with `scope`.
    mutating func handshakeSucceeded(scope: WireScope) {
        if case .awaitingHello = state { state = .ready(scope: scope) }
    }

    /// The HELLO was refused (bad version, bad token): the reply closes the connection.
    mutating func handshakeFailed() {
        state = .closed
    }

    /// AUTH succeeded: the connection's scope changes.
    mutating func reauthenticated(scope: WireScope) {
        switch state {
        case .ready: state = .ready(scope: scope)
        case .draining: state = .draining(scope: scope)
        default: break
        }
    }

    /// A reply to an admitted request was written.
    mutating func replySent() -> AfterAction {
        let wasBlocked = inFlight >= maxInFlight
        inFlight = max(0, inFlight - 1)
        if case .draining = state, inFlight == 0 {
            state = .closed
            return .close
        }
        if case .closed = state { return inFlight == 0 ? .close : .none }
        return wasBlocked && inFlight < maxInFlight ? .resumeReading : .none
    }

    /// The server is draining (SIGTERM).
    mutating func drain() -> AfterAction {
        switch state {
        case .ready(let s):
            state = .draining(scope: s)
        case .awaitingHello:
            state = .draining(scope: .none)
        case .draining, .closed:
            break
        }
        if inFlight == 0 {
            state = .closed
            return .close
        }
        return .none
    }

    /// A decoding error (oversize, truncated): reply with it and close.
    mutating func decodingFailed() {
        state = .closed
    }

    /// The connection's token was revoked: the error reply at hand is the last
    /// frame; the connection closes once nothing is in flight.
    mutating func tokenRevoked() {
        state = .closed
    }

    /// No request for the idle timeout and nothing in flight: the handler closes.
    mutating func idleTimedOut() {
        state = .closed
    }
}
