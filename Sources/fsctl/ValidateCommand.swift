import ArgumentParser
import FeatureStore
import Tabular

/// `fsctl validate TABLE --window START..END`: events that broke each `expect`
/// check in the window — refused at ingest, and stored ones that break a check
/// declared since. Exit 3 when any check has violations, so a scheduler can gate on it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Count the events that broke each expect check of a table in a window (exit 3 when any did).",
        discussion: """
            Per check of the table's current version: REJECTED, events refused at ingest by \\
            --on-invalid skip (counted per UTC day in the ingest's transaction, under the first check \\
            they failed), and STORED, stored events of the window that break the check as declared now \\
            (events that landed before the check was added or tightened; one scan of the window). \\
            The window takes every UTC day it touches, whole. See docs/monitoring.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The feature table.")
    var table: String

    @Option(help: ArgumentHelp("The window (ISO-8601, both inclusive; whole UTC days).", valueName: "START..END"))
    var window: String

    struct CheckJSON: Encodable {
        var feature: String
        var check: String
        var expectation: String
        var declared: Bool
        var rejected: UInt64
        var stored: UInt64
        var violations: UInt64
    }

    struct Result: Encodable {
        var table: String
        var window: [String]
        var events: Int
        var checks: [CheckJSON]
        var violations: UInt64
        var passed: Bool
    }

    func run() throws {
        let w = try DriftCommand.window(window, option: "--window")
        let store = try global.openStore(readOnly: true)
        let report = try store.validate(table: table, window: w)
        let result = Result(
            table: table, window: [Timestamp.format(report.window.lowerBound), Timestamp.format(report.window.upperBound)],
            events: report.events,
            checks: report.checks.map {
                CheckJSON(feature: $0.feature, check: $0.check.rawValue, expectation: $0.expectation, declared: $0.declared,
                          rejected: $0.rejected, stored: $0.stored, violations: $0.violations)
            },
            violations: report.checks.reduce(0) { $0 + $1.violations }, passed: !report.hasViolations)
        if global.json {
            try Output.json(result)
        } else {
            var text = "table \(table): \(Format.plural(report.events, "stored event")) in \(result.window[0])..\(result.window[1])\n"
            if report.checks.isEmpty {
                text += "no expect checks declared\n"
            } else {
                var t = TextTable(["FEATURE", "CHECK", "REJECTED", "STORED", "RESULT"])
                for c in report.checks {
                    t.add([c.feature, c.expectation, Format.thousands(Int(c.rejected)), Format.thousands(Int(c.stored)),
                           c.violations > 0 ? "FAIL" : "ok"])
                }
                text += t.render()
                let failed = report.checks.filter { $0.violations > 0 }.count
                text += failed == 0 ? "all \(Format.plural(report.checks.count, "check")) passed\n"
                    : "\(failed) of \(Format.plural(report.checks.count, "check")) had violations\n"
            }
            global.say(text)
        }
        if report.hasViolations { throw ConditionFound() }
    }
}
