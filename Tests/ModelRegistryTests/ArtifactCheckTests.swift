import FeatureStore
import Foundation
import ModelRegistry
import Testing

/// The structural checks of each format (until the inference module loads
/// them): real files pass, damaged or mislabelled files are refused with a
/// message naming the file and what was expected.
@Suite struct ArtifactCheckTests {
    let validator = StructuralArtifactValidator()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestRegistry.fixture(name))))
    }

    static let fixtures: [(String, ModelFormat)] = [
        ("xgb_binary.json", .xgboostJSON), ("lgb_binary.txt", .lightgbmText),
        ("linear_logistic.json", .linearJSON), ("sk_logreg.onnx", .onnx),
    ]

    @Test func realModelsPass() throws {
        for (file, format) in Self.fixtures {
            let summary = try validator.validate(try Self.bytes(file), format: format, fileName: file)
            #expect(summary.inputCount == 2, "\(file)")
        }
        let xgb = try validator.validate(try Self.bytes("xgb_binary.json"), format: .xgboostJSON, fileName: "x")
        #expect(xgb.detail == "gbtree binary:logistic, 3 trees, 2 inputs")
        #expect(xgb.inputNames == ["age", "num_purchases"])
        let lgb = try validator.validate(try Self.bytes("lgb_binary.txt"), format: .lightgbmText, fileName: "x")
        #expect(lgb.detail == "binary sigmoid:1, 3 trees, 2 inputs")
        let onnx = try validator.validate(try Self.bytes("sk_logreg.onnx"), format: .onnx, fileName: "x")
        #expect(onnx.detail.hasPrefix("onnx, inputs X, ops "), "\(onnx.detail)")
    }

    @Test func aFileOfAnotherFormatSaysWhichItLooksLike() throws {
        for (file, actual) in Self.fixtures {
            for (_, claimed) in Self.fixtures where claimed != actual {
                let message = thrownMessage { _ = try validator.validate(try Self.bytes(file), format: claimed, fileName: file) }
                #expect(message?.hasPrefix("\(file): not ") == true, "\(file) as \(claimed): \(message ?? "accepted")")
                #expect(message?.hasSuffix("(use --format \(actual.rawValue))") == true,
                        "\(file) as \(claimed): \(message ?? "accepted")")
            }
        }
    }

    func refused(_ text: String, _ format: ModelFormat, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        refused(Array(text.utf8), format, expected, sourceLocation: sourceLocation)
    }

    func refused(_ bytes: [UInt8], _ format: ModelFormat, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(thrownMessage { _ = try validator.validate(bytes, format: format, fileName: "m") } == expected,
                sourceLocation: sourceLocation)
    }

    @Test func damagedXGBoostFiles() throws {
        let good = String(decoding: try Self.bytes("xgb_binary.json"), as: UTF8.self)
        let expect = "expected the JSON file XGBoost's booster.save_model(\"model.json\") writes"
        refused(String(good.prefix(500)), .xgboostJSON,
                "m: not an XGBoost JSON model: invalid JSON at line 1, column 501: unterminated string; \(expect)")
        refused("{\"version\": [3, 2, 0]}", .xgboostJSON, "m: not an XGBoost JSON model: no 'learner' object at the top level; \(expect)")
        refused(good.replacingOccurrences(of: "\"gbtree\"", with: "\"gblinear\""), .xgboostJSON,
                "m: not an XGBoost JSON model: gradient booster 'gblinear' is not supported (expected 'gbtree'); \(expect)")
        refused(good.replacingOccurrences(of: "\"num_feature\":\"2\"", with: "\"num_feature\":\"1\""), .xgboostJSON,
                "m: not an XGBoost JSON model: tree 0: node 0 splits on feature 1, but the model has 1 features; \(expect)")
        refused([UInt8(ascii: "{"), UInt8(ascii: "L"), 0, 0, 0, 0, 0, 0, 0, 7], .xgboostJSON,
                "m: not an XGBoost JSON model: it is UBJSON, not JSON (save the model with a .json file name); \(expect)")
    }

    @Test func damagedLightGBMFiles() throws {
        let good = String(decoding: try Self.bytes("lgb_binary.txt"), as: UTF8.self)
        let expect = "expected the text file LightGBM's booster.save_model(\"model.txt\") writes"
        let truncated = String(good[..<good.range(of: "end of trees")!.lowerBound])
        refused(truncated, .lightgbmText, "m: not a LightGBM text model: no 'end of trees' line (is the file truncated?); \(expect)")
        refused(good.replacingOccurrences(of: "max_feature_idx=1", with: "max_feature_idx=2"), .lightgbmText,
                "m: not a LightGBM text model: 'feature_names' lists 2 names, but max_feature_idx=2 means 3; \(expect)")
        refused(good.replacingOccurrences(of: "objective=", with: "objectiv="), .lightgbmText,
                "m: not a LightGBM text model: the header has no 'objective=' line; \(expect)")
        refused("hello\n", .lightgbmText, "m: not a LightGBM text model: the first line is not 'tree'; \(expect)")
        refused([0xff, 0xfe, 0x00], .lightgbmText, "m: not a LightGBM text model: it is not UTF-8 text; \(expect)")
        let firstLeaves = good.range(of: "left_child=2 -2 -1")!
        refused(good.replacingCharacters(in: firstLeaves, with: "left_child=2 -2"), .lightgbmText,
                "m: not a LightGBM text model: Tree=0: 'left_child' has 2 values, expected 3 for num_leaves=4; \(expect)")
    }

    @Test func damagedLinearFiles() {
        let expect = "expected the linear-json document of docs/registry.md"
        refused("[1, 2]", .linearJSON, "m: not a linear-json model: the top level is an array, expected an object; \(expect)")
        refused("{\"coefficients\": [1, 2]}", .linearJSON,
                "m: not a linear-json model: no 'intercept' (a number, or one per coefficient row); \(expect)")
        refused("{\"coefficients\": [1, \"2\"], \"intercept\": 0}", .linearJSON,
                "m: not a linear-json model: 'coefficients'[1] is a string, expected a number; \(expect)")
        refused("{\"coefficients\": [[1, 2], [3]], \"intercept\": [0, 0]}", .linearJSON,
                "m: not a linear-json model: 'coefficients' rows differ in length or are empty; \(expect)")
        refused("{\"coefficients\": [[1, 2], [3, 4]], \"intercept\": 0}", .linearJSON,
                "m: not a linear-json model: 'intercept' has 1 values for 2 coefficient rows; \(expect)")
        refused("{\"coefficients\": [1], \"intercept\": 0, \"link\": \"probit\"}", .linearJSON,
                "m: not a linear-json model: 'link' must be \"identity\", \"logistic\" or \"softmax\"; \(expect)")
    }

    @Test func damagedONNXFiles() throws {
        let good = try Self.bytes("sk_logreg.onnx")
        let expect = "expected a serialized ONNX ModelProto (as skl2onnx writes it)"
        let truncated = thrownMessage { _ = try validator.validate(Array(good.prefix(good.count - 10)), format: .onnx, fileName: "m") }
        #expect(truncated?.hasPrefix("m: not an ONNX model: the file is not a valid protobuf message: byte ") == true, "\(truncated ?? "")")
        #expect(truncated?.hasSuffix(" remain; \(expect)") == true, "\(truncated ?? "")")
        refused([], .onnx, "m: not an ONNX model: the file is empty; \(expect)")
        refused([0x08, 0x08], .onnx, "m: not an ONNX model: no graph (field 7 of ModelProto); \(expect)")
        refused([0x0f], .onnx, "m: not an ONNX model: the file is not a valid protobuf message: byte 0: field 1 has wire type 7, which is not in use; \(expect)")
        refused("not a model at all", .onnx,
                "m: not an ONNX model: the file is not a valid protobuf message: byte 0: field 13 has wire type 6, which is not in use; \(expect)")
    }
}
