import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Tabular
import Testing
import WireProtocol

/// A running `fsctl serve` process on ephemeral ports, stopped (SIGTERM) at deinit.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let httpPort: Int?
    private let errPath: String

    /// Starts `fsctl serve --port 0 ARGS` in `box` and waits for its "serving" line.
    init(_ box: Sandbox, _ args: [String] = []) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fsctl.path)
        p.arguments = ["serve", "--port", "0"] + args
        p.currentDirectoryURL = URL(fileURLWithPath: box.dir)
        var environment = ProcessInfo.processInfo.environment
        environment["FSCTL_STORE"] = box.store
        p.environment = environment
        let out = Pipe()
        errPath = box.dir + "/serve-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        var text = ""
        let wantHTTP = args.contains("--http-port")
        while !(text.contains("serving ") && text.hasSuffix("\n") && (!wantHTTP || text.contains("http on "))) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        func port(after marker: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
                  let colon = line.lastIndex(of: ":") else { return nil }
            return Int(line[line.index(after: colon)...])
        }
        guard let bound = port(after: "serving ") else {
            p.waitUntilExit()
            throw ServeTestError("fsctl serve did not start: \(text) \((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")")
        }
        self.port = bound
        self.httpPort = port(after: "http on ")
    }

    /// stderr so far.
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A minimal protocol client for the tests (the real one is FeatureClient):
/// frames out, frames in, in arrival order, with a timeout on every wait.
final class TestClient: @unchecked Sendable {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel: any Channel
    private let inbox: Inbox
    private var nextId: UInt32 = 1

    /// Frames received and waiters, on the channel's event loop.
    final class Inbox: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = Frame
        var frames: [Frame] = []
        var waiters: [EventLoopPromise<Frame?>] = []
        var closed = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let f = unwrapInboundIn(data)
            if waiters.isEmpty { frames.append(f) } else { waiters.removeFirst().succeed(f) }
        }
        func channelInactive(context: ChannelHandlerContext) {
            closed = true
            for w in waiters { w.succeed(nil) }
            waiters.removeAll()
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    init(port: Int, tlsTrusting certificate: String? = nil) throws {
        let inbox = Inbox()
        let ssl: NIOSSLContext? = try certificate.map { path in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            return try NIOSSLContext(configuration: tls)
        }
        channel = try ClientBootstrap(group: Self.group)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    if let ssl { try ch.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: ssl, serverHostname: "localhost")) }
                    try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 1 << 26)))
                    try ch.pipeline.syncOperations.addHandler(inbox)
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
        self.inbox = inbox
    }

    deinit { channel.close(promise: nil) }

    /// Writes raw bytes.
    func sendRaw(_ bytes: [UInt8]) throws {
        try channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).wait()
    }

    /// Writes a request frame; returns its id.
    @discardableResult
    func send<M: WireMessage>(_ message: M, id: UInt32? = nil) throws -> UInt32 {
        let rid = id ?? nextId
        nextId = max(nextId, rid) &+ 1
        var b = channel.allocator.buffer(capacity: 64)
        Frame(request: message, id: rid).write(to: &b)
        try channel.writeAndFlush(b).wait()
        return rid
    }

    /// The next frame, or nil when the server closed the connection.
    func next(timeout: TimeAmount = .seconds(10)) throws -> Frame? {
        let loop = channel.eventLoop
        let inbox = self.inbox
        let promise = loop.makePromise(of: Frame?.self)
        loop.execute {
            if !inbox.frames.isEmpty { promise.succeed(inbox.frames.removeFirst()) }
            else if inbox.closed { promise.succeed(nil) }
            else {
                inbox.waiters.append(promise)
                loop.scheduleTask(in: timeout) { promise.fail(ServeTestError("no frame within \(timeout)")) }
            }
        }
        return try promise.futureResult.wait()
    }

    /// Sends `message` and decodes the reply as `R` (an error reply throws its WireError).
    func call<M: WireMessage, R: WireMessage>(_ message: M, _ reply: R.Type) throws -> R {
        let id = try send(message)
        guard let frame = try next() else { throw ServeTestError("connection closed before the reply to \(M.opcode.name)") }
        #expect(frame.requestId == id && frame.opcode == M.opcode)
        return try frame.decode(R.self)
    }

    /// HELLO with `token`.
    @discardableResult
    func hello(token: String? = nil) throws -> HelloReply {
        try call(Hello(client: "fsctl-tests", token: token), HelloReply.self)
    }

    /// Waits until the server closes the connection (frames still coming are returned).
    func drainUntilClosed() throws -> [Frame] {
        var out: [Frame] = []
        while let f = try next() { out.append(f) }
        return out
    }
}

/// Feast's response shape (`fsctl get --json`) from a GET_ONLINE reply, join
/// keys first with the values sent, as docs/wire-protocol.md 4.6 says a client builds it.
func feastShape(keys: [(String, [WireValue])], features: [String], reply: GetOnlineReply) -> [String: Any] {
    func json(_ v: WireValue?) -> Any {
        guard let v else { return NSNull() }
        switch v {
        case .bool(let b): return b
        case .int32(let x): return Int(x)
        case .int64(let x): return Int(x)
        case .float32(let x): return Double(x)
        case .float64(let x): return x
        case .string(let s): return s
        case .bytes(let b): return Base64.encode(b)
        case .timestamp(let t): return Timestamp.format(t)
        case .vector(let xs): return xs.map { Double($0) }
        }
    }
    var results: [[String: Any]] = []
    for (_, values) in keys {
        results.append(["values": values.map { json($0) }, "statuses": values.map { _ in "PRESENT" },
                        "event_timestamps": values.map { _ in Timestamp.format(0) }])
    }
    for column in reply.cells {
        results.append(["values": column.map { json($0.value) }, "statuses": column.map { $0.status.name },
                        "event_timestamps": column.map { Timestamp.format($0.eventTimestamp ?? 0) }])
    }
    return ["metadata": ["feature_names": keys.map(\.0) + features], "results": results]
}

/// Runs `curl -s -S ARGS` (the Makefile installs curl) and returns its stdout.
enum Curl {
    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-S"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
