import FeatureStore
import Foundation
import ModelRegistry
import Testing

/// Registration loads each artifact with ModelFormats: real files pass with the
/// loader's input count, damaged or mislabelled files are refused with the
/// loader's error, prefixed by the file name.
@Suite struct ArtifactCheckTests {
    let validator = LoadingArtifactValidator()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestRegistry.fixture(name))))
    }

    static let fixtures: [(String, ModelFormat)] = [
        ("xgb_binary.json", .xgboostJSON), ("lgb_binary.txt", .lightgbmText),
        ("linear_logistic.json", .linearJSON), ("sk_logreg.onnx", .onnx),
    ]

    @Test func realModelsLoad() throws {
        for (file, format) in Self.fixtures {
            let summary = try validator.validate(try Self.bytes(file), format: format, fileName: file)
            #expect(summary.inputCount == 2, "\(file)")
            #expect(summary.detail == "\(format.rawValue) binary classifier, 2 inputs", "\(file)")
        }
        let xgb = try validator.validate(try Self.bytes("xgb_binary.json"), format: .xgboostJSON, fileName: "x")
        #expect(xgb.inputNames == ["age", "num_purchases"])
        let linear = try validator.validate(try Self.bytes("linear_logistic.json"), format: .linearJSON, fileName: "x")
        #expect(linear.inputNames == ["age", "num_purchases"])
    }

    @Test func aFileOfAnotherFormatSaysWhichItLooksLike() throws {
        for (file, actual) in Self.fixtures {
            for (_, claimed) in Self.fixtures where claimed != actual {
                let message = thrownMessage { _ = try validator.validate(try Self.bytes(file), format: claimed, fileName: file) }
                #expect(message?.hasPrefix("\(file): \(claimed.rawValue): ") == true, "\(file) as \(claimed): \(message ?? "accepted")")
                #expect(message?.hasSuffix("(use --format \(actual.rawValue))") == true,
                        "\(file) as \(claimed): \(message ?? "accepted")")
            }
        }
    }

    /// The refusal is the loader's own error, after the file name.
    func refused(_ bytes: [UInt8], _ format: ModelFormat, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let loader: String
        do {
            _ = try ModelLoader.load(bytes, format: format)
            Issue.record("the loader accepted \(bytes.count) bytes as \(format)", sourceLocation: sourceLocation)
            return
        } catch { loader = "\(error)" }
        let message = thrownMessage { _ = try validator.validate(bytes, format: format, fileName: "m") }
        #expect(message?.hasPrefix("m: \(loader)") == true, "\(message ?? "accepted")", sourceLocation: sourceLocation)
    }

    @Test func damagedFilesAreRefusedWithTheLoadersError() throws {
        for (file, format) in Self.fixtures {
            let good = try Self.bytes(file)
            refused(Array(good.prefix(good.count / 4)), format)
            refused([], format)
        }
        let xgb = String(decoding: try Self.bytes("xgb_binary.json"), as: UTF8.self)
        refused(Array(xgb.replacingOccurrences(of: "\"gbtree\"", with: "\"gblinear\"").utf8), .xgboostJSON)
        refused(Array(xgb.replacingOccurrences(of: "binary:logistic", with: "rank:pairwise").utf8), .xgboostJSON)
        refused(Array("{\"coefficients\": [1, 2]}".utf8), .linearJSON)
        let message = thrownMessage {
            _ = try validator.validate(Array(xgb.replacingOccurrences(of: "binary:logistic", with: "rank:pairwise").utf8),
                                       format: .xgboostJSON, fileName: "m.json")
        }
        #expect(message?.contains("rank:pairwise") == true, "\(message ?? "accepted")")
    }
}
