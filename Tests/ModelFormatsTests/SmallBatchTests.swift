import Testing
@testable import ModelFormats

/// Tree ensembles score batches of fewer than ``blockedWalkMinRows`` rows
/// with the single-row walk: every batch size must give the scores of the
/// blocked walk bit for bit, for XGBoost and LightGBM, with numeric and
/// categorical splits (the fixtures of Tests/Fixtures/models).
@Suite struct SmallBatchTests {
    static let fixtures = ModelFixtures.committed
    /// Every LightGBM fixture has categorical splits: this one is
    /// `lgb_regression` with each categorical split made numeric (threshold: its
    /// category-set index), for the walk without the categorical test.
    static let numericLightGBM = "lgb_regression, numeric splits only"
    static let treeModels = fixtures.models.filter { $0.format == .xgboostJSON || $0.format == .lightgbmText }.map(\.name)
        + [numericLightGBM]

    func load(_ name: String) throws -> any BlockedTreeEnsemble {
        let model: any LoadedModel
        if name == Self.numericLightGBM {
            model = try ModelLoader.load(Self.numericSplits(try Self.fixtures.bytes("lgb_regression.txt")), format: .lightgbmText)
        } else {
            let fixture = Self.fixtures.model(name)
            model = try ModelLoader.load(try Self.fixtures.bytes(fixture.file), format: fixture.format)
        }
        return try #require(model as? any BlockedTreeEnsemble, "\(name) is not a blocked tree ensemble")
    }

    /// A LightGBM text model with its categorical splits turned numeric:
    /// `decision_type` loses bit 0, `num_cat` is 0, the category bitsets go.
    static func numericSplits(_ bytes: [UInt8]) -> [UInt8] {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for line in lines {
            if line.hasPrefix("cat_boundaries=") || line.hasPrefix("cat_threshold=") { continue }
            if line.hasPrefix("num_cat=") {
                out.append("num_cat=0")
            } else if line.hasPrefix("decision_type=") {
                let types = line.dropFirst("decision_type=".count).split(separator: " ").map { String(Int($0)! & ~1) }
                out.append("decision_type=" + types.joined(separator: " "))
            } else {
                out.append(String(line))
            }
        }
        return Array(out.joined(separator: "\n").utf8)
    }

    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    @Test func fixturesCoverNumericAndCategoricalForBothFormats() throws {
        var seen: Set<String> = []
        for name in Self.treeModels {
            let model = try load(name)
            seen.insert("\(model.format.rawValue) \(model.hasCategorical ? "categorical" : "numeric")")
        }
        #expect(seen == ["xgboost-json numeric", "xgboost-json categorical", "lightgbm-text numeric", "lightgbm-text categorical"])
    }

    @Test(arguments: treeModels)
    func everyBatchSizeGivesTheBlockedScores(_ name: String) throws {
        let model = try load(name)
        let n = Self.fixtures.count, width = Self.fixtures.width, k = model.outputCount
        #expect(width == model.inputCount)
        let whole = model.predict(batch: Self.fixtures.values, rows: n)   // one batch: the blocked walk
        for size in [1, 2, 3, 4, 5, 63, 64, 65] {
            var chunked: [Double] = []
            var start = 0
            while start < n {
                let rows = min(size, n - start)
                chunked += model.predict(batch: Array(Self.fixtures.values[(start * width)..<((start + rows) * width)]), rows: rows)
                start += rows
            }
            let differing = (0..<n).filter { r in
                Self.bits(Array(chunked[(r * k)..<((r + 1) * k)])) != Self.bits(Array(whole[(r * k)..<((r + 1) * k)]))
            }
            #expect(differing.isEmpty, "\(name), batches of \(size): rows \(differing.prefix(5)) differ from the one-batch scores")
        }
    }

    @Test(arguments: treeModels)
    func blockedWalkOfFewRowsGivesTheSingleRowScores(_ name: String) throws {
        let model = try load(name)
        let width = Self.fixtures.width, k = model.outputCount
        for rows in 1..<blockedWalkMinRows {
            for first in stride(from: 0, to: Self.fixtures.count - rows, by: 97) {
                let input = Array(Self.fixtures.values[(first * width)..<((first + rows) * width)])
                var blocked = [Double](repeating: 0, count: rows * k)
                input.withUnsafeBufferPointer { i in
                    blocked.withUnsafeMutableBufferPointer { o in
                        let buffers = BatchBuffers(input: i, output: o)
                        if model.hasCategorical {
                            model.predictRange(MixedSplits.self, 0..<rows, buffers)
                        } else {
                            model.predictRange(NumericSplits.self, 0..<rows, buffers)
                        }
                    }
                }
                let single = (0..<rows).flatMap { r in model.predict(Array(input[(r * width)..<((r + 1) * width)])) }
                #expect(Self.bits(blocked) == Self.bits(single), "\(name): rows \(first)..<\(first + rows)")
            }
        }
    }
}
