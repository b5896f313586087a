import Foundation
import Testing

/// The Python client (tools/python/fsclient, standard library only) against
/// real `fsctl serve` processes: tools/python/tests/test_fsclient.py starts
/// its servers with this build's fsctl and checks every lookup against
/// `fsctl get --json`, push then read, errors, auth and scopes.
/// Runs the system python3 (no venv: the client has no dependencies).
@Suite struct PythonClientTests {
    @Test func pythonClientAgainstFsctlServe() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let interpreter = try #require(python, "python3 is not installed (apt-get install python3)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: interpreter)
        p.arguments = ["-m", "unittest", "discover", "-s", "tools/python/tests", "-v"]
        p.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["FSCTL"] = Fsctl.path
        environment.removeValue(forKey: "FSCTL_STORE")
        p.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fsclient-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(p.terminationStatus == 0, "python3 -m unittest tools/python/tests failed:\n\(output)")
        // The suite really ran: every test reported ok, none skipped.
        #expect(output.contains("Ran 12 tests") && output.hasSuffix("OK\n"), "\(output)")
    }
}
