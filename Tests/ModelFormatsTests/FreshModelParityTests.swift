import Foundation
import Testing
@testable import ModelFormats

/// Trains new models with the pinned libraries in .venv (another seed than
/// the committed fixtures, so other trees, thresholds and rows) and checks
/// parity on them exactly as ParityTests does. Needs `make venv`; skips with
/// a note otherwise (the committed fixtures keep `swift test` Python-free).
@Suite(.serialized) struct FreshModelParityTests {
    static let python = ModelFixtures.root + "/.venv/bin/python"

    /// Fixtures written by tools/model_fixtures/generate.py --seed 8, once per test process.
    static let fresh: ModelFixtures? = {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("◇ Fresh model parity skipped: \(python) is missing (run `make venv` to create it)")
            return nil
        }
        let dir = NSTemporaryDirectory() + "modelformats-fresh-\(getpid())"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [ModelFixtures.root + "/tools/model_fixtures/generate.py", "--out", dir, "--seed", "8", "--rows", "2000"]
        p.standardOutput = FileHandle.nullDevice
        do {
            try p.run()
            p.waitUntilExit()
        } catch {
            Issue.record("cannot run \(python): \(error)")
            return nil
        }
        guard p.terminationStatus == 0 else {
            Issue.record("tools/model_fixtures/generate.py failed with status \(p.terminationStatus)")
            return nil
        }
        return try? ModelFixtures(directory: dir)
    }()

    @Test func freshModelsMatchTheirLibraries() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else { return }
        let fixtures = try #require(Self.fresh)
        #expect(fixtures.models.count == ModelFixtures.committed.models.count)
        for fixture in fixtures.models {
            try ParityTests.compare(fixture, in: fixtures)
        }
        try? FileManager.default.removeItem(atPath: fixtures.directory)
    }
}
