/// A linear or logistic regression in the `linear-json` schema (docs/models.md),
/// scored in double precision.
///
/// ```json
/// {"format": "linear-json", "version": 1, "model": "logistic_regression",
///  "feature_names": ["age", "tenure"], "impute": [41.0, 12.0],
///  "center": [40.2, 13.1], "scale": [11.8, 9.7],
///  "coefficients": [[0.8, -1.2]], "intercepts": [-0.3]}
/// ```
final class LinearModel: LoadedModel {
    /// The two model families.
    enum Family: String, CaseIterable {
        case linearRegression = "linear_regression"
        case logisticRegression = "logistic_regression"
    }

    let format = ModelFormat.linearJSON
    let inputCount: Int
    let kind: ModelKind
    let featureNames: [String]?
    let family: Family
    /// Replacement for NaN per feature, or nil (NaN propagates to the prediction).
    let impute: [Double]?
    let center: [Double]?
    let scale: [Double]?
    /// `rows x inputCount`, row-major.
    let coefficients: [Double]
    let intercepts: [Double]
    let rows: Int

    init(inputCount: Int, kind: ModelKind, featureNames: [String]?, family: Family, impute: [Double]?,
         center: [Double]?, scale: [Double]?, coefficients: [Double], intercepts: [Double]) {
        self.inputCount = inputCount
        self.kind = kind
        self.featureNames = featureNames
        self.family = family
        self.impute = impute
        self.center = center
        self.scale = scale
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.rows = intercepts.count
    }

    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == inputCount && output.count == kind.outputCount, "row/output size mismatch")
        score(row.baseAddress!, output.baseAddress!)
    }

    func predict(batch: UnsafeBufferPointer<Double>, rows count: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(batch.count == count * inputCount && output.count == count * kind.outputCount, "batch/output size mismatch")
        let buffers = BatchBuffers(input: batch, output: output)
        let n = inputCount, k = kind.outputCount
        BatchSplit.run(rows: count) { range in
            for r in range { self.score(buffers.input.baseAddress! + r * n, buffers.output.baseAddress! + r * k) }
        }
    }

    @inline(__always)
    private func score(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        let n = inputCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n + rows) { scratch in
            let v = scratch.baseAddress!, z = v + n
            for j in 0..<n {
                var xj = x[j]
                if xj.isNaN, let impute { xj = impute[j] }
                if let center { xj -= center[j] }
                if let scale { xj /= scale[j] }
                v[j] = xj
            }
            coefficients.withUnsafeBufferPointer { w in
                for r in 0..<rows {
                    var s = 0.0
                    let wr = w.baseAddress! + r * n
                    for j in 0..<n { s += wr[j] * v[j] }
                    z[r] = s + intercepts[r]
                }
            }
            switch (family, rows) {
            case (.linearRegression, _):
                out[0] = z[0]
            case (.logisticRegression, 1):
                out[0] = 1.0 / (1.0 + LibM.exp(-z[0]))
            case (.logisticRegression, _):
                var zmax = z[0]
                for r in 1..<rows where z[r] > zmax { zmax = z[r] }
                var sum = 0.0
                for r in 0..<rows { z[r] = LibM.exp(z[r] - zmax); sum += z[r] }
                for r in 0..<rows { out[r] = z[r] / sum }
            }
        }
    }
}

extension LinearModel {
    /// Parses a `linear-json` document.
    convenience init(json bytes: [UInt8]) throws {
        let format = ModelFormat.linearJSON
        guard !bytes.isEmpty else { throw ModelFormatError(format, at: "", "the file is empty") }
        let root = JSONCursor(try JSONParser.parse(bytes, format: format), path: "", format: format)
        let tag = try root["format"]
        guard try tag.string() == "linear-json" else { throw tag.fail("expected \"linear-json\", found \"\(try tag.string())\"") }
        let version = try root["version"]
        guard try version.int() == 1 else { throw version.fail("unsupported version \(try version.int()) (supported: 1)") }
        let modelField = try root["model"]
        guard let family = Family(rawValue: try modelField.string()) else {
            throw modelField.fail("unknown model \"\(try modelField.string())\" (expected \(Family.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")))")
        }
        let coefField = try root["coefficients"]
        let coefRows = try coefField.array()
        guard !coefRows.isEmpty else { throw coefField.fail("needs at least one row of coefficients") }
        let matrix = try coefRows.map { try $0.doubles() }
        let n = matrix[0].count
        guard n > 0 else { throw coefRows[0].fail("a row of coefficients is empty") }
        for (r, row) in matrix.enumerated() where row.count != n {
            throw coefRows[r].fail("\(row.count) coefficients, row 0 has \(n)")
        }
        let interceptField = try root["intercepts"]
        let intercepts = try interceptField.doubles()
        guard intercepts.count == matrix.count else {
            throw interceptField.fail("\(intercepts.count) intercepts for \(matrix.count) rows of coefficients")
        }
        let kind: ModelKind
        switch family {
        case .linearRegression:
            guard matrix.count == 1 else { throw coefField.fail("linear_regression takes one row of coefficients, found \(matrix.count)") }
            kind = .regressor
        case .logisticRegression:
            kind = matrix.count == 1 ? .binaryClassifier : .multiclass(matrix.count)
        }
        func vector(_ key: String) throws -> [Double]? {
            guard let f = try root.optional(key) else { return nil }
            let v = try f.doubles()
            guard v.count == n else { throw f.fail("\(v.count) values for \(n) features") }
            return v
        }
        let impute = try vector("impute"), center = try vector("center"), scale = try vector("scale")
        if let scale, let zero = scale.firstIndex(where: { $0 == 0 || !$0.isFinite }) {
            throw try root["scale"].array()[zero].fail("scale must be finite and non-zero")
        }
        if let impute, let bad = impute.firstIndex(where: { $0.isNaN }) {
            throw try root["impute"].array()[bad].fail("impute values must be numbers")
        }
        var names: [String]?
        if let f = try root.optional("feature_names") {
            let list = try f.strings()
            guard list.count == n else { throw f.fail("\(list.count) names for \(n) features") }
            names = list
        }
        let known: Set<String> = ["format", "version", "model", "feature_names", "coefficients", "intercepts", "impute", "center", "scale"]
        if case .object(let members) = root.value, let extra = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw root.fail("unknown key \"\(extra)\" (keys: \(known.sorted().joined(separator: ", ")))")
        }
        self.init(inputCount: n, kind: kind, featureNames: names, family: family, impute: impute, center: center,
                  scale: scale, coefficients: matrix.flatMap { $0 }, intercepts: intercepts)
    }
}
