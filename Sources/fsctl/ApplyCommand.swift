import ArgumentParser
import FeatureStore

/// `fsctl apply FILE`: plans a definitions file against the catalog, prints
/// the plan, and applies it (SPEC 3).
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a definitions file (entities, feature tables, services).",
        discussion: "Idempotent: applying the same file twice changes nothing. Nothing is deleted by omission.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The YAML definitions file.")
    var file: String

    @Flag(name: .long, help: "Print the plan without changing anything.")
    var dryRun = false

    @Flag(name: .long, help: "Allow incompatible changes (type change, removal); they make a new version.")
    var allowBreaking = false

    struct ItemJSON: Encodable {
        var kind: String
        var name: String
        var action: String
        var from_version: Int?
        var to_version: Int?
        var breaking: Bool
        var changes: [String]
    }

    struct Result: Encodable {
        var dry_run: Bool
        var changed: Bool
        var items: [ItemJSON]
        var not_in_file: [[String: String]]
        var summary: [String: Int]
    }

    func run() throws {
        let store = try global.openStore()
        let plan = try store.apply(definitionsFile: file, dryRun: dryRun, allowBreaking: allowBreaking)
        if global.json { return try Output.json(Self.json(plan, dryRun: dryRun)) }
        var text = plan.render(showKept: true)
        if dryRun {
            text += "Dry run: nothing was changed.\n"
        } else {
            text += plan.hasChanges ? "Applied.\n" : "No changes.\n"
        }
        global.say(text)
    }

    static func json(_ plan: ApplyPlan, dryRun: Bool) -> Result {
        let items = plan.items.map { item -> ItemJSON in
            var json = ItemJSON(kind: item.key.kind.rawValue, name: item.key.name, action: "",
                                breaking: false, changes: item.changes.map(\.description))
            switch item.action {
            case .create: json.action = "create"
                if case .table = item.object { json.to_version = 1 }
            case .update: json.action = "update"
            case .unchanged: json.action = "unchanged"
            case .newVersion(let from, let to, let breaking):
                json.action = "new_version"; json.from_version = from; json.to_version = to; json.breaking = breaking
            }
            return json
        }
        let c = plan.counts
        return Result(dry_run: dryRun, changed: !dryRun && plan.hasChanges, items: items,
                      not_in_file: plan.notInFile.map { ["kind": $0.kind.rawValue, "name": $0.name] },
                      summary: ["create": c.create, "new_version": c.newVersion, "update": c.update,
                                "unchanged": c.unchanged])
    }
}
