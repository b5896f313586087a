import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models register NAME --artifact FILE --format FMT …`: a new version.
struct ModelsRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a new version of a model; prints its version number.",
        discussion: """
            The artifact is checked for its format, stored content-addressed (SHA-256) and shared with any \
            version that has the same bytes. Feature refs are pinned to the schema versions they resolve to now, \
            in the model's input-column order. Prints the new version number alone (--json: the version).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The model's name (created with its first version).")
    var name: String

    @Option(help: ArgumentHelp("The model file.", valueName: "file"))
    var artifact: String

    @Option(help: ArgumentHelp("xgboost-json, lightgbm-text, linear-json or onnx.", valueName: "format"))
    var format: String

    @Option(name: .customLong("features"), help: ArgumentHelp(
        "Feature refs the model reads, in its input order: comma-separated, repeatable.", valueName: "refs"))
    var features: [String] = []

    @Option(help: ArgumentHelp("A feature service whose refs the model reads.", valueName: "name"))
    var service: String?

    @Option(help: ArgumentHelp("The training set it was trained on (ts-…).", valueName: "id"))
    var trainingSet: String?

    @Option(help: ArgumentHelp("A metric, KEY=NUMBER (repeatable).", valueName: "k=v"))
    var metric: [String] = []

    @Option(help: ArgumentHelp("A parameter, KEY=VALUE (repeatable).", valueName: "k=v"))
    var param: [String] = []

    @Option(help: ArgumentHelp("A tag, KEY=VALUE (repeatable; changeable later with `models update`).", valueName: "k=v"))
    var tag: [String] = []

    @Option(help: ArgumentHelp("Free text (changeable later).", valueName: "text"))
    var description: String?

    func validate() throws {
        if !features.isEmpty && service != nil { throw ValidationError("give --features or --service, not both") }
    }

    func run() throws {
        // The option values first (usage errors), then the artifact.
        let format = try UsageError.parsing { try ModelFormat(parsing: self.format) }
        let metrics = try UsageError.parsing { try ModelRegistration.metrics(metric) }
        let params = try UsageError.parsing { try ModelRegistration.pairs(param, what: "param") }
        let tags = try UsageError.parsing { try ModelRegistration.pairs(tag, what: "tag") }
        let refs = try CommandLineRefs.parse(features)
        var r = try ModelRegistration(name: name, artifactFile: artifact, format: format)
        r.features = refs
        r.service = service
        r.trainingSet = trainingSet
        r.metrics = metrics
        r.params = params
        r.tags = tags
        r.description = description
        let registry = try global.openRegistry()
        let v = try registry.register(r)
        if global.json { return try Output.json(ModelVersionJSON(v, aliases: [])) }
        global.say(String(v.version))
    }
}
