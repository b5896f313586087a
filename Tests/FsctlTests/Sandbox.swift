import Foundation
import Testing

/// What one `fsctl` run printed and returned.
struct Run: CustomStringConvertible {
    var stdout: String
    var stderr: String
    var code: Int32

    var description: String { "exit \(code)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

    /// stdout parsed as JSON.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }
}

/// The `fsctl` binary `swift test` built: beside the test bundle (the test
/// target depends on `fsctl`), else `.build/debug/fsctl` of this package.
enum Fsctl {
    static let path: String = {
        let fm = FileManager.default
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates = [exe.deletingLastPathComponent().appendingPathComponent("fsctl").path]
        if let arg0 = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: arg0).resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("fsctl").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/fsctl").path)
        return candidates.first { fm.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()
}

/// A temporary directory per test, holding a store (`store/`, given to fsctl
/// through `FSCTL_STORE`) and the input files the test writes.
final class Sandbox: @unchecked Sendable {
    let dir: String
    var store: String { dir + "/store" }

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/fsctl-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        dir = String(cString: made)
    }

    /// A sandbox with an initialised store and the SPEC's example applied.
    static func withExample() throws -> Sandbox {
        let box = try Sandbox()
        try box.ok("init")
        try box.write("features.yaml", Examples.definitions)
        try box.ok("apply", "features.yaml")
        return box
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes `text` to `name` in the sandbox; returns the name (fsctl runs in the sandbox).
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return name
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: dir + "/" + name) }

    /// Runs fsctl in the sandbox directory with `FSCTL_STORE=store`.
    func run(_ args: String..., env: [String: String] = [:]) throws -> Run {
        try run(args, env: env)
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fsctl.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["FSCTL_STORE"] = store
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let id = UUID().uuidString
        let outPath = dir + "/.out-\(id)", errPath = dir + "/.err-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close(); try err.close()
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        return Run(stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                   stderr: try String(contentsOfFile: errPath, encoding: .utf8),
                   code: p.terminationStatus)
    }

    /// Runs fsctl and expects exit 0; returns stdout.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(args, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.code == 0, "fsctl \(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
        return r.stdout
    }

    /// Runs fsctl and expects `code` and exactly `stderr` (with `error: ` and a newline added).
    @discardableResult
    func fails(_ args: String..., code: Int32 = 1, error: String,
               sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        try fails(args, code: code, error: error, sourceLocation: sourceLocation)
    }

    @discardableResult
    func fails(_ args: [String], code: Int32 = 1, error: String,
               sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let r = try run(args)
        #expect(r.code == code, "fsctl \(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
        #expect(r.stderr == "error: \(error)\n", sourceLocation: sourceLocation)
        #expect(r.stdout == "", sourceLocation: sourceLocation)
        return r
    }

    /// Everything observable about the store's content (catalog, batches,
    /// counts), for "nothing changed" checks.
    func snapshot() throws -> String {
        let list = try run("list", "--json")
        var text = list.stdout
        for name in ["user_stats", "user", "churn_v1"] {
            text += try run("describe", name, "--json").stdout
        }
        // Entries per database and counts per table (one key per line, sorted);
        // the reader slots and page use are not content.
        text += try run("stats", "--json").stdout.split(separator: "\n")
            .filter { !$0.contains("\"readers_used\"") && !$0.contains("\"used_bytes\"") && !$0.contains("\"bytes\"") }
            .joined(separator: "\n")
        return text
    }
}

/// The input files the tests share.
enum Examples {
    /// SPEC 3's example, less the `user_activity` table its service names.
    static let definitions = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}

        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: 2d
            description: Daily user aggregates
            tags: {team: risk}
            features:
              - {name: age, type: float64}
              - {name: num_purchases, type: int64}
              - {name: country, type: string}
              - {name: is_premium, type: bool}
              - {name: embedding, type: "float32[2]"}
              - {name: credit_score, type: float64, expect: {min: 300, max: 850}}
              - {name: region, type: int32, expect: {in: [1, 2, 3, 4]}}

        feature_services:
          - name: churn_v1
            features: [user_stats:age, user_stats:num_purchases]

        """

    static let csv = """
        user_id,event_timestamp,age,num_purchases,country,is_premium,credit_score,region
        1,2025-11-15T01:00:00Z,31.5,3,FR,true,700,1
        2,2025-11-15T02:00:00Z,,5,DE,false,,2
        3,2025-11-15T03:00:00Z,45,0,US,,650,

        """

    static let jsonl = """
        {"user_id": 4, "event_timestamp": "2025-11-15T04:00:00Z", "age": 22.0, "country": "IT", "embedding": [0.5, 1.5]}
        {"user_id": 5, "event_timestamp": "2025-11-15T05:00:00Z", "age": null, "num_purchases": 9}

        """
}
