import Testing
@testable import fsctl

/// The command line parsed without running anything (STYLE: ArgumentParser's
/// habit), and the small formatters the commands share.
@Suite struct ParsingTests {
    @Test func globalOptionsBeforeTheSubcommandMoveAfterIt() {
        #expect(FSCtl.hoistingGlobalOptions(["--store", "s", "--json", "list", "-x"]) == ["list", "--store", "s", "--json", "-x"])
        #expect(FSCtl.hoistingGlobalOptions(["--store=s", "get", "--at", "t"]) == ["get", "--store=s", "--at", "t"])
        #expect(FSCtl.hoistingGlobalOptions(["list", "--store", "s"]) == ["list", "--store", "s"])
        #expect(FSCtl.hoistingGlobalOptions(["--help"]) == ["--help"])
        #expect(FSCtl.hoistingGlobalOptions(["--store", "s", "--help"]) == ["--store", "s", "--help"])
    }

    @Test func ingestOptionsParse() throws {
        let parsed = try FSCtl.parseAsRoot(["ingest", "user_stats", "a.csv", "b.jsonl", "--to", "both",
                                            "--on-invalid", "skip", "--rejects", "r.jsonl", "--force", "--quiet"])
        let ingest = try #require(parsed as? IngestCommand)
        #expect(ingest.table == "user_stats")
        #expect(ingest.files == ["a.csv", "b.jsonl"])
        #expect(ingest.to == .both)
        #expect(ingest.onInvalid == .skip)
        #expect(ingest.rejects == "r.jsonl")
        #expect(ingest.force && !ingest.ignoreExtra && ingest.global.quiet)
        #expect(ingest.format == nil)
    }

    @Test func storeDefaultsToTheEnvironmentThenFeatureStore() throws {
        let list = try #require(try FSCtl.parseAsRoot(["list", "--store", "/tmp/x"]) as? ListCommand)
        #expect(list.global.storePath == "/tmp/x")
    }

    @Test func helpListsEveryOption() {
        let help = IngestCommand.helpMessage(columns: 200)
        for option in ["--store <dir>", "--json", "--quiet", "--format <format>", "--to <to>",
                       "--on-invalid <on-invalid>", "--rejects <path>", "--force", "--ignore-extra"] {
            #expect(help.contains(option), "ingest help lacks \(option)")
        }
    }

    @Test func progressLineShowsRateAndETAWhenTheTotalIsKnown() {
        let bar = Progress(label: "ingesting t", unit: "rows", total: 1000, enabled: true, isTerminal: false)
        #expect(bar.line(count: 250, elapsed: 2) == "ingesting t: 250 rows  125 rows/s  2.0 s  25%  ETA 6.0 s")
        let open = Progress(label: "ingesting t", unit: "rows", enabled: true, isTerminal: false)
        #expect(open.line(count: 1_234_567, elapsed: 1.5) == "ingesting t: 1,234,567 rows  823k rows/s  1.5 s")
    }

    @Test func numbersAreCompact() {
        #expect(Format.compact(950) == "950")
        #expect(Format.compact(8_300) == "8.3k")
        #expect(Format.compact(83_400) == "83k")
        #expect(Format.compact(1_250_000) == "1.3M")
        #expect(Format.thousands(1_000) == "1,000")
        #expect(Format.thousands(999) == "999")
        #expect(Format.plural(1, "batch") == "1 batch")
        #expect(Format.plural(2, "batch") == "2 batches")
        #expect(Format.seconds(125) == "2 m 05 s")
    }
}

extension ParsingTests {
    @Test func pluralsOfTheWordsFsctlPrints() {
        #expect(Format.plural(3, "entity") == "3 entities")
        #expect(Format.plural(0, "event") == "0 events")
        #expect(Format.plural(1, "entity") == "1 entity")
    }
}
