import FeatureStore

/// What a validator learned about an artifact, shown by `models show` and
/// used to check the model's feature refs.
public struct ArtifactSummary: Sendable, Equatable {
    /// How many input columns the model takes, when the file says.
    public var inputCount: Int?
    /// The input columns' names, when the file lists them.
    public var inputNames: [String]?
    /// One line: `gbtree binary:logistic, 3 trees, 2 inputs`.
    public var detail: String

    /// Makes a summary.
    public init(inputCount: Int?, inputNames: [String]?, detail: String) {
        self.inputCount = inputCount; self.inputNames = inputNames; self.detail = detail
    }
}

/// Decides at registration whether an artifact can be used: a file the
/// inference module cannot load is refused before anything is stored.
///
/// The registry's default is ``StructuralArtifactValidator``; the inference
/// module replaces it with a real load:
///
/// ```swift
/// struct LoadingValidator: ArtifactValidator {
///     func validate(_ bytes: [UInt8], format: ModelFormat, fileName: String) throws -> ArtifactSummary {
///         let model = try CompiledModel(bytes, format: format, fileName: fileName)
///         return ArtifactSummary(inputCount: model.inputCount, inputNames: nil, detail: model.summary)
///     }
/// }
/// let registry = try ModelRegistry(store: store, validator: LoadingValidator())
/// ```
public protocol ArtifactValidator: Sendable {
    /// Returns what the artifact is, or throws a ``FeatureStoreError`` of kind
    /// `invalidInput` whose message names `fileName` and says what was expected.
    func validate(_ bytes: [UInt8], format: ModelFormat, fileName: String) throws -> ArtifactSummary
}

/// Checks the **structure** of each format, until the inference module can
/// load them (issue 7 replaces this with a real load):
///
/// - `xgboost-json`: JSON with `learner.learner_model_param.num_feature`,
///   `learner.objective.name`, a `gbtree` booster whose trees have node arrays
///   of one length, children and split features in range.
/// - `lightgbm-text`: the `tree` header with `version`, `num_class`,
///   `num_tree_per_iteration`, `max_feature_idx`, `objective`,
///   `feature_names` (one per input), `Tree=` blocks whose arrays have
///   `num_leaves - 1` splits and `num_leaves` leaves, and `end of trees`.
/// - `linear-json`: JSON with numeric `coefficients` (a vector, or one row per
///   class) and a matching `intercept` (docs/registry.md).
/// - `onnx`: a protobuf `ModelProto` with `ir_version` and a `graph` that has
///   nodes, inputs and outputs.
///
/// A file that is another of the formats says so: `model.txt: not an XGBoost
/// JSON model: … (it looks like a LightGBM text model: use --format lightgbm-text)`.
public struct StructuralArtifactValidator: ArtifactValidator {
    /// Makes the validator.
    public init() {}

    /// See the type's documentation.
    public func validate(_ bytes: [UInt8], format: ModelFormat, fileName: String) throws -> ArtifactSummary {
        do {
            switch format {
            case .xgboostJSON: return try Self.xgboost(bytes)
            case .lightgbmText: return try Self.lightgbm(bytes)
            case .linearJSON: return try Self.linear(bytes)
            case .onnx: return try Self.onnx(bytes)
            }
        } catch let problem as Problem {
            var message = "\(fileName): not \(Self.article(format)): \(problem.text); "
            if let guess = Self.guess(bytes), guess != format {
                message += "it looks like \(Self.article(guess)) (use --format \(guess.rawValue))"
            } else {
                message += "expected \(Self.expectation(format))"
            }
            throw FeatureStoreError(.invalidInput, message)
        }
    }

    /// "an XGBoost JSON model", … for messages.
    static func article(_ f: ModelFormat) -> String {
        switch f {
        case .xgboostJSON: "an XGBoost JSON model"
        case .lightgbmText: "a LightGBM text model"
        case .linearJSON: "a linear-json model"
        case .onnx: "an ONNX model"
        }
    }

    /// What a file of `f` is, for messages.
    static func expectation(_ f: ModelFormat) -> String {
        switch f {
        case .xgboostJSON: "the JSON file XGBoost's booster.save_model(\"model.json\") writes"
        case .lightgbmText: "the text file LightGBM's booster.save_model(\"model.txt\") writes"
        case .linearJSON: "the linear-json document of docs/registry.md"
        case .onnx: "a serialized ONNX ModelProto (as skl2onnx writes it)"
        }
    }

