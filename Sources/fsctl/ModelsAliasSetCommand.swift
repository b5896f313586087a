import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models alias set NAME ALIAS VERSION [--require GATE]… [--canary V:PERCENT]… [--log-predictions|--no-log-predictions]`.
struct ModelsAliasSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Point NAME@ALIAS at VERSION, if every quality gate passes (else exit 3).",
        discussion: """
            Gates (--require "auc>=0.85"; operators >= > <= < == !=) are checked on VERSION and on every canary \
            version. A failed gate changes nothing and exits 3. --canary 4:10 sends 10% of entities (chosen by \
            entity-key hash) to version 4. --log-predictions makes every score through the alias append to the \
            prediction log predictions__<model> (fsctl score logs without --log); --no-log-predictions turns it \
            off; neither keeps the alias's setting (off for a new alias). Every move is recorded (fsctl models history).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The model.")
    var name: String

    @Argument(help: "The alias (production, champion, …).")
    var alias: String

    @Argument(help: "The version it points at.")
    var version: Int

    @Option(help: ArgumentHelp("A quality gate, METRIC OP NUMBER (repeatable).", valueName: "gate"))
    var require: [String] = []

    @Option(help: ArgumentHelp("A canary version and its share in percent, V:PERCENT (repeatable).", valueName: "v:pct"))
    var canary: [String] = []

    @Flag(inversion: .prefixedNo, exclusivity: .exclusive,
          help: "Log every prediction scored through the alias to predictions__<model> (default: keep the alias's setting).")
    var logPredictions: Bool?

    struct Result: Encodable {
        var model: String
        var alias: AliasJSON
        var previous_version: Int?
        var changed: Bool
        var move: AliasMoveJSON?
    }

    struct GateFailureJSON: Encodable {
        struct Failed: Encodable {
            var version: Int
            var gate: String
            var metric: String
            var value: Double
        }
        var model: String
        var alias: String
        var changed = false
        var failed: [Failed]
    }

    func run() throws {
        guard version > 0 else { throw UsageError("VERSION must be a positive integer, not \(version)") }
        let gates = try UsageError.parsing { try require.map(QualityGate.init(parsing:)) }
        let splits = try UsageError.parsing { try canary.map(CanarySplit.init(parsing:)) }
        let registry = try global.openRegistry()
        let change: AliasChange
        do {
            change = try registry.setAlias(name, alias, version: version, canary: splits, logPredictions: logPredictions,
                                           require: gates)
        } catch let failure as QualityGateFailure {
            if global.json {
                try Output.json(GateFailureJSON(model: name, alias: alias, failed: failure.failures.map {
                    .init(version: $0.version, gate: $0.gate.description, metric: $0.gate.metric, value: $0.value)
                }))
            }
            throw ConditionFound(message: "\(failure)")
        }
        if global.json {
            return try Output.json(Result(model: name, alias: AliasJSON(change.alias), previous_version: change.previous?.version,
                                          changed: change.changed, move: change.move.map(AliasMoveJSON.init)))
        }
        let target = "\(name)@\(alias) -> \(version)\(ModelsText.canary(splits))\(ModelsText.logging(change.alias.logPredictions))"
        if !change.changed {
            global.say("\(target) (unchanged)")
        } else if let previous = change.previous {
            global.say("\(target) (was \(previous.version)\(ModelsText.canary(previous.canary))"
                       + "\(ModelsText.logging(previous.logPredictions)))")
        } else {
            global.say("\(target) (new alias)")
        }
    }
}
