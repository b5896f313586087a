import ArgumentParser
import Dispatch
import FeatureServer
import FeatureStore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl serve`: the wire-protocol server (SPEC 10, docs/wire-protocol.md).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve online lookups, pushes and predictions over the binary protocol (and HTTP).",
        discussion: """
            Listens on --host:--port (default 127.0.0.1:6570) and prints one line `serving STORE on HOST:PORT` \
            (plus `http on HOST:PORT`) once bound. Authentication is required when --host is not a loopback \
            address, or with --require-auth: clients present a token made by `fsctl tokens create`. \
            SIGTERM (or SIGINT) drains: the server stops accepting, answers what it has read, and exits 0.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Interface to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Protocol port (0: any free port).", valueName: "port"))
    var port = 6570

    @Option(name: .customLong("http-port"), help: ArgumentHelp("Also serve /metrics, /health and /get-online-features over HTTP on this port.", valueName: "port"))
    var httpPort: Int?

    @Flag(name: .customLong("read-only"), help: "Open the store read-only and refuse pushes.")
    var readOnly = false

    @Flag(name: .customLong("require-auth"), help: "Require a token even on loopback.")
    var requireAuth = false

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain: serve TLS (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Connections beyond this are closed at once.", valueName: "n"))
    var maxConnections = 1024

    @Option(name: .customLong("max-frame-bytes"), help: ArgumentHelp("Largest request frame payload.", valueName: "bytes"))
    var maxFrameBytes = 16 * 1024 * 1024

    @Option(name: .customLong("max-entities"), help: ArgumentHelp("Most entities in one lookup.", valueName: "n"))
    var maxEntities = 10_000

    @Option(name: .customLong("max-rows"), help: ArgumentHelp("Most rows in one push.", valueName: "n"))
    var maxRows = 100_000

    @Option(name: .customLong("max-in-flight"), help: ArgumentHelp("Unanswered requests per connection before the server stops reading it.", valueName: "n"))
    var maxInFlight = 64

    @Option(help: ArgumentHelp("Event-loop threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Flag(name: .customLong("log-predictions"),
          help: "Append every PREDICT's predictions to the feature table predictions__<model> (batched, off the request path).")
    var logPredictions = false
    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close a connection after this many seconds without a request (0: never).", valueName: "seconds"))
    var idleTimeout = 300

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        for (name, value) in [("--max-connections", maxConnections), ("--max-frame-bytes", maxFrameBytes),
                              ("--max-entities", maxEntities), ("--max-rows", maxRows), ("--max-in-flight", maxInFlight)] {
            guard value > 0 else { throw ValidationError("\(name) must be positive") }
        }
        guard idleTimeout >= 0 else { throw ValidationError("--idle-timeout must be 0 (never) or positive") }
        guard maxFrameBytes <= Int(UInt32.max) else { throw ValidationError("--max-frame-bytes is at most \(UInt32.max)") }
        guard (0...65535).contains(port), (0...65535).contains(httpPort ?? 0) else { throw ValidationError("ports are 0...65535") }
        if logPredictions && readOnly { throw ValidationError("--log-predictions writes to the store; it cannot go with --read-only") }
    }

    func run() throws {
        var config = ServerConfiguration(storePath: global.storePath)
        config.host = host
        config.port = port
        config.httpPort = httpPort
        config.readOnly = readOnly
        config.requireAuth = requireAuth
        config.tlsCertificatePath = tlsCert
        config.tlsKeyPath = tlsKey
        config.maxConnections = maxConnections
        config.maxFrameBytes = maxFrameBytes
        config.maxEntities = maxEntities
        config.maxRows = maxRows
        config.maxInFlight = maxInFlight
        if let threads { config.threads = max(1, threads) }
        config.logPredictions = logPredictions
        config.idleTimeoutSeconds = idleTimeout
        var logger = Logger(label: "fsctl.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = global.quiet ? .warning : .info
        let server = try FeatureServer.start(config, logger: logger)
        Output.out("serving \(global.storePath) on \(host):\(server.port)\n")
        if let p = server.httpPort { Output.out("http on \(host):\(p)\n") }
        // Signals arrive on a dispatch source, not in a C handler: drain is ordinary code.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { server.drain() }
            source.resume()
            return source
        }
        server.waitUntilStopped()
        sources.forEach { $0.cancel() }
    }
}
