import ArgumentParser
import FeatureStore

/// `fsctl check`: the store's integrity check. Exit 0 when healthy, 3 when
/// problems were found (a "condition found", SPEC 4), 1 when it could not run.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check the store's integrity (exit 3 when problems are found).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let report = try global.openStore(readOnly: true).check()
        if global.json {
            try Output.json(report, snakeCase: true)
        } else {
            var text = report.lines.joined(separator: "\n") + "\n"
            text += report.problems.map { "  \($0)\n" }.joined()
            global.say(text)
        }
        if !report.isHealthy { throw ConditionFound() }
    }
}
