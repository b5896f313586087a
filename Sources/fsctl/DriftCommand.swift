import ArgumentParser
import FoundationEssentials
import FeatureStore
import Inference
import ModelRegistry
import Monitoring
import Tabular

/// `fsctl drift TABLE --reference START..END --current START..END` (or `--model
/// NAME` on its prediction log): per-feature drift with Evidently's methods and
/// defaults (SPEC 12); exit code 3 on dataset drift. The result is recorded as
/// the subject's latest (the server's drift gauges) unless `--no-record`.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", abstract: "Compare two windows of a table's events (or a model's predictions): per-feature drift and dataset drift.",
        discussion: """
            Windows are START..END, ISO-8601, both inclusive, on event time. --method auto (the default) \
            follows Evidently: at most 1000 reference values → KS for numbers (chi-square for 3–5 distinct \
            values, Z-test for 2), chi-square for categories (Z-test for 2), p < 0.05; above → normed \
            Wasserstein for numbers, Jensen–Shannon for categories, threshold 0.1. PSI's threshold is 0.1. \
            Dataset drift = at least half the features drifted: exit code 3. --model NAME compares the \
            model's prediction log (predictions__NAME, written by `fsctl score --log`): its prediction \
            columns and any other logged feature, --version V only that version's predictions. The result \
            is kept as the table's or model's latest (exported by `fsctl serve` as Prometheus gauges) \
            unless --no-record. See docs/monitoring.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The feature table (or give --model).")
    var table: String?

    @Option(help: ArgumentHelp("Instead of a table: the model whose prediction log (predictions__NAME) to compare.",
                               valueName: "NAME"))
    var model: String?

    @Option(help: ArgumentHelp("With --model: only the predictions of this model version.", valueName: "V"))
    var version: Int?

    @Flag(help: "Do not record the result as the subject's latest (a dry run; the store is opened read-only).")
    var noRecord = false

    @Option(help: ArgumentHelp("The reference window.", valueName: "START..END"))
    var reference: String?

    @Option(help: ArgumentHelp("Use a training set's exported values as the reference instead of a window.", valueName: "ID"))
    var referenceTrainingSet: String?

    @Option(help: ArgumentHelp("The current window.", valueName: "START..END"))
    var current: String

    @Option(help: ArgumentHelp("auto, ks, chisquare, z, wasserstein, jensenshannon or psi.", valueName: "method"))
    var method: String = "auto"

    @Option(help: ArgumentHelp("Only these features (comma-separated, repeatable; default: all comparable).", valueName: "a,b"))
    var features: [String] = []

    @Option(help: ArgumentHelp("Threshold for every feature (default: the method's).", valueName: "X"))
    var threshold: Double?

    @Option(help: ArgumentHelp("A method for one feature (repeatable), over --method.", valueName: "feature=method"))
    var featureMethod: [String] = []

    @Option(help: ArgumentHelp("A threshold for one feature (repeatable), over --threshold.", valueName: "feature=X"))
    var featureThreshold: [String] = []

    @Option(help: ArgumentHelp("Also write a self-contained HTML report (inline SVG charts) to FILE.", valueName: "FILE"))
    var html: String?

    /// `START..END` → an inclusive range, or a usage error naming the option.
    static func window(_ text: String, option: String) throws -> ClosedRange<Int64> {
        let parts = text.split(separator: "..", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw UsageError("\(option): expected START..END (ISO-8601 timestamps), got \"\(text)\"")
        }
        let s = try CommandLineTime.parse(String(parts[0]), what: "\(option) START")
        let e = try CommandLineTime.parse(String(parts[1]), what: "\(option) END")
        guard s <= e else { throw UsageError("\(option): START \(parts[0]) is after END \(parts[1])") }
        return s...e
    }

    struct FeatureJSON: Encodable {
        var feature: String
        var method: String
        var statistic: Double
        var threshold: Double
        var drifted: Bool
        var reference_count: Int
        var current_count: Int
    }

    struct Result: Encodable {
        var table: String
        /// With --model: the model and the version filter (nil = all versions).
        var model: String?
        var version: Int?
        /// `[START, END]`, or `["training-set", ID]`.
        var reference: [String]
        var current: [String]
        var reference_events: Int
        var current_events: Int
        var features: [FeatureJSON]
        var drifted_features: Int
        var drift_share: Double
        var dataset_drift: Bool
    }

    func validate() throws {
        switch (table, model) {
        case (nil, nil): throw ValidationError("give a feature table, or --model NAME for a model's prediction log")
        case (_?, _?): throw ValidationError("a feature table and --model exclude each other")
        default: break
        }
        if version != nil && model == nil { throw ValidationError("--version needs --model") }
    }

    func run() throws {
        guard let m = DriftMethod(rawValue: method) else {
            throw UsageError("--method: unknown method \"\(method)\" (expected one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let threshold, !(threshold.isFinite && threshold >= 0) {
            throw UsageError("--threshold: expected a non-negative number, got \(threshold)")
        }
        let r: DriftReference
        switch (reference, referenceTrainingSet) {
        case (let text?, nil): r = .window(try Self.window(text, option: "--reference"))
        case (nil, let id?): r = .trainingSet(id)
        case (nil, nil): throw UsageError("give the reference: --reference START..END or --reference-training-set ID")
        case (_?, _?): throw UsageError("--reference and --reference-training-set exclude each other")
        }
        let c = try Self.window(current, option: "--current")
        var methods: [String: DriftMethod] = [:], thresholds: [String: Double] = [:]
        for text in featureMethod {
            let (name, value) = try Self.pair(text, option: "--feature-method")
            guard let fm = DriftMethod(rawValue: value) else {
                throw UsageError("--feature-method: unknown method \"\(value)\" for '\(name)' (expected one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            methods[name] = fm
        }
        for text in featureThreshold {
            let (name, value) = try Self.pair(text, option: "--feature-threshold")
            guard let x = Double(value), x.isFinite, x >= 0 else {
                throw UsageError("--feature-threshold: expected a non-negative number for '\(name)', got \"\(value)\"")
            }
            thresholds[name] = x
        }
        if let html { try OutputPath.check(html, option: "--html") }
        let store = try global.openStore(readOnly: noRecord)
        let target = try model.map { try ModelTarget(store: store, model: $0, version: version) }
        let table = target?.table ?? self.table!
        var request = DriftRequest(table: table, reference: r, current: c, method: m,
                                   features: try target?.features(CommandLineTime.tableList(features))
                                       ?? CommandLineTime.tableList(features),
                                   threshold: threshold)
        request.featureMethods = methods
        request.featureThresholds = thresholds
        request.filter = target?.filter
        request.subject = target?.description
        let report = try store.drift(request)
        let d = report.result
        let subject = target?.subject ?? table
        // The report first: a report that cannot be written records nothing.
        if let html {
            let what = target.map { "model \($0.subject) (\(table))" } ?? table
            let page = report.html(title: "Drift of \(what): \(current) against \(Self.describe(r).joined(separator: " "))")
            do { try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic) } catch {
                throw FeatureStoreError(.io, "--html \(html): cannot write the HTML report: \(error.localizedDescription)")
            }
        }
        if !noRecord {
            try store.recordDriftResult(report.record(kind: target == nil ? .table : .model, subject: subject,
                                                      reference: Self.describe(r),
                                                      current: [Timestamp.format(c.lowerBound), Timestamp.format(c.upperBound)]))
        }
        let result = Result(
            table: table, model: target?.model, version: version, reference: Self.describe(r),
            current: [Timestamp.format(c.lowerBound), Timestamp.format(c.upperBound)],
            reference_events: report.referenceEvents, current_events: report.currentEvents,
            features: d.features.map {
                FeatureJSON(feature: $0.feature, method: $0.method.rawValue, statistic: $0.statistic, threshold: $0.threshold,
                            drifted: $0.drifted, reference_count: $0.referenceCount, current_count: $0.currentCount)
            },
            drifted_features: d.driftedCount, drift_share: d.share, dataset_drift: d.drifted)
        if global.json {
            try Output.json(result)
        } else {
            var t = TextTable(["FEATURE", "METHOD", "STATISTIC", "THRESHOLD", "DRIFT", "REF N", "CUR N"])
            for f in d.features {
                t.add([f.feature, f.method.rawValue, Self.number(f.statistic), Self.number(f.threshold),
                       f.drifted ? "DRIFT" : "-", Format.thousands(f.referenceCount), Format.thousands(f.currentCount)])
            }
            let kind = referenceTrainingSet.map { "training set \($0): \(Format.thousands(report.referenceEvents)) rows" }
                ?? "reference \(Format.thousands(report.referenceEvents)) events"
            let head = target.map { "model \($0.subject) (\(table))" } ?? "table \(table)"
            var text = "\(head): \(kind), current \(Format.thousands(report.currentEvents)) events\n"
            text += t.render()
            text += "\n\(d.driftedCount) of \(d.features.count) features drifted: "
            text += d.drifted ? "DATASET DRIFT (at least half)\n" : "no dataset drift\n"
            global.say(text)
        }
        if d.drifted { throw ConditionFound() }
    }

    /// `name=value` → its two sides, or a usage error naming the option.
    static func pair(_ text: String, option: String) throws -> (String, String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw UsageError("\(option): expected FEATURE=VALUE, got \"\(text)\"")
        }
        return (parts[0], parts[1])
    }

    static func describe(_ r: DriftReference) -> [String] {
        switch r {
        case .window(let w): [Timestamp.format(w.lowerBound), Timestamp.format(w.upperBound)]
        case .trainingSet(let id): ["training-set", id]
        }
    }

    /// Rounded to 6 decimals (`0.042134`); below 1e-4 three significant digits (`1.82e-43`).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return String(x) }
        if x == 0 { return "0" }
        if abs(x) >= 1e-4 { return String((x * 1e6).rounded() / 1e6) }
        var m = abs(x), e = 0
        while m < 1 { m *= 10; e -= 1 }
        var r = (m * 100).rounded() / 100
        if r >= 10 { r /= 10; e += 1 }
        return (x < 0 ? "-" : "") + String(r) + "e" + String(e)
    }
}
