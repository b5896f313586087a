import Testing
import WireProtocol
@testable import FeatureServer

/// The connection's protocol logic without sockets.
@Suite struct ConnectionStateMachineTests {
    @Test func helloMustComeFirst() {
        var m = ConnectionStateMachine(maxInFlight: 4, authRequired: false)
        let action = m.frameReceived(opcode: .getOnline, flags: [], requestId: 3)
        guard case .replyAndClose(let e) = action else { Issue.record("got \(action)"); return }
        #expect(e.code == .handshakeRequired && e.requestId == 3 && e.opcode == .getOnline)
        #expect(m.state == .closed)
        #expect(m.frameReceived(opcode: .hello, flags: [], requestId: 4) == .ignore)
    }

    @Test func handshakeThenRequests() {
        var m = ConnectionStateMachine(maxInFlight: 4, authRequired: false)
        #expect(m.frameReceived(opcode: .hello, flags: [], requestId: 1) == .process)
        m.handshakeSucceeded(scope: .admin)
        #expect(m.replySent() == .none)
        #expect(m.frameReceived(opcode: .getOnline, flags: [], requestId: 2) == .process)
        #expect(m.frameReceived(opcode: .push, flags: [], requestId: 3) == .process)
        #expect(m.inFlight == 2)
        guard case .reply(let again) = m.frameReceived(opcode: .hello, flags: [], requestId: 4) else { Issue.record("second HELLO"); return }
        #expect(again.code == .protocolViolation)
    }

    @Test func badFlagsClose() {
        var m = ConnectionStateMachine(maxInFlight: 4, authRequired: false)
        guard case .replyAndClose(let e) = m.frameReceived(opcode: .hello, flags: .reply, requestId: 1) else {
            Issue.record("a REPLY flag on a request must close"); return
        }
        #expect(e.code == .protocolViolation)
        #expect(m.state == .closed)
    }

    @Test func unknownOpcodeKeepsTheConnection() {
        var m = ready(.admin)
        guard case .reply(let e) = m.frameReceived(opcode: Opcode(rawValue: 0x99), flags: [], requestId: 5) else {
            Issue.record("unknown opcode"); return
        }
        #expect(e.code == .unknownOpcode)
        #expect(m.frameReceived(opcode: .health, flags: [], requestId: 6) == .process)
    }

    @Test func scopesAreChecked() {
        var m = ready(.read)
        #expect(m.frameReceived(opcode: .getOnline, flags: [], requestId: 1) == .process)
        #expect(m.frameReceived(opcode: .predict, flags: [], requestId: 2) == .process)
        guard case .reply(let e) = m.frameReceived(opcode: .push, flags: [], requestId: 3) else { Issue.record("push"); return }
        #expect(e.code == .forbidden)
        m.reauthenticated(scope: .write)
        #expect(m.frameReceived(opcode: .push, flags: [], requestId: 4) == .process)
    }

    @Test func backpressureStopsAndResumesReading() {
        var m = ready(.admin)
        for id in 1...3 { #expect(m.frameReceived(opcode: .getOnline, flags: [], requestId: UInt32(id)) == .process) }
        #expect(m.shouldRead)
        #expect(m.frameReceived(opcode: .push, flags: [], requestId: 4) == .process)
        #expect(!m.shouldRead)
        #expect(m.replySent() == .resumeReading)
        #expect(m.shouldRead)
        #expect(m.replySent() == .none)
    }

    @Test func drainAnswersInFlightThenCloses() {
        var m = ready(.admin)
        #expect(m.frameReceived(opcode: .push, flags: [], requestId: 1) == .process)
        #expect(m.drain() == .none)
        guard case .reply(let e) = m.frameReceived(opcode: .getOnline, flags: [], requestId: 2) else { Issue.record("draining"); return }
        #expect(e.code == .unavailable)
        #expect(m.replySent() == .close)
        #expect(m.state == .closed)
    }

    @Test func drainOfAnIdleConnectionClosesAtOnce() {
        var m = ready(.read)
        #expect(m.drain() == .close)
        var fresh = ConnectionStateMachine(maxInFlight: 4, authRequired: true)
        #expect(fresh.drain() == .close)
    }

    @Test func failedHandshakeCloses() {
        var m = ConnectionStateMachine(maxInFlight: 4, authRequired: true)
        #expect(m.frameReceived(opcode: .hello, flags: [], requestId: 1) == .process)
        m.handshakeFailed()
        #expect(m.state == .closed)
        #expect(m.frameReceived(opcode: .health, flags: [], requestId: 2) == .ignore)
    }

    private func ready(_ scope: WireScope) -> ConnectionStateMachine {
        var m = ConnectionStateMachine(maxInFlight: 4, authRequired: scope != .admin)
        _ = m.frameReceived(opcode: .hello, flags: [], requestId: 0)
        m.handshakeSucceeded(scope: scope)
        _ = m.replySent()
        return m
    }
}
