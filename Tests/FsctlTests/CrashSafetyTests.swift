import Foundation
import Testing

/// SIGKILL `fsctl ingest` and `fsctl materialize` at seeded random moments;
/// the store must then pass `fsctl check`, hold every batch wholly or not at
/// all, and re-running the killed command must complete it.
@Suite struct CrashSafetyTests {
    /// A small deterministic generator (SplitMix64) so failures replay.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let rowsPerFile = 10_000
    static let users = 500

    static func file(_ k: Int) -> String {
        var text = "user_id,event_timestamp,age,num_purchases\n"
        text.reserveCapacity(rowsPerFile * 40)
        for r in 0..<rowsPerFile {
            let minute = (k * 7 + r) % 1440
            text += "\(r % users),2025-11-15T\(minute / 60 < 10 ? "0" : "")\(minute / 60):\(minute % 60 < 10 ? "0" : "")\(minute % 60):00Z,\(k).5,\(r)\n"
        }
        return text
    }

    /// Starts fsctl, kills it after `delay` seconds (if still running); returns whether it was killed.
    static func runKilled(_ box: Sandbox, _ args: [String], after delay: Double) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fsctl.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: box.dir)
        var env = ProcessInfo.processInfo.environment
        env["FSCTL_STORE"] = box.store
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: delay)
        let killed = p.isRunning
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return killed
    }

    /// events == the sum of the batches' rows, every batch complete.
    static func batchesAreWhole(_ box: Sandbox) throws -> Int {
        let table = try #require(try box.run("describe", "user_stats", "--json").json() as? [[String: Any]]).first
        let batches = try #require(table?["batches"] as? [[String: Any]])
        for b in batches { #expect(b["rows"] as? Int == rowsPerFile, "partial batch \(b)") }
        #expect(table?["events"] as? Int == batches.count * rowsPerFile)
        return batches.count
    }

    @Test func killedIngestAndMaterializeLeaveAConsistentStore() throws {
        let box = try Sandbox.withExample()
        var rng = SplitMix(state: 20_251_115)
        let rounds = 6
        var killedCount = 0
        for k in 0..<rounds {
            try box.write("part\(k).csv", Self.file(k))
            let delay = Double.random(in: 0.02...0.3, using: &rng)
            if try Self.runKilled(box, ["ingest", "user_stats", "part\(k).csv"], after: delay) { killedCount += 1 }
            let check = try box.run("check")
            #expect(check.code == 0, "after killing ingest: \(check)")
            let before = try Self.batchesAreWhole(box)
            // Re-running completes it: it lands, or is refused because it had landed.
            let again = try box.run("ingest", "user_stats", "part\(k).csv")
            #expect(again.code == 0 || again.stderr.contains("already ingested"), "\(again)")
            #expect(try Self.batchesAreWhole(box) == k + 1, "round \(k): \(before) batches before the re-run")

            let mDelay = Double.random(in: 0.01...0.15, using: &rng)
            if try Self.runKilled(box, ["materialize-incremental", "2025-11-16T00:00:00Z"], after: mDelay) { killedCount += 1 }
            #expect(try box.run("check").code == 0)
        }
        // Re-run the last materialization; online must equal a fresh materialization.
        try box.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--quiet")
        let fresh = try Sandbox.withExample()
        for k in 0..<rounds {
            try fresh.write("part\(k).csv", Self.file(k))
        }
        try fresh.ok(["ingest", "user_stats"] + (0..<rounds).map { "part\($0).csv" } + ["--quiet"])
        try fresh.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--quiet")
        let probe = ["get", "--json", "--features", "user_stats:age,user_stats:num_purchases", "--at", "2025-11-16T00:00:00Z"]
            + stride(from: 0, to: Self.users, by: 37).flatMap { ["--entity", "user_id=\($0)"] }
        #expect(try box.run(probe).stdout == (try fresh.run(probe).stdout))
        #expect(killedCount > 0, "no run was killed: the delays are too long for this machine")
        print("crash safety: \(killedCount) of \(2 * rounds) runs killed")
    }
}