    /// Which format the bytes look like, if any.
    static func guess(_ bytes: [UInt8]) -> ModelFormat? {
        if bytes.starts(with: Array("tree\n".utf8)) || bytes.starts(with: Array("tree\r\n".utf8)) { return .lightgbmText }
        if let json = try? JSONValue.parse(bytes) {
            if json["learner"] != nil { return .xgboostJSON }
            if json["coefficients"] != nil { return .linearJSON }
            return nil
        }
        if (try? onnx(bytes)) != nil { return .onnx }
        return nil
    }

    /// A structural problem, phrased to follow "not a … model: ".
    struct Problem: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    // MARK: XGBoost JSON

    static func xgboost(_ bytes: [UInt8]) throws -> ArtifactSummary {
        if bytes.count > 1, bytes[0] == UInt8(ascii: "{"), "LliUI".utf8.contains(bytes[1]) {
            throw Problem("it is UBJSON, not JSON (save the model with a .json file name)")
        }
        let root = try json(bytes)
        guard let learner = root["learner"], learner.object != nil else {
            throw Problem("no 'learner' object at the top level")
        }
        guard let params = learner["learner_model_param"], params.object != nil else {
            throw Problem("no 'learner.learner_model_param' object")
        }
        guard let features = params["num_feature"]?.integer, features > 0 else {
            throw Problem("'learner.learner_model_param.num_feature' is missing or not a positive integer")
        }
        guard let objective = learner["objective"]?["name"]?.string else {
            throw Problem("no 'learner.objective.name'")
        }
        guard let booster = learner["gradient_booster"], let kind = booster["name"]?.string else {
            throw Problem("no 'learner.gradient_booster.name'")
        }
        guard kind == "gbtree" else {
            throw Problem("gradient booster '\(kind)' is not supported (expected 'gbtree')")
        }
        guard let trees = booster["model"]?["trees"]?.array, !trees.isEmpty else {
            throw Problem("no trees in 'learner.gradient_booster.model.trees'")
        }
        if let declared = booster["model"]?["gbtree_model_param"]?["num_trees"]?.integer, declared != trees.count {
            throw Problem("'gbtree_model_param.num_trees' says \(declared) trees, the file has \(trees.count)")
        }
        if let info = booster["model"]?["tree_info"]?.array, info.count != trees.count {
            throw Problem("'tree_info' has \(info.count) entries for \(trees.count) trees")
        }
        for (t, tree) in trees.enumerated() {
            func ints(_ key: String) throws -> [Int] {
                guard let a = tree[key]?.array else { throw Problem("tree \(t): no '\(key)' array") }
                return try a.enumerated().map { i, v in
                    guard let n = v.integer else { throw Problem("tree \(t): '\(key)'[\(i)] is \(v.kindName), expected an integer") }
                    return n
                }
            }
            let left = try ints("left_children"), right = try ints("right_children"), split = try ints("split_indices")
            guard let conditions = tree["split_conditions"]?.array, let weights = tree["base_weights"]?.array else {
                throw Problem("tree \(t): no 'split_conditions' or 'base_weights' array")
            }
            let n = left.count
            guard n > 0, right.count == n, split.count == n, conditions.count == n, weights.count == n else {
                throw Problem("tree \(t): node arrays differ in length (left_children \(left.count), right_children "
                              + "\(right.count), split_indices \(split.count), split_conditions \(conditions.count), "
                              + "base_weights \(weights.count))")
            }
            for i in 0..<n where left[i] != -1 {
                guard (1..<n).contains(left[i]), (1..<n).contains(right[i]) else {
                    throw Problem("tree \(t): node \(i) has children \(left[i]) and \(right[i]), outside 1..<\(n)")
                }
                guard (0..<features).contains(split[i]) else {
                    throw Problem("tree \(t): node \(i) splits on feature \(split[i]), but the model has \(features) features")
                }
            }
        }
        let names = learner["feature_names"]?.array?.compactMap(\.string)
        if let names, !names.isEmpty, names.count != features {
            throw Problem("'learner.feature_names' has \(names.count) names for \(features) features")
        }
        return ArtifactSummary(inputCount: features, inputNames: names?.isEmpty == false ? names : nil,
                               detail: "gbtree \(objective), \(plural(trees.count, "tree")), \(plural(features, "input"))")
    }

