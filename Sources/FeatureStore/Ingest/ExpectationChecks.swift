import Tabular

/// The `expect` checks of a table version, compiled against the columns of one
/// input file. A feature the file lacks reads as null.
struct ExpectationChecks {
    struct Check {
        let feature: FeatureDefinition
        let expectation: Expectation
        /// Batch column of the feature, nil when the file lacks it.
        let column: Int?
        /// `in` literals as numbers / strings / bools, for fast membership.
        let numbers: Set<Double>
        let strings: Set<[UInt8]>
        let bools: Set<Bool>
    }

    struct Failure {
        let column: String
        let value: String?
        let reason: String
        /// The `expect` check that failed; nil for a problem of the row itself
        /// (a null join key or timestamp, an entity key over the limit).
        var check: ExpectCheck? = nil
    }

    let checks: [Check]

    init(definition: FeatureTableDefinition, featureColumns: [Int?]) {
        var checks: [Check] = []
        for (i, feature) in definition.features.enumerated() {
            guard let e = feature.expect, !e.isEmpty else { continue }
            let allowed = AllowedValues(e.allowed)
            checks.append(Check(feature: feature, expectation: e, column: featureColumns[i],
                                numbers: allowed.numbers, strings: allowed.strings, bools: allowed.bools))
        }
        self.checks = checks
    }

    var isEmpty: Bool { checks.isEmpty }

    /// The first failed check of row `r`, or nil when the row passes.
    func firstFailure(row r: Int, of batch: RecordBatch) -> Failure? {
        for check in checks {
            let e = check.expectation
            let name = check.feature.name
            guard let ci = check.column, batch.columns[ci].validity[r] else {
                if e.notNull { return Failure(column: name, value: nil, reason: "value is null (expect not_null)", check: .notNull) }
                continue
            }
            let column = batch.columns[ci]
            var number: Double?
            switch column.storage {
            case .int32(let a): number = Double(a[r])
            case .int64(let a): number = Double(a[r])
            case .float32(let a): number = Double(a[r])
            case .float64(let a): number = a[r]
            case .bool(let a):
                if e.allowed != nil, !check.bools.contains(a[r]) {
                    return Failure(column: name, value: "\(a[r])", reason: "\(a[r]) is not one of \(Self.list(e.allowed!)) (expect in)", check: .allowed)
                }
            case .binary:
                if e.allowed != nil {
                    let bytes = Array(column.bytes(at: r))
                    if !check.strings.contains(bytes) {
                        let text = String(decoding: bytes, as: UTF8.self)
                        return Failure(column: name, value: text, reason: "\"\(text)\" is not one of \(Self.list(e.allowed!)) (expect in)", check: .allowed)
                    }
                }
            case .vector:
                break
            }
            guard let x = number else { continue }
            let shown = Self.show(column: column, row: r)
            if x.isNaN, e.min != nil || e.max != nil || e.allowed != nil {
                let declared = [e.min.map { "min: \(ExpectLiteral.number($0))" }, e.max.map { "max: \(ExpectLiteral.number($0))" },
                                e.allowed.map { "in: \(Self.list($0))" }].compactMap { $0 }.joined(separator: ", ")
                return Failure(column: name, value: shown, reason: "NaN is not a number that expect {\(declared)} allows", check: .nan)
            }
            if let lo = e.min, x < lo {
                return Failure(column: name, value: shown, reason: "\(shown) is below the minimum \(ExpectLiteral.number(lo)) (expect min)", check: .min)
            }
            if let hi = e.max, x > hi {
                return Failure(column: name, value: shown, reason: "\(shown) is above the maximum \(ExpectLiteral.number(hi)) (expect max)", check: .max)
            }
            if e.allowed != nil, !check.numbers.contains(x) {
                return Failure(column: name, value: shown, reason: "\(shown) is not one of \(Self.list(e.allowed!)) (expect in)", check: .allowed)
            }
        }
        return nil
    }

    static func list(_ literals: [ExpectLiteral]) -> String {
        "[" + literals.map(\.description).joined(separator: ", ") + "]"
    }

    /// A value as a person would have written it: integral floats without `.0`.
    static func show(column: Column, row: Int) -> String {
        switch column.value(at: row) {
        case .float64(let x) where x.isFinite && x == x.rounded() && abs(x) < 1e15: String(Int64(x))
        case .float32(let x) where x.isFinite && x == x.rounded() && abs(x) < 1e7: String(Int64(x))
        case let v?: v.description
        case nil: "null"
        }
    }
}

/// The literals of an `expect: {in: [...]}` split by kind, for fast membership.
struct AllowedValues {
    var numbers = Set<Double>()
    var strings = Set<[UInt8]>()
    var bools = Set<Bool>()

    init(_ literals: [ExpectLiteral]?) {
        for literal in literals ?? [] {
            switch literal {
            case .number(let x): numbers.insert(x)
            case .string(let s): strings.insert(Array(s.utf8))
            case .bool(let b): bools.insert(b)
            }
        }
    }
}
