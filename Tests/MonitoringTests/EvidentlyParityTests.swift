import Foundation
import Testing
@testable import Monitoring

/// The committed fixtures of Tests/Fixtures/drift (made by
/// tools/drift_fixtures/generate.py with Evidently): seeded numeric and
/// categorical samples, small (≤ 1000 reference values) and large.
struct DriftFixtures: Decodable {
    struct Expected: Decodable {
        var method: String
        var statistic: Double
        var threshold: Double
        var drifted: Bool
    }

    enum Values: Decodable {
        case numbers([Double])
        case strings([String])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode([Double].self) { self = .numbers(d) } else { self = .strings(try c.decode([String].self)) }
        }
    }

    struct Case: Decodable {
        var name: String
        var kind: String
        var reference: Values
        var current: Values
        var methods: [String: Expected]

        func sample(_ v: Values) -> FeatureSample {
            switch v {
            case .numbers(let d): kind == "numeric" ? .numbers(d) : .categorical(d.map { String($0) })
            case .strings(let s): .categorical(s)
            }
        }
    }

    var evidently: String
    var cases: [Case]

    static let committed: DriftFixtures = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/drift/cases.json").standardized
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(DriftFixtures.self, from: data)
    }()
}

/// Each method's statistic agrees with Evidently's to 1e-6, and so do the drift
/// verdict and, for `auto`, the method Evidently chose.
@Suite struct EvidentlyParityTests {
    static let cases = DriftFixtures.committed.cases

    @Test func fixturesCoverEveryMethodAndSize() {
        let methods = Set(Self.cases.flatMap { $0.methods.values.map(\.method) })
        #expect(methods == ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"])
        #expect(Self.cases.contains { $0.kind == "numeric" && $0.name.contains("small") })
        #expect(Self.cases.contains { $0.kind == "categorical" && $0.name.contains("large") })
    }

    @Test(arguments: DriftFixtures.committed.cases.map(\.name))
    func parity(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let ref = c.sample(c.reference), cur = c.sample(c.current)
        for (requested, expected) in c.methods.sorted(by: { $0.key < $1.key }) {
            let method = try #require(DriftMethod(rawValue: requested))
            let r = try Drift.feature(name, reference: ref, current: cur, method: method)
            #expect(r.method.rawValue == expected.method, "\(name) \(requested): method")
            #expect(abs(r.statistic - expected.statistic) <= 1e-6,
                    "\(name) \(requested): \(r.statistic) vs Evidently \(expected.statistic)")
            #expect(r.threshold == expected.threshold, "\(name) \(requested): threshold")
            #expect(r.drifted == expected.drifted, "\(name) \(requested): drifted")
        }
    }
}

/// The decisions around the statistics: comparisons at the threshold, dataset
/// drift at half the features, refusals.
@Suite struct DriftRulesTests {
    @Test func comparisonsAtTheThreshold() {
        #expect(DriftMethod.ks.drifted(0.05, threshold: 0.05))
        #expect(!DriftMethod.chisquare.drifted(0.05, threshold: 0.05))
        #expect(!DriftMethod.z.drifted(0.05, threshold: 0.05))
        #expect(DriftMethod.psi.drifted(0.1, threshold: 0.1))
        #expect(!DriftMethod.wasserstein.drifted(0.0999, threshold: 0.1))
    }

    @Test func automaticChoice() {
        let small = FeatureSample.numeric((0..<1000).map(Double.init))
        let large = FeatureSample.numeric((0..<1001).map(Double.init))
        #expect(DriftMethod.automatic(reference: small, current: small) == .ks)
        #expect(DriftMethod.automatic(reference: large, current: small) == .wasserstein)
        let three = FeatureSample.numeric([1, 2, 3, 1])
        #expect(DriftMethod.automatic(reference: three, current: three) == .chisquare)
        let two = FeatureSample.categorical(["a", "b"])
        #expect(DriftMethod.automatic(reference: two, current: two) == .z)
        let cats = FeatureSample.categorical((0..<1001).map { "v\($0 % 7)" })
        #expect(DriftMethod.automatic(reference: cats, current: two) == .jensenshannon)
    }

    @Test func datasetDriftAtHalf() {
        func f(_ d: Bool) -> FeatureDrift {
            FeatureDrift(feature: "x", method: .psi, statistic: 0, threshold: 0.1, drifted: d, referenceCount: 1, currentCount: 1)
        }
        #expect(DatasetDrift(features: [f(true), f(false)], share: 0.5).drifted)
        #expect(!DatasetDrift(features: [f(true), f(false), f(false)], share: 0.5).drifted)
        #expect(!DatasetDrift(features: [], share: 0.5).drifted)
    }

    @Test func refusals() {
        #expect(throws: DriftError.self) {
            try Drift.feature("c", reference: .categorical(["a"]), current: .categorical(["b"]), method: .ks)
        }
        #expect(throws: DriftError.self) {
            try Drift.feature("x", reference: .numeric([]), current: .numeric([1]))
        }
        #expect(throws: DriftError.self) {
            try Drift.feature("c", reference: .categorical(["a", "b", "c"]), current: .categorical(["a"]), method: .z)
        }
    }

    @Test func identicalSamplesDoNotDrift() throws {
        let s = FeatureSample.numeric((0..<500).map { Double($0 % 97) * 0.5 })
        for m in [DriftMethod.ks, .wasserstein, .jensenshannon, .psi, .chisquare] {
            let r = try Drift.feature("x", reference: s, current: s, method: m)
            #expect(!r.drifted, "\(m)")
        }
    }
}
