import Foundation
@testable import ModelFormats

/// A directory of parity fixtures written by tools/model_fixtures/generate.py:
/// models trained by XGBoost, LightGBM and scikit-learn (exported by
/// skl2onnx), adversarial rows, and each library's own predictions for them.
/// `ModelFixtures.committed` is Tests/Fixtures/models.
struct ModelFixtures {
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

    let directory: String
    let models: [Model]
    let versions: [String: String]
    /// The input rows (as doubles, row-major), their count and width.
    let values: [Double]
    let count: Int
    let width: Int

    /// The package root, from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()   // ModelFormatsTests
        url.deleteLastPathComponent()   // Tests
        url.deleteLastPathComponent()
        return url.path
    }()

    /// The fixtures committed with the tests (no Python needed).
    static let committed = try! ModelFixtures(directory: root + "/Tests/Fixtures/models")

    init(directory: String) throws {
        self.directory = directory
        let doc = try JSONSerialization.jsonObject(with: Data(try Self.read(directory + "/manifest.json"))) as! [String: Any]
        models = (doc["models"] as! [[String: Any]]).map { m in
            Model(name: m["name"] as! String, file: m["file"] as! String,
                  format: ModelFormat(rawValue: m["format"] as! String)!, kind: m["kind"] as! String,
                  predictions: m["predictions"] as! String, columns: m["columns"] as! [String],
                  precision: m["precision"] as! [String], rows: m["rows"] as! Int, exact: m["exact"] as! Bool)
        }
        versions = doc["versions"] as! [String: String]
        let (header, lines) = try Self.csv(directory + "/rows.csv")
        values = lines.flatMap { $0.map { Double($0)! } }
        count = lines.count
        width = header.count
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return Array(data)
    }

    /// A CSV of numbers with a header; "nan" is NaN.
    static func csv(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let text = String(decoding: try read(path), as: UTF8.self)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        return (header, lines)
    }

    func bytes(_ file: String) throws -> [UInt8] { try Self.read(directory + "/" + file) }

    func csv(_ file: String) throws -> (header: [String], rows: [[String]]) { try Self.csv(directory + "/" + file) }

    func row(_ i: Int) -> [Double] { Array(values[(i * width)..<((i + 1) * width)]) }

    func model(_ name: String) -> Model { models.first { $0.name == name }! }
}
