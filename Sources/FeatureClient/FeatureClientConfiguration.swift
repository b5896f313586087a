import NIOCore
import NIOSSL
import WireProtocol

/// Where and how a ``FeatureClient`` connects.
///
/// ```swift
/// var config = FeatureClientConfiguration(host: "10.0.0.5", port: 6570, token: "fst_…")
/// config.tls = try .trusting(caFile: "/etc/featurestore/ca.pem")
/// let client = try await FeatureClient.connect(config)
/// ```
public struct FeatureClientConfiguration: Sendable {
    /// The server's host name or address.
    public var host: String
    /// The protocol port (`fsctl serve --port`, 6570 by default).
    public var port: Int
    /// An API token (`fsctl tokens create`), sent in HELLO; nil for none.
    public var token: String?
    /// TLS settings; nil for plain TCP.
    public var tls: TLS?
    /// Free text the server logs for this connection (at most 256 bytes).
    public var clientName = "fsclient-swift/1"
    /// How long to wait for the TCP connection.
    public var connectTimeout: TimeAmount = .seconds(10)
    /// The largest reply payload accepted (a 10 000-entity lookup of wide rows is a few MB).
    public var maxReplyBytes = 256 * 1024 * 1024

    /// A configuration for `host:port`.
    public init(host: String = "127.0.0.1", port: Int = 6570, token: String? = nil, tls: TLS? = nil) {
        self.host = host; self.port = port; self.token = token; self.tls = tls
    }

    /// `host:port`, as errors name it.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// TLS for the connection (swift-nio-ssl).
    public struct TLS: Sendable {
        /// The client TLS configuration (trust roots, certificate verification, client certificate).
        public var configuration: TLSConfiguration
        /// The name the server's certificate must carry; nil uses ``FeatureClientConfiguration/host``
        /// (unless it is an IP address, which is then checked against the certificate's IP entries).
        public var serverHostname: String?

        /// TLS with `configuration`.
        public init(configuration: TLSConfiguration = .makeClientConfiguration(), serverHostname: String? = nil) {
            self.configuration = configuration; self.serverHostname = serverHostname
        }

        /// TLS trusting the system's roots.
        public static var system: TLS { TLS() }

        /// TLS trusting only the certificates in the PEM file `caFile` (e.g. a self-signed server certificate).
        public static func trusting(caFile: String, serverHostname: String? = nil) throws -> TLS {
            var c = TLSConfiguration.makeClientConfiguration()
            c.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            return TLS(configuration: c, serverHostname: serverHostname)
        }
    }
}
