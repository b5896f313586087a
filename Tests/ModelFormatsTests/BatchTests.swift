import Testing
@testable import ModelFormats

/// Batches large enough for two threads give exactly the single-row results,
/// in row order, for every fixture model.
@Suite struct BatchTests {
    static let fixtures = ModelFixtures.committed

    @Test(arguments: fixtures.models.map(\.name))
    func twoThreadBatchMatchesSingleRows(_ name: String) throws {
        let fixture = Self.fixtures.model(name)
        let model = try ModelLoader.load(try Self.fixtures.bytes(fixture.file), format: fixture.format)
        let rows = BatchSplit.parallelThreshold + 1234
        let n = Self.fixtures.count
        // Rows in a scrambled order so that each half of the batch sees different rows.
        let order = (0..<rows).map { ($0 * 7919) % n }
        let batch = order.flatMap { Self.fixtures.row($0) }
        let got = model.predict(batch: batch, rows: rows)
        let k = model.outputCount
        #expect(got.count == rows * k)
        var differing = 0
        for (i, r) in order.enumerated() {
            let want = model.predict(Self.fixtures.row(r))
            let have = Array(got[(i * k)..<((i + 1) * k)])
            if have != want && !(have.contains { $0.isNaN } && want.contains { $0.isNaN }) { differing += 1 }
        }
        #expect(differing == 0, "\(name): \(differing) of \(rows) batch rows differ from single-row scoring")
    }

    @Test func emptyBatch() throws {
        let model = try ModelLoader.load(try Self.fixtures.bytes("xgb_binary.json"), format: .xgboostJSON)
        #expect(model.predict(batch: [], rows: 0).isEmpty)
    }
}
