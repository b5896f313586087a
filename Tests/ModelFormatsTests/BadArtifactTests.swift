import Foundation
import Testing
@testable import ModelFormats

/// Truncated files, files of another format, garbage, and models using what
/// the scorer does not implement are refused with a `ModelFormatError` that
/// says what and where; none of them crashes or loads.
@Suite struct BadArtifactTests {
    static let fixtures = ModelFixtures.committed
    static let models = fixtures.models

    static func refuse(_ bytes: [UInt8], _ format: ModelFormat, _ what: String, mentioning: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ModelLoader.load(bytes, format: format)
            Issue.record("\(what): loaded as \(format.rawValue), expected a refusal", sourceLocation: sourceLocation)
        } catch let e as ModelFormatError {
            #expect(e.format == format, sourceLocation: sourceLocation)
            if let mentioning {
                #expect(e.description.contains(mentioning), "\(what): \(e.description)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("\(what): threw \(error), expected a ModelFormatError", sourceLocation: sourceLocation)
        }
    }

    /// Prefix lengths to try: every byte of small files, a spread of offsets of large ones.
    static func cuts(_ count: Int) -> [Int] {
        count <= 4096 ? Array(0..<count) : Array(stride(from: 0, to: count, by: max(1, count / 250))) + [count - 1, count - 2]
    }

    @Test(arguments: models.map(\.file))
    func truncatedFilesAreRefused(_ file: String) throws {
        let fixture = Self.models.first { $0.file == file }!
        var bytes = try Self.fixtures.bytes(file)
        // Whitespace or LightGBM's trailing parameter dump can go without harm:
        // cut only what the model needs.
        while let last = bytes.last, [0x20, 0x0A, 0x0D].contains(last) { bytes.removeLast() }
        var end = bytes.count
        let text = String(decoding: bytes, as: UTF8.self)
        if fixture.format == .lightgbmText, let r = text.range(of: "end of trees") {
            end = text[..<r.lowerBound].utf8.count + "end of tree".utf8.count
        }
        let full = try ModelLoader.load(bytes, format: fixture.format)
        for cut in Self.cuts(end) {
            let prefix = Array(bytes[0..<cut])
            // An ONNX file has no end marker: a cut that drops only a repeated
            // field (skl2onnx imports the default opset twice, last) leaves the
            // whole model, which must then score exactly as the full file.
            if fixture.format == .onnx, let model = try? ModelLoader.load(prefix, format: .onnx) {
                for r in 0..<50 {
                    #expect(model.predict(Self.fixtures.row(r)) == full.predict(Self.fixtures.row(r)), "\(file) cut at \(cut)")
                }
                continue
            }
            Self.refuse(prefix, fixture.format, "\(file) cut at byte \(cut)")
        }
    }

    @Test func filesOfAnotherFormatAreRefused() throws {
        for fixture in Self.models {
            let bytes = try Self.fixtures.bytes(fixture.file)
            for format in ModelFormat.allCases where format != fixture.format {
                // An skl2onnx pipeline is not a linear-json document, and so on.
                Self.refuse(bytes, format, "\(fixture.file)")
            }
        }
    }

