import Foundation
import Testing

/// The `fsctl drift --html` report renders in a real browser: headless
/// Chromium (Debian's `chromium`, installed by `make deps`) takes a
/// screenshot and tools/png_check.py (standard-library Python) decodes it and
/// checks it is not blank and shows both overlay colours.
///
/// Without chromium the test is skipped with a note, as the venv-based tests
/// are, except under `CI=true`, where a missing browser is a failure.
@Suite struct DriftReportScreenshotTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let checker = root + "/tools/png_check.py"
    /// The report's bar colours (#3b6fb6 reference, #e8833a current) at
    /// fill-opacity 0.55 over the white card: 255 + 0.55·(c − 255) per channel.
    static let referenceBar = "93b0d7", currentBar = "f2bb93"

    /// The first executable named `name` on PATH (or in /usr/bin), or nil.
    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The tool, or nil after recording a failure (CI) or printing a skip note.
    static func require(_ name: String, for what: String) -> String? {
        if let found = which(name) { return found }
        let message = "\(what): `\(name)` is not installed (make deps installs it)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(message)")
        } else {
            print("◇ \(message); skipped")
        }
        return nil
    }

    /// Runs `tool args` with a deadline; kills it (recording an issue) when it overruns.
    static func run(_ tool: String, _ args: [String], timeout: TimeInterval) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let dir = NSTemporaryDirectory() + "drift-shot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/err"))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            p.terminate()
            Thread.sleep(forTimeInterval: 2)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            Issue.record("\(tool) \(args.joined(separator: " ")) did not finish within \(Int(timeout)) s; killed")
        }
        p.waitUntilExit()
        try out.close(); try err.close()
        return (p.terminationStatus, try String(contentsOfFile: dir + "/out", encoding: .utf8),
                try String(contentsOfFile: dir + "/err", encoding: .utf8))
    }

    /// Screenshot of `html` (1200×2000) into `png`, with a throwaway profile.
    static func screenshot(_ chromium: String, _ html: String, _ png: String, profile: String) throws -> Bool {
        let r = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                   "--user-data-dir=\(profile)", "--hide-scrollbars",
                                   "--screenshot=\(png)", "--window-size=1200,2000", "file://\(html)"], timeout: 120)
        let made = FileManager.default.fileExists(atPath: png)
        #expect(r.code == 0 && made, "chromium exited \(r.code), screenshot \(made ? "written" : "missing"): \(r.err.suffix(2000))")
        return made
    }

    @Test func htmlReportRendersInHeadlessChromium() throws {
        guard let chromium = Self.require("chromium", for: "the drift report screenshot test"),
              let python = Self.require("python3", for: "the drift report screenshot test") else { return }
        let box = try DriftTests.store()
        let r = try box.run("drift", "user_stats", "--reference", DriftTests.day15, "--current", DriftTests.day17,
                            "--html", "report.html", "--no-record")
        #expect(r.code == 3, "\(r)")
        guard try Self.screenshot(chromium, box.dir + "/report.html", box.dir + "/report.png",
                                  profile: box.dir + "/chromium-profile") else { return }
        let check = try Self.run(python, [Self.checker, box.dir + "/report.png", "--min-content", "0.05",
                                          "--color", "reference=\(Self.referenceBar)", "--color", "current=\(Self.currentBar)",
                                          "--min-pixels", "2000", "--tolerance", "10"], timeout: 120)
        #expect(check.code == 0, "png_check: \(check.out) \(check.err)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any], "\(check)")
        #expect(doc["width"] as? Int == 1200)
        #expect(doc["height"] as? Int == 2000)
        let colors = try #require(doc["colors"] as? [String: Int])
        #expect((colors["reference"] ?? 0) >= 2000 && (colors["current"] ?? 0) >= 2000, "\(colors)")

        // The check can fail: a page without the charts has neither colour and little content.
        try box.write("blank.html", "<!DOCTYPE html><html><body style=\"background:#fafafa\"><p>no charts</p></body></html>")
        guard try Self.screenshot(chromium, box.dir + "/blank.html", box.dir + "/blank.png",
                                  profile: box.dir + "/chromium-profile") else { return }
        let blank = try Self.run(python, [Self.checker, box.dir + "/blank.png", "--min-content", "0.05",
                                          "--color", "reference=\(Self.referenceBar)", "--min-pixels", "2000"], timeout: 120)
        #expect(blank.code == 1, "\(blank)")
        #expect(blank.err.contains("differ from the background") && blank.err.contains("colour reference #93b0d7"), "\(blank.err)")
    }
}
