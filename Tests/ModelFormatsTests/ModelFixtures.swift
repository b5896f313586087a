import Foundation
@testable import ModelFormats

/// The committed parity fixtures in Tests/Fixtures/models, written by
/// tools/model_fixtures/generate.py: models trained by XGBoost, LightGBM and
/// scikit-learn (exported by skl2onnx), adversarial rows, and each library's
/// own predictions for them.
enum ModelFixtures {
    struct Model {
        let name: String
        let file: String
        let format: ModelFormat
        let kind: String
        let predictions: String
        let columns: [String]
        let precision: [String]
        let rows: Int
        /// The tree models must match bit for bit.
        let exact: Bool
    }

    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()   // ModelFormatsTests
        url.deleteLastPathComponent()   // Tests
        return url.appendingPathComponent("Fixtures/models").path
    }()

    static func bytes(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + file) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: directory + "/" + file])
        }
        return Array(data)
    }

    static let manifest: (models: [Model], versions: [String: String]) = {
        let data = try! bytes("manifest.json")
        let doc = try! JSONSerialization.jsonObject(with: Data(data)) as! [String: Any]
        let models = (doc["models"] as! [[String: Any]]).map { m in
            Model(name: m["name"] as! String, file: m["file"] as! String,
                  format: ModelFormat(rawValue: m["format"] as! String)!, kind: m["kind"] as! String,
                  predictions: m["predictions"] as! String, columns: m["columns"] as! [String],
                  precision: m["precision"] as! [String], rows: m["rows"] as! Int, exact: m["exact"] as! Bool)
        }
        return (models, doc["versions"] as! [String: String])
    }()

    /// A CSV of numbers with a header; "nan" is NaN.
    static func csv(_ file: String) throws -> (header: [String], rows: [[String]]) {
        let text = String(decoding: try bytes(file), as: UTF8.self)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        return (header, lines)
    }

    /// The input rows (as doubles, row-major) and their count.
    static let rows: (values: [Double], count: Int, width: Int) = {
        let (header, lines) = try! csv("rows.csv")
        return (lines.flatMap { $0.map { Double($0)! } }, lines.count, header.count)
    }()

    static func row(_ i: Int) -> [Double] {
        Array(rows.values[(i * rows.width)..<((i + 1) * rows.width)])
    }
}