    @Test func garbageIsRefused() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in [1, 2, 7, 64, 1000] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ -> UInt8 in
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    return UInt8(truncatingIfNeeded: state)
                }
                for format in ModelFormat.allCases { Self.refuse(bytes, format, "\(length) random bytes") }
            }
        }
        for format in ModelFormat.allCases { Self.refuse([], format, "an empty file", mentioning: "empty") }
        Self.refuse(Array("{\"learner\": 1}".utf8), .xgboostJSON, "a JSON object that is no model", mentioning: "learner")
        Self.refuse([0x7B, 0x4C, 0, 0, 0, 0, 0, 0, 0, 7], .xgboostJSON, "UBJSON", mentioning: "UBJSON")
    }

    static func edited(_ file: String, _ from: String, _ to: String) throws -> [UInt8] {
        let text = String(decoding: try Self.fixtures.bytes(file), as: UTF8.self)
        #expect(text.contains(from), "\(file) has no \(from)")
        return Array(text.replacingOccurrences(of: from, with: to).utf8)
    }

    @Test func unsupportedXGBoostModelsAreRefused() throws {
        Self.refuse(try Self.edited("xgb_binary.json", "\"binary:logistic\"", "\"rank:pairwise\""), .xgboostJSON,
                    "objective rank:pairwise", mentioning: "unsupported objective \"rank:pairwise\"")
        Self.refuse(try Self.edited("xgb_binary.json", "\"name\":\"gbtree\"", "\"name\":\"dart\""), .xgboostJSON,
                    "booster dart", mentioning: "unsupported booster \"dart\"")
        Self.refuse(try Self.edited("xgb_binary.json", "\"size_leaf_vector\":\"1\"", "\"size_leaf_vector\":\"3\""), .xgboostJSON,
                    "vector leaves", mentioning: "vector leaves")
        Self.refuse(try Self.edited("xgb_regression.json", "\"split_indices\":[", "\"split_indices\":[99,"), .xgboostJSON,
                    "an extra split index", mentioning: "split_indices")
        Self.refuse(try Self.edited("xgb_regression.json", "\"left_children\":[1,", "\"left_children\":[0,"), .xgboostJSON,
                    "a cycle", mentioning: "not a tree")
    }

    @Test func unsupportedLightGBMModelsAreRefused() throws {
        Self.refuse(try Self.edited("lgb_binary.txt", "objective=binary sigmoid:1", "objective=lambdarank"), .lightgbmText,
                    "objective lambdarank", mentioning: "unsupported objective \"lambdarank\"")
        Self.refuse(try Self.edited("lgb_regression.txt", "objective=regression", "objective=regression sqrt"), .lightgbmText,
                    "regression sqrt", mentioning: "sqrt")
        Self.refuse(try Self.edited("lgb_binary.txt", "is_linear=0", "is_linear=1"), .lightgbmText,
                    "linear trees", mentioning: "linear trees")
        Self.refuse(try Self.edited("lgb_binary.txt", "Tree=0\nnum_leaves=", "Tree=0\nnum_leaves=9"), .lightgbmText,
                    "a wrong leaf count", mentioning: "expected")
    }

    @Test func unsupportedONNXOperatorsAreRefusedByName() throws {
        // Same length, so the protobuf stays well-formed: "Relu" -> "Selu" (an ONNX op we do not run).
        var bytes = try Self.fixtures.bytes("sk_mlp.onnx")
        let relu = Array("Relu".utf8)
        var replaced = 0
        for i in 0..<(bytes.count - 3) where Array(bytes[i..<(i + 4)]) == relu {
            bytes[i] = UInt8(ascii: "S"); replaced += 1
        }
        #expect(replaced > 0)
        Self.refuse(bytes, .onnx, "Selu", mentioning: "unsupported ONNX operator 'Selu'")
        // ai.onnx.ml's tree ensemble, renamed in place of the LinearClassifier.
        var lr = try Self.fixtures.bytes("sk_logreg.onnx")
        let from = Array("LinearClassifier".utf8), to = Array("TreeEnsembleXXXX".utf8)
        for i in 0..<(lr.count - from.count) where Array(lr[i..<(i + from.count)]) == from {
            lr.replaceSubrange(i..<(i + from.count), with: to)
        }
        Self.refuse(lr, .onnx, "TreeEnsembleXXXX", mentioning: "'TreeEnsembleXXXX' (domain ai.onnx.ml)")
    }

    @Test func linearJSONSchemaErrors() {
        let good = #"{"format": "linear-json", "version": 1, "model": "linear_regression", "coefficients": [[1, 2]], "intercepts": [0.5]}"#
        #expect(throws: Never.self) { try ModelLoader.load(Array(good.utf8), format: .linearJSON) }
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"), "unsupported version 2"),
            (good.replacingOccurrences(of: "linear_regression", with: "ridge"), "unknown model \"ridge\""),
            (good.replacingOccurrences(of: "[0.5]", with: "[0.5, 1]"), "2 intercepts for 1 rows"),
            (good.replacingOccurrences(of: "[[1, 2]]", with: "[[1, 2], [3, 4]]").replacingOccurrences(of: "[0.5]", with: "[0, 1]"), "one row of coefficients"),
            (good.replacingOccurrences(of: "}", with: ", \"impute\": [1]}"), "impute: 1 values for 2 features"),
            (good.replacingOccurrences(of: "}", with: ", \"scale\": [1, 0]}"), "non-zero"),
            (good.replacingOccurrences(of: "}", with: ", \"bias\": 3}"), "unknown key \"bias\""),
            (good.replacingOccurrences(of: "\"linear-json\"", with: "\"xgboost\""), "expected \"linear-json\""),
            (good.replacingOccurrences(of: "[[1, 2]]", with: "[[1, \"2\"]]"), "coefficients[0][1]"),
        ]
        for (doc, message) in cases { Self.refuse(Array(doc.utf8), .linearJSON, doc, mentioning: message) }
    }
}
