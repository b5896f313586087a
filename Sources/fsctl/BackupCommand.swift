import ArgumentParser
import FeatureStore
import LMDB
import ModelRegistry

/// `fsctl backup DIR`: a consistent, compacting hot copy of the store (SPEC 4).
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, compacted copy of the store to a new directory, while it stays in use.",
        discussion: """
            DIR must not exist or must be an empty directory; its parent must exist. The copy is
            one read snapshot: readers, writers and `fsctl serve` keep running, and every commit is
            either wholly in the backup or absent. The result is a complete store: open it with
            `fsctl --store DIR …`. Every database is rebuilt in key order with full leaf pages
            (a store grown by inserts has them about half full), so the copy is smaller and scans
            of it read fewer pages. With --verify the copy is checked like `fsctl check` (exit 3 on
            problems).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The directory to write the backup to.", valueName: "dir"))
    var directory: String

    @Flag(name: .long, help: "Copy free pages too, and pages as they are (a page-for-page copy; faster, larger).")
    var noCompact = false

    @Flag(name: .long, help: "Open the finished backup and run the integrity check on it.")
    var verify = false

    struct Result: Encodable {
        var path: String
        var bytes: Int
        var source_bytes: Int
        var compacted: Bool
        var repacked: Bool
        var verified: Bool?
        var problems: [String]?
    }

    func run() throws {
        let store = try global.openStore(readOnly: true)
        let report = try store.backup(to: directory, compact: !noCompact)
        var result = Result(path: report.path, bytes: report.bytes, source_bytes: report.sourceBytes,
                            compacted: report.compacted, repacked: report.repacked)
        if verify {
            var options = Environment.Options()
            options.readOnly = true
            let copy = try Store.open(at: report.path, options: options)
            var check = try copy.check()
            check.problems += try ModelRegistry(store: copy).check().problems
            result.verified = check.isHealthy
            result.problems = check.problems
        }
        if global.json {
            try Output.json(result)
        } else {
            var text = "backup written to \(report.path): \(StatsCommand.bytes(report.bytes))"
            text += report.repacked ? " (compacted from \(StatsCommand.bytes(report.sourceBytes)), leaf pages repacked)\n"
                  : report.compacted ? " (compacted from \(StatsCommand.bytes(report.sourceBytes)))\n"
                                     : " (page-for-page copy)\n"
            if let problems = result.problems {
                text += problems.isEmpty ? "verified: the copy passes the integrity check\n"
                                         : "verification found \(problems.count) problem(s) in the copy:\n"
                                           + problems.map { "  \($0)\n" }.joined()
            }
            global.say(text)
        }
        if result.verified == false { throw ConditionFound() }
    }
}
