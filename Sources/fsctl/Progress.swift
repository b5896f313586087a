#if canImport(Glibc)
import Glibc
#endif

/// A progress line for long operations (ingest, materialize).
///
/// On a terminal (stderr is a tty) and without `--quiet`, ``update(_:)``
/// redraws one line on stderr — count, rate, elapsed, and percentage and ETA
/// when a total is known — at most ten times a second; ``finish()`` erases it
/// so the command's summary line takes its place. Elsewhere (a pipe, a log
/// file, cron) it draws nothing and the command prints only its summary.
///
/// ```swift
/// let bar = Progress(label: "ingesting user_stats", unit: "rows", enabled: !global.quiet)
/// options.progress = { rows in bar.update(rows) }
/// defer { bar.finish() }
/// ```
///
/// `update` may be called from any thread.
final class Progress: @unchecked Sendable {
    private(set) var label: String
    let unit: String
    /// The expected final count, when known (enables % and ETA).
    let total: Int?
    private let draws: Bool
    private let started: Double
    private var lastDraw: Double = 0
    private var drawn = false
    private var lock = pthread_mutex_t()

    init(label: String, unit: String, total: Int? = nil, enabled: Bool,
         isTerminal: Bool = Output.stderrIsTerminal) {
        self.label = label
        self.unit = unit
        self.total = total
        self.draws = enabled && isTerminal
        self.started = Self.now()
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// Seconds since the bar was made.
    var elapsed: Double { Self.now() - started }

    /// Reports `count` done so far; redraws if 100 ms passed since the last draw.
    /// A new `label` (materialize moving to the next table) is kept for later draws.
    func update(_ count: Int, label: String? = nil) {
        guard draws else { return }
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if let label { self.label = label }
        let t = Self.now()
        guard t - lastDraw >= 0.1 else { return }
        lastDraw = t
        drawn = true
        Output.err("\r\u{1B}[K" + line(count: count, elapsed: t - started))
    }

    /// Erases the line, if one was drawn.
    func finish() {
        guard draws else { return }
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if drawn { Output.err("\r\u{1B}[K") }
        drawn = false
    }

    /// `ingesting user_stats: 1,200,000 rows  830k rows/s  1.4 s  45%  ETA 2 s`
    func line(count: Int, elapsed: Double) -> String {
        var text = "\(label): \(Format.thousands(count)) \(unit)  \(Format.rate(count, elapsed, unit: unit))  \(Format.seconds(elapsed))"
        if let total, total > 0 {
            let fraction = min(1, Double(count) / Double(total))
            text += "  \(Int(fraction * 100))%"
            if count > 0, fraction < 1 {
                let rate = Double(count) / max(elapsed, 1e-9)
                text += "  ETA \(Format.seconds(Double(total - count) / rate))"
            }
        }
        return text
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
