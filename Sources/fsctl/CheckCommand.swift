import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl check`: the store's integrity check. Exit 0 when healthy, 3 when
/// problems were found (a "condition found", SPEC 4), 1 when it could not run.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check the store's integrity (exit 3 when problems are found).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = try global.openStore(readOnly: true)
        var report = try store.check()
        // The model registry's records and artifacts (docs/registry.md).
        let models = try ModelRegistry(store: store).check()
        report.problems += models.problems
        if global.json {
            try Output.json(report, snakeCase: true)
        } else {
            var lines = report.lines
            if models.models > 0 { lines.insert(models.line, at: max(lines.count - 1, 0)) }
            var text = lines.joined(separator: "\n") + "\n"
            text += report.problems.map { "  \($0)\n" }.joined()
            global.say(text)
        }
        if !report.isHealthy { throw ConditionFound() }
    }
}
