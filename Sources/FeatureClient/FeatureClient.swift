import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import WireProtocol

/// An async client of `fsctl serve` (docs/wire-protocol.md): one connection,
/// opened with HELLO (and a token when given), reused for every call. Calls
/// may run concurrently from many tasks: their requests are pipelined on the
/// one connection and each reply is matched to its request by id, so a slow
/// PUSH never holds up lookups issued after it.
///
/// ```swift
/// let client = try await FeatureClient.connect(host: "127.0.0.1", port: 6570)
/// let r = try await client.getOnlineFeatures(features: ["user_stats:age"], entities: ["user_id": [1, 2]])
/// print(r.column("age")!.values)        // [Optional(.float64(31.5)), nil]
/// try await client.close()
/// ```
///
/// Every error is a ``FeatureClientError``: the server's stable code and
/// message for an error reply, or a connection failure naming `host:port`.
public final class FeatureClient: Sendable {
    /// How this client connected.
    public let configuration: FeatureClientConfiguration
    /// The server's HELLO reply: version, store id, the scope granted, and its limits.
    public let server: HelloReply
    let channel: any Channel
    /// Prepared feature lists by selection, for the calls that take refs or services.
    let preparedLists = NIOLockedValueBox<[FeatureSelection: PreparedFeatureList]>([:])

    private init(configuration: FeatureClientConfiguration, server: HelloReply, channel: any Channel) {
        self.configuration = configuration; self.server = server; self.channel = channel
    }

    /// Connects to `host:port` and says HELLO with `token` (nil: none).
    public static func connect(host: String = "127.0.0.1", port: Int = 6570, token: String? = nil,
                               tls: FeatureClientConfiguration.TLS? = nil) async throws -> FeatureClient {
        try await connect(FeatureClientConfiguration(host: host, port: port, token: token, tls: tls))
    }

    /// Connects as `configuration` says and performs the handshake. Throws
    /// `connectionFailed` when the socket cannot be opened, or the server's
    /// `UNAUTHENTICATED` / `UNSUPPORTED_VERSION` error.
    public static func connect(_ configuration: FeatureClientConfiguration,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> FeatureClient {
        let endpoint = configuration.endpoint
        let ssl: NIOSSLContext?
        do {
            ssl = try configuration.tls.map { try NIOSSLContext(configuration: $0.configuration) }
        } catch {
            throw FeatureClientError(.connectionFailed, "TLS configuration: \(error)", endpoint: endpoint)
        }
        let hostname = configuration.tls?.serverHostname ?? (Self.isIPAddress(configuration.host) ? nil : configuration.host)
        let maxReply = configuration.maxReplyBytes
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        let sync = ch.pipeline.syncOperations
                        if let ssl { try sync.addHandler(try NIOSSLClientHandler(context: ssl, serverHostname: hostname)) }
                        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayloadBytes: maxReply)))
                        try sync.addHandler(ReplyRouter(endpoint: endpoint))
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw FeatureClientError(.connectionFailed, "\(error)", endpoint: endpoint)
        }
        do {
            let hello = Hello(client: configuration.clientName, token: configuration.token)
            let reply = try await Self.call(hello, HelloReply.self, on: channel, endpoint: endpoint)
            return FeatureClient(configuration: configuration, server: reply, channel: channel)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Closes the connection; requests still waiting fail with `connectionClosed`.
    public func close() async throws {
        do { try await channel.close() } catch ChannelError.alreadyClosed {}
    }

    /// `host:port`.
    public var endpoint: String { configuration.endpoint }

    /// Sends `message` and decodes its reply as `R`.
    func call<M: WireMessage, R: WireMessage>(_ message: M, _ reply: R.Type) async throws -> R {
        try await Self.call(message, reply, on: channel, endpoint: endpoint)
    }

    static func call<M: WireMessage, R: WireMessage>(_ message: M, _ reply: R.Type, on channel: any Channel,
                                                     endpoint: String) async throws -> R {
        var payload = channel.allocator.buffer(capacity: 64)
        message.write(to: &payload)
        let promise = channel.eventLoop.makePromise(of: Frame.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(PendingRequest(opcode: M.opcode, payload: payload, promise: promise), promise: written)
        // A closed channel fails the write before ReplyRouter sees it: fail the reply too
        // (completing an already failed promise again is a no-op).
        written.futureResult.whenFailure { error in
            promise.fail(FeatureClientError(.connectionClosed, "\(error)", endpoint: endpoint, operation: M.opcode.name))
        }
        let frame = try await promise.futureResult.get()
        guard frame.opcode == M.opcode else {
            throw FeatureClientError(.badReply, "a \(frame.opcode.name) reply to a \(M.opcode.name) request",
                                     endpoint: endpoint, operation: M.opcode.name)
        }
        do {
            return try frame.decode(R.self)
        } catch let error as WireError where frame.isError {
            throw FeatureClientError(.server(error.code), error.message, endpoint: endpoint, operation: M.opcode.name)
        } catch {
            throw FeatureClientError(.badReply, "\(error)", endpoint: endpoint, operation: M.opcode.name)
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0 == "." || $0.isNumber })
    }
}
