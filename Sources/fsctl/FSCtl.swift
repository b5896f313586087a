import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl`: drives a FeatureStore store from the shell (SPEC 4).
///
/// Exit codes: 0 ok, 1 error (`error: <message>` on stderr), 2 usage error,
/// 3 "condition found" (`fsctl check` found problems).
@main
struct FSCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsctl",
        abstract: "Drive a FeatureStore store from the shell.",
        discussion: """
            The store is --store DIR, else $FSCTL_STORE, else ./feature_store.
            Exit codes: 0 ok, 1 error, 2 usage error, 3 condition found.
            """,
        subcommands: [
            InitCommand.self, ApplyCommand.self, ListCommand.self, DescribeCommand.self,
            DeleteCommand.self, IngestCommand.self, MaterializeCommand.self,
            MaterializeIncrementalCommand.self, GetCommand.self, ExportCommand.self, CheckCommand.self, StatsCommand.self,
            ModelsCommand.self, LineageCommand.self, ScoreCommand.self, DriftCommand.self,
            ServeCommand.self, TokensCommand.self, BackupCommand.self,
            ValidateCommand.self,
        ])

    /// Parses, runs, and maps every failure to SPEC 4's exit codes, instead of
    /// ArgumentParser's defaults (which use 64 for usage errors).
    static func main() {
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            Glibc.exit(CLIExit.ok)
        } catch {
            Glibc.exit(exitCode(reporting: error))
        }
    }

    /// Prints what `error` means for the user and returns the exit code:
    /// library and fsctl errors through ``CLIExit``; ArgumentParser's own
    /// (parse errors, `--help`, which it throws from `parseAsRoot` or `run`)
    /// with its message, usage errors mapped to 2.
    static func exitCode(reporting error: any Error) -> Int32 {
        if CLIExit.isOwn(error) { return CLIExit.report(error) }
        let code = exitCode(for: error)
        let text = fullMessage(for: error)
        if code == .success {
            Output.out(text.isEmpty || text.hasSuffix("\n") ? text : text + "\n")
            return CLIExit.ok
        }
        if code == .validationFailure || text.hasPrefix("Error: ") {
            Output.err(lowercasedErrorPrefix(text) + "\n")
            return CLIExit.usage
        }
        return CLIExit.report(error)
    }

    /// `fsctl --store s list` means `fsctl list --store s`: global options given
    /// before the subcommand are moved after it (ArgumentParser only parses a
    /// subcommand's options after its name).
    static func hoistingGlobalOptions(_ args: [String]) -> [String] {
        var hoisted: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--json" || a == "--quiet" || a.hasPrefix("--store=") {
                hoisted.append(a); i += 1
            } else if a == "--store", i + 1 < args.count {
                hoisted += [a, args[i + 1]]; i += 2
            } else {
                break
            }
        }
        guard !hoisted.isEmpty, i < args.count, !args[i].hasPrefix("-") else { return args }
        var names = ModelsCommand.subcommandPathLength(args, from: i)
        // A command group (`tokens create`): the options go after the leaf subcommand.
        if commandGroups.contains(args[i]), i + 1 < args.count, !args[i + 1].hasPrefix("-") { names = 2 }
        return Array(args[i..<(i + names)]) + hoisted + args[(i + names)...]
    }

    /// Subcommands that only group others (their leaves take the global options).
    static let commandGroups: Set<String> = ["tokens"]

    /// ArgumentParser writes `Error: …`; the rest of fsctl writes `error: …`.
    private static func lowercasedErrorPrefix(_ text: String) -> String {
        text.hasPrefix("Error: ") ? "error: " + text.dropFirst("Error: ".count) : text
    }
}