    // MARK: LightGBM text

    static func lightgbm(_ bytes: [UInt8]) throws -> ArtifactSummary {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Problem("it is not UTF-8 text") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == "tree" else {
            throw Problem("the first line is not 'tree'")
        }
        var header: [Substring: Substring] = [:]
        var i = 1
        while i < lines.count, !lines[i].isEmpty {
            if let eq = lines[i].firstIndex(of: "=") { header[lines[i][..<eq]] = lines[i][lines[i].index(after: eq)...] }
            i += 1
        }
        for key in ["version", "num_class", "num_tree_per_iteration", "max_feature_idx", "objective", "feature_names"]
        where header[Substring(key)] == nil {
            throw Problem("the header has no '\(key)=' line")
        }
        guard let maxIndex = header["max_feature_idx"].flatMap({ Int($0) }), maxIndex >= 0 else {
            throw Problem("'max_feature_idx' is not a non-negative integer")
        }
        let names = header["feature_names"]!.split(separator: " ").map(String.init)
        guard names.count == maxIndex + 1 else {
            throw Problem("'feature_names' lists \(names.count) names, but max_feature_idx=\(maxIndex) means \(maxIndex + 1)")
        }
        // Tree blocks: `Tree=N` then key=value lines up to a blank line.
        var trees = 0
        var sawEnd = false
        while i < lines.count {
            let line = lines[i]
            if line == "end of trees" { sawEnd = true; break }
            if line.hasPrefix("Tree=") {
                var block: [Substring: Substring] = [:]
                i += 1
                while i < lines.count, !lines[i].isEmpty {
                    if let eq = lines[i].firstIndex(of: "=") { block[lines[i][..<eq]] = lines[i][lines[i].index(after: eq)...] }
                    i += 1
                }
                try checkLightGBMTree(block, name: String(line), features: maxIndex + 1)
                trees += 1
                continue
            }
            i += 1
        }
        guard trees > 0 else { throw Problem("no 'Tree=' blocks") }
        guard sawEnd else { throw Problem("no 'end of trees' line (is the file truncated?)") }
        if let sizes = header["tree_sizes"], sizes.split(separator: " ").count != trees {
            throw Problem("'tree_sizes' lists \(sizes.split(separator: " ").count) trees, the file has \(trees)")
        }
        return ArtifactSummary(inputCount: maxIndex + 1, inputNames: names,
                               detail: "\(header["objective"]!), \(plural(trees, "tree")), \(plural(maxIndex + 1, "input"))")
    }

    static func checkLightGBMTree(_ block: [Substring: Substring], name: String, features: Int) throws {
        guard let leaves = block["num_leaves"].flatMap({ Int($0) }), leaves >= 1 else {
            throw Problem("\(name): no valid 'num_leaves='")
        }
        func count(_ key: Substring) throws -> Int {
            guard let v = block[key] else { throw Problem("\(name): no '\(key)=' line") }
            return v.split(separator: " ").count
        }
        guard try count("leaf_value") == leaves else {
            throw Problem("\(name): 'leaf_value' has \(try count("leaf_value")) values for num_leaves=\(leaves)")
        }
        guard leaves > 1 else { return }
        for key: Substring in ["split_feature", "threshold", "decision_type", "left_child", "right_child"] {
            let n = try count(key)
            guard n == leaves - 1 else {
                throw Problem("\(name): '\(key)' has \(n) values, expected \(leaves - 1) for num_leaves=\(leaves)")
            }
        }
        for f in block["split_feature"]!.split(separator: " ") {
            guard let n = Int(f), (0..<features).contains(n) else {
                throw Problem("\(name): split feature '\(f)' is outside 0..<\(features)")
            }
        }
    }

    // MARK: linear-json

