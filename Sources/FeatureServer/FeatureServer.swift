import Dispatch
import FeatureStore
import LMDB
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WireProtocol

/// `fsctl serve`: the wire-protocol server over one store, plus the optional
/// HTTP port. Start it, read its bound ports, ``drain()`` it on SIGTERM.
///
/// ```swift
/// let server = try FeatureServer.start(ServerConfiguration(storePath: "./feature_store"))
/// print(server.port)
/// try server.waitUntilStopped()     // returns after drain()
/// ```
public final class FeatureServer: Sendable {
    /// The bound protocol port (useful with port 0).
    public let port: Int
    /// The bound HTTP port, if any.
    public let httpPort: Int?
    let core: ServerCore
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let httpChannel: (any Channel)?
    /// Open connections, for the drain.
    private let registry: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    private let stopped = DispatchSemaphore(value: 0)
    private let drainStarted = NIOLockedValueBox(false)

    private init(core: ServerCore, group: MultiThreadedEventLoopGroup, server: any Channel, http: (any Channel)?,
                 registry: NIOLockedValueBox<[ObjectIdentifier: any Channel]>) {
        self.core = core
        self.registry = registry
        self.group = group
        self.serverChannel = server
        self.httpChannel = http
        self.port = server.localAddress?.port ?? 0
        self.httpPort = http?.localAddress?.port
    }

    /// Opens the store, checks the security settings, binds the ports.
    public static func start(_ config: ServerConfiguration, logger: Logger = Logger(label: "featurestore.server")) throws -> FeatureServer {
        var options = Environment.Options()
        options.readOnly = config.readOnly
        let store = try Store.open(at: config.storePath, options: options)
        var tokens: TokenBook? = nil
        do { tokens = try store.tokenBook() } catch {
            if config.authRequired { throw error }
        }
        if config.authRequired, let book = tokens, try book.list().isEmpty {
            logger.warning("authentication is required but the store has no tokens: every connection will be refused (create one with `fsctl tokens create`)")
        }
        let core = try ServerCore(store: store, config: config, tokens: tokens, logger: logger)
        let ssl = try makeTLSContext(config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, config.threads))
        let registry = NIOLockedValueBox([ObjectIdentifier: any Channel]())
        do {
            let server = try listening(config.host, config.port, option: "--port") { try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
                .childChannelInitializer { channel in
                    guard core.connectionOpened() else { return channel.close() }
                    let id = ObjectIdentifier(channel)
                    registry.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in
                        registry.withLockedValue { _ = $0.removeValue(forKey: id) }
                        core.connectionClosed()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let ssl { try sync.addHandler(NIOSSLServerHandler(context: ssl)) }
                        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayloadBytes: config.maxFrameBytes)))
                        try sync.addHandler(ProtocolHandler(core: core, tls: ssl != nil))
                    }
                }
                .bind(host: config.host, port: config.port).wait() }
            var http: (any Channel)? = nil
            if let httpPort = config.httpPort {
                http = try listening(config.host, httpPort, option: "--http-port") { try ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                            try channel.pipeline.syncOperations.addHandler(HTTPHandler(core: core))
                        }
                    }
                    .bind(host: config.host, port: httpPort).wait() }
            }
            let s = FeatureServer(core: core, group: group, server: server, http: http, registry: registry)
            logger.info("serving \(config.storePath) on \(config.host):\(s.port)\(ssl != nil ? " (TLS)" : "")\(http.map { ", HTTP on port \($0.localAddress?.port ?? 0)" } ?? "")")
            return s
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    static func makeTLSContext(_ config: ServerConfiguration) throws -> NIOSSLContext? {
        switch (config.tlsCertificatePath, config.tlsKeyPath) {
        case (nil, nil):
            return nil
        case (let cert?, let key?):
            let chain = try loadCertificateChain(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try loadPrivateKey(key)))
            do { return try NIOSSLContext(configuration: tls) } catch {
                throw FeatureStoreError(.invalidInput, "--tls-key \(key) does not go with the certificate of --tls-cert \(cert) (\(error))")
            }
        default:
            throw FeatureStoreError(.invalidInput, "TLS needs both --tls-cert and --tls-key")
        }
    }

    /// Stops accepting, lets every connection answer what it has read, closes
    /// them, and stops the server (then ``waitUntilStopped()`` returns).
    /// Safe to call from any thread, more than once.
    public func drain() {
        let first = drainStarted.withLockedValue { started -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        core.startDraining()
        core.logger.info("draining: \(core.connectionCount) connection(s) open")
        let timeout = core.config.drainTimeoutSeconds
        DispatchQueue.global().async { [self] in
            _ = try? serverChannel.close().wait()
            for channel in registry.withLockedValue({ Array($0.values) }) {
                channel.eventLoop.execute {
                    channel.pipeline.fireUserInboundEventTriggered(DrainEvent())
                }
            }
            let deadline = NIODeadline.now() + .seconds(Int64(timeout))
            while !registry.withLockedValue({ $0.isEmpty }) && NIODeadline.now() < deadline {
                usleep(10_000)
            }
            core.waitForWrites()
            for channel in registry.withLockedValue({ Array($0.values) }) { _ = try? channel.close().wait() }
            _ = try? httpChannel?.close().wait()
            try? group.syncShutdownGracefully()
            core.logger.info("stopped")
            stopped.signal()
        }
    }

    /// Blocks until the server has stopped (after ``drain()``).
    public func waitUntilStopped() {
        stopped.wait()
        stopped.signal()
    }

    /// Open protocol connections.
    public var connectionCount: Int { core.connectionCount }
}
