import WireProtocol
import NIOCore

/// Everything `fsctl serve` can be told: where to listen, limits, security.
///
/// ```swift
/// var config = ServerConfiguration(storePath: "./feature_store")
/// config.port = 0            // an ephemeral port
/// config.requireAuth = true
/// ```
public struct ServerConfiguration: Sendable {
    /// The store directory.
    public var storePath: String
    /// Interface to listen on (loopback by default).
    public var host = "127.0.0.1"
    /// Protocol port; 0 picks a free one.
    public var port = 6570
    /// HTTP port (metrics, health, JSON lookups); nil = none, 0 = a free one.
    public var httpPort: Int?
    /// Refuse PUSH.
    public var readOnly = false
    /// Require a token even on loopback.
    public var requireAuth = false
    /// PEM certificate chain and key: TLS on the protocol port when both are set.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Open connections beyond this are accepted and closed at once.
    public var maxConnections = 1024
    /// The largest frame payload accepted.
    public var maxFrameBytes = Frame.defaultMaxPayloadBytes
    /// Most entities in one GET_ONLINE.
    public var maxEntities = 10_000
    /// Most rows in one PUSH.
    public var maxRows = 100_000
    /// Unanswered requests per connection before the server stops reading it.
    public var maxInFlight = 64
    /// Event-loop threads (default: one per core).
    public var threads = System.coreCount
    /// Seconds to wait for in-flight requests on SIGTERM before closing anyway.
    public var drainTimeoutSeconds = 10
    /// Append every PREDICT's predictions to `predictions__<model>` (batched by the writer).
    public var logPredictions = false
    /// PREDICT re-resolves a model ref (alias moves, new versions) at most this often.
    public var modelRefreshSeconds = 1.0
    /// A connection with no request for this many seconds (and nothing in
    /// flight) is closed; nil or 0: never.
    public var idleTimeoutSeconds: Int? = 300

    /// A configuration for the store at `storePath` with the defaults above.
    public init(storePath: String) { self.storePath = storePath }

    /// True when the listening host is not a loopback address (then auth is required).
    public var listensBeyondLoopback: Bool {
        !(host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127."))
    }

    /// Whether every connection must authenticate.
    public var authRequired: Bool { requireAuth || listensBeyondLoopback }
}