    static func linear(_ bytes: [UInt8]) throws -> ArtifactSummary {
        let root = try json(bytes)
        guard root.object != nil else { throw Problem("the top level is \(root.kindName), expected an object") }
        guard let coefficients = root["coefficients"]?.array, !coefficients.isEmpty else {
            throw Problem("no 'coefficients' array")
        }
        // A vector (one output), or one row per class.
        let rows: [[JSONValue]] = coefficients.allSatisfy({ $0.array != nil })
            ? coefficients.map { $0.array! } : [coefficients]
        let width = rows[0].count
        guard width > 0, rows.allSatisfy({ $0.count == width }) else {
            throw Problem("'coefficients' rows differ in length or are empty")
        }
        for (r, row) in rows.enumerated() {
            for (c, v) in row.enumerated() where v.number == nil {
                throw Problem("'coefficients'\(rows.count > 1 ? "[\(r)]" : "")[\(c)] is \(v.kindName), expected a number")
            }
        }
        let intercepts: [JSONValue]
        switch root["intercept"] {
        case .number(let x)?: intercepts = [.number(x)]
        case .array(let a)?: intercepts = a
        case nil: throw Problem("no 'intercept' (a number, or one per coefficient row)")
        case let other?: throw Problem("'intercept' is \(other.kindName), expected a number or an array of numbers")
        }
        guard intercepts.count == rows.count, intercepts.allSatisfy({ $0.number != nil }) else {
            throw Problem("'intercept' has \(intercepts.count) values for \(rows.count) coefficient rows")
        }
        if let link = root["link"] {
            guard let s = link.string, ["identity", "logistic", "softmax"].contains(s) else {
                throw Problem("'link' must be \"identity\", \"logistic\" or \"softmax\"")
            }
        }
        let names = root["feature_names"]?.array?.compactMap(\.string)
        if let names, names.count != width {
            throw Problem("'feature_names' has \(names.count) names for \(width) coefficients")
        }
        let link = root["link"]?.string ?? "identity"
        return ArtifactSummary(inputCount: width, inputNames: names,
                               detail: "linear, link \(link), \(plural(rows.count, "output")), \(plural(width, "input"))")
    }

    // MARK: ONNX

    static func onnx(_ bytes: [UInt8]) throws -> ArtifactSummary {
        func parse(_ b: ArraySlice<UInt8>, _ what: String) throws -> ProtobufMessage {
            do { return try ProtobufMessage(b) } catch { throw Problem("\(what) is not a valid protobuf message: \(error)") }
        }
        guard !bytes.isEmpty else { throw Problem("the file is empty") }
        let model = try parse(bytes[...], "the file")
        guard model.varint(1) != nil else { throw Problem("no ir_version (field 1 of ModelProto)") }
        guard let graphBytes = model.bytes(7).last else { throw Problem("no graph (field 7 of ModelProto)") }
        let graph = try parse(graphBytes, "the graph")
        let nodes = try graph.bytes(1).map { try parse($0, "a node") }
        guard !nodes.isEmpty else { throw Problem("the graph has no nodes") }
        let inputs = graph.bytes(11), outputs = graph.bytes(12)
        guard !inputs.isEmpty, !outputs.isEmpty else { throw Problem("the graph has no inputs or no outputs") }
        var ops: [String] = []
        for node in nodes {
            guard let op = node.string(4), !op.isEmpty else { throw Problem("a node has no op_type") }
            if !ops.contains(op) { ops.append(op) }
        }
        // Input width: the last dimension of the first input's tensor shape, when static.
        var width: Int?
        if let input = try? ProtobufMessage(inputs[0]),
           let type = input.bytes(2).last.flatMap({ try? ProtobufMessage($0) }),
           let tensor = type.bytes(1).last.flatMap({ try? ProtobufMessage($0) }),
           let shape = tensor.bytes(2).last.flatMap({ try? ProtobufMessage($0) }),
           let lastDim = shape.bytes(1).last.flatMap({ try? ProtobufMessage($0) }),
           let value = lastDim.varint(1), value > 0, value < 1 << 31 {
            width = Int(value)
        }
        let inputNames = inputs.compactMap { (try? ProtobufMessage($0))?.string(1) }
        return ArtifactSummary(inputCount: width, inputNames: nil,
                               detail: "onnx, inputs \(inputNames.joined(separator: ", ")), ops \(ops.joined(separator: ", "))")
    }

    // MARK: Helpers

    static func json(_ bytes: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch {
            throw Problem("invalid JSON at \(error)")
        }
    }

    static func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }
}
