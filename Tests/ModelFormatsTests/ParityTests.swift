import Foundation
import Testing
@testable import ModelFormats

/// Our predictions against the training libraries' own on the committed
/// adversarial rows (tools/model_fixtures/generate.py): tree models bit for
/// bit (margins, raw scores and outputs), linear-json and ONNX within 1e-6
/// (relative for regression values).
@Suite struct ParityTests {
    static let fixtures = ModelFixtures.committed

    @Test func fixturesCoverEveryFormat() {
        #expect(Set(Self.fixtures.models.map(\.format)) == Set(ModelFormat.allCases))
        #expect(Self.fixtures.count >= 2000)
        #expect(Self.fixtures.models.count >= 16)
    }

    @Test(arguments: fixtures.models.map(\.name))
    func matchesTheLibrary(_ name: String) throws {
        try Self.compare(Self.fixtures.model(name), in: Self.fixtures)
    }

    /// Scores `fixture`'s rows (single-row and batch paths) and compares with the
    /// library's predictions stored beside it.
    static func compare(_ fixture: ModelFixtures.Model, in fixtures: ModelFixtures) throws {
        let name = fixture.name
        let model = try ModelLoader.load(try fixtures.bytes(fixture.file), format: fixture.format)
        #expect(model.inputCount == fixtures.width)
        switch fixture.kind {
        case "binary": #expect(model.kind == .binaryClassifier)
        case "regression": #expect(model.kind == .regressor)
        default: #expect(model.kind == .multiclass(3))
        }
        let (header, expected) = try fixtures.csv(fixture.predictions)
        #expect(header == fixture.columns)
        #expect(expected.count == fixture.rows)
        let n = fixture.rows
        let k = model.outputCount

        // Batch path (two threads past 4096 rows; here one block walk) and single-row path.
        let batch = model.predict(batch: Array(fixtures.values[0..<(n * model.inputCount)]), rows: n)
        var mismatches = 0, worst = 0.0
        for r in 0..<n {
            let row = fixtures.row(r)
            let single = model.predict(row)
            #expect(single == Array(batch[(r * k)..<((r + 1) * k)]) || single.contains { $0.isNaN },
                    "\(name) row \(r): single-row and batch paths differ")
            var out = 0
            for (c, column) in fixture.columns.enumerated() {
                let text = expected[r][c]
                let want = Double(text)!
                let got: Double
                switch column {
                case "margin":
                    got = Double((model as! XGBoostModel).margins(row)[0])
                case "raw":
                    got = (model as! LightGBMModel).rawScores(row)[0]
                default:
                    got = single[out]; out += 1
                }
                let diff = abs(got - want)
                let ok: Bool
                switch (fixture.exact, fixture.precision[c]) {
                case (true, "float32"): ok = Float(got) == Float(text)!
                case (true, "exact"): ok = got == want
                case (true, _): ok = diff <= 1e-11 * max(1, abs(want))       // 12 significant digits stored
                case (false, _): ok = diff <= 1e-6 * (fixture.kind == "regression" ? max(1, abs(want)) : 1)
                }
                if !ok {
                    if mismatches < 5 {
                        Issue.record("\(name) row \(r + 2) of rows.csv \(row): \(column) = \(got), \(fixture.format.rawValue)'s library gives \(text)")
                    }
                    mismatches += 1
                }
                worst = max(worst, diff)
            }
            #expect(out == k, "\(name): \(k) outputs, \(out) compared")
        }
        #expect(mismatches == 0, "\(name): \(mismatches) mismatches, worst difference \(worst)")
    }
}
