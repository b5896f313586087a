extension XGBoostModel {
    /// Parses XGBoost's JSON model (`save_model("m.json")`, XGBoost 1.6–3.x layout),
    /// walked in the node layout `layout` asks for.
    convenience init(json bytes: [UInt8], layout: NodeLayout = .automatic) throws {
        let format = ModelFormat.xgboostJSON
        guard !bytes.isEmpty else { throw ModelFormatError(format, at: "", "the file is empty") }
        if bytes.count > 1 && bytes[0] == UInt8(ascii: "{") && bytes[1] == UInt8(ascii: "L") {
            throw ModelFormatError(format, at: "byte 0", "this is XGBoost's binary UBJSON format (.ubj), not JSON: save the model with a .json file name")
        }
        let root = JSONCursor(try JSONParser.parse(bytes, format: format), path: "", format: format)
        let learner = try root["learner"]
        let param = try learner["learner_model_param"]
        let numFeature = try param["num_feature"].intString()
        let numClass = try param["num_class"].intString()
        if let t = try param.optional("num_target"), try t.intString() > 1 {
            throw t.fail("multi-target models (num_target \(try t.intString())) are not supported")
        }
        guard numFeature > 0 && numFeature < (1 << 29) else { throw try param["num_feature"].fail("num_feature must be positive, found \(numFeature)") }

        let objectiveName = try learner["objective"]["name"]
        guard let objective = Objective(rawValue: try objectiveName.string()) else {
            throw objectiveName.fail("unsupported objective \"\(try objectiveName.string())\" (supported: \(Objective.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let groupCount: Int
        let kind: ModelKind
        switch objective {
        case .multiSoftprob:
            guard numClass >= 2 else { throw try param["num_class"].fail("multi:softprob needs num_class >= 2, found \(numClass)") }
            groupCount = numClass; kind = .multiclass(numClass)
        case .binaryLogistic, .regLogistic:
            groupCount = 1; kind = objective == .binaryLogistic ? .binaryClassifier : .regressor
        case .regSquaredError:
            groupCount = 1; kind = .regressor
        }
        if objective != .multiSoftprob && numClass > 1 {
            throw try param["num_class"].fail("num_class \(numClass) with objective \(objective.rawValue)")
        }

        let baseMargin = try Self.baseMargin(try param["base_score"], objective: objective, groups: groupCount)

        let booster = try learner["gradient_booster"]
        let boosterName = try booster["name"].string()
        guard boosterName == "gbtree" else {
            throw try booster["name"].fail("unsupported booster \"\(boosterName)\" (supported: gbtree)")
        }
        let model = try booster["model"]
        if let cats = try model.optional("cats"), let enc = try cats.optional("enc"), !(try enc.array().isEmpty) {
            throw enc.fail("the model re-codes categories from a pandas DataFrame (non-empty \"cats\"); train on integer category codes instead")
        }
        let trees = try model["trees"].array()
        let treeInfo = try model["tree_info"].ints()
        guard treeInfo.count == trees.count else {
            throw try model["tree_info"].fail("\(treeInfo.count) entries for \(trees.count) trees")
        }

        var featureNames: [String]?
        if let names = try learner.optional("feature_names") {
            let list = try names.strings()
            if !list.isEmpty {
                guard list.count == numFeature else { throw names.fail("\(list.count) names for \(numFeature) features") }
                featureNames = list
            }
        }

        var nodes = [Node]()
        var roots = [Int32](), groups = [Int32](), depths = [Int32]()
        var sets = [(start: Int32, count: Int32)]()
        var words = [UInt32]()
        for (t, tree) in trees.enumerated() {
            guard (0..<groupCount).contains(treeInfo[t]) else {
                throw try model["tree_info"].array()[t].fail("output group \(treeInfo[t]) outside 0..<\(groupCount)")
            }
            roots.append(Int32(nodes.count))
            groups.append(Int32(treeInfo[t]))
            depths.append(Int32(try Self.appendTree(tree, numFeature: numFeature, nodes: &nodes, sets: &sets, words: &words)))
        }
        guard nodes.count < Int(Int32.max) else { throw model.fail("too many nodes") }
        self.init(inputCount: numFeature, kind: kind, featureNames: featureNames, objective: objective,
                  baseMargin: baseMargin, nodes: nodes, roots: roots, depths: depths, groups: groups,
                  categorySets: sets, categoryWords: words, layout: layout)
    }

    /// `base_score` is stored in output (probability) space: `"[v]"`, `"[v0,v1,...]"`
    /// (3.1+) or `"v"` (older, broadcast); it passes through the objective's
    /// `ProbToMargin` (logit for logistic objectives, identity otherwise).
    static func baseMargin(_ cursor: JSONCursor, objective: Objective, groups: Int) throws -> [Float] {
        var text = try cursor.string()[...]
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values = try parts.map { part -> Float in
            guard let f = Float(part.trimmingSpaces) else { throw cursor.fail("cannot read base_score \"\(try cursor.string())\"") }
            return f
        }
        if values.count == 1 && groups > 1 { values = Array(repeating: values[0], count: groups) }
        guard values.count == groups else { throw cursor.fail("\(values.count) base scores for \(groups) outputs") }
        switch objective {
        case .binaryLogistic, .regLogistic:
            return values.map { b in
                let p = min(max(b, 1e-6 as Float), 1 - 1e-6 as Float)
                return -LibM.log(1 as Float / p - 1 as Float)
            }
        case .regSquaredError, .multiSoftprob:
            return values
        }
    }

    /// Flattens one tree, validating its arrays, into `nodes` (absolute indices);
    /// returns its depth. Leaves point to themselves, so a walk of exactly
    /// `depth` steps ends on the leaf whatever the path (no leaf test per level).
    @discardableResult
    static func appendTree(_ tree: JSONCursor, numFeature: Int, nodes: inout [Node],
                           sets: inout [(start: Int32, count: Int32)], words: inout [UInt32]) throws -> Int {
        let param = try tree["tree_param"]
        let n = try param["num_nodes"].intString()
        if let leafVector = try param.optional("size_leaf_vector"), try leafVector.intString() > 1 {
            throw leafVector.fail("vector leaves (multi-target trees) are not supported")
        }
        guard n >= 1 else { throw try param["num_nodes"].fail("a tree needs at least one node, found \(n)") }
        let left = try tree["left_children"].ints()
        let right = try tree["right_children"].ints()
        let feature = try tree["split_indices"].ints()
        let cond = try tree["split_conditions"].floats()
        let defaultLeft = try tree["default_left"].flags()
        let splitType = try tree.optional("split_type")?.ints() ?? Array(repeating: 0, count: n)
        for (key, count) in [("left_children", left.count), ("right_children", right.count), ("split_indices", feature.count),
                             ("split_conditions", cond.count), ("default_left", defaultLeft.count), ("split_type", splitType.count)]
            where count != n {
            throw try tree[key].fail("\(count) entries for num_nodes \(n)")
        }
        // Categorical node id -> its category list.
        var categories = [Int: [Int]]()
        if let catNodes = try tree.optional("categories_nodes")?.ints(), !catNodes.isEmpty {
            let segments = try tree["categories_segments"].ints()
            let sizes = try tree["categories_sizes"].ints()
            let all = try tree["categories"].ints()
            guard segments.count == catNodes.count, sizes.count == catNodes.count else {
                throw try tree["categories_segments"].fail("categories_nodes, _segments and _sizes differ in length")
            }
            for (k, node) in catNodes.enumerated() {
                let lo = segments[k], hi = segments[k] + sizes[k]
                guard lo >= 0, sizes[k] >= 0, hi <= all.count else {
                    throw try tree["categories_segments"].fail("segment \(lo)..<\(hi) outside the \(all.count) categories")
                }
                categories[node] = Array(all[lo..<hi])
            }
        }
        let base = nodes.count
        // Every node must be reached exactly once from the root (no cycles, no sharing).
        var seen = [Bool](repeating: false, count: n)
        var stack = [(0, 0)]
        var depth = 0
        seen[0] = true
        while let (i, d) = stack.popLast() {
            depth = max(depth, d)
            let l = left[i], r = right[i]
            if l == -1 && r == -1 { continue }
            for c in [l, r] {
                guard c > 0, c < n, !seen[c] else {
                    throw try tree["left_children"].fail("node \(i) has child \(c): not a tree of \(n) nodes")
                }
                seen[c] = true
                stack.append((c, d + 1))
            }
        }
        for i in 0..<n {
            let isLeaf = left[i] == -1 && right[i] == -1
            if isLeaf || !seen[i] {
                nodes.append(Node(value: cond[i], bits: leafFlag, left: Int32(base + i), right: Int32(base + i)))
                continue
            }
            guard (0..<numFeature).contains(feature[i]) else {
                throw try tree["split_indices"].fail("node \(i) splits on feature \(feature[i]), the model has \(numFeature)")
            }
            var bits = UInt32(feature[i])
            if defaultLeft[i] { bits |= defaultLeftFlag }
            var value = cond[i]
            switch splitType[i] {
            case 0:
                guard !value.isNaN else { throw try tree["split_conditions"].fail("node \(i) has a NaN threshold") }
            case 1:
                guard let list = categories[i] else {
                    throw try tree["categories_nodes"].fail("node \(i) is categorical but has no category list")
                }
                bits |= categoricalFlag
                let maxCat = list.max() ?? -1
                guard list.allSatisfy({ $0 >= 0 && $0 < 16_777_216 }) else {
                    throw try tree["categories"].fail("node \(i) has a category outside 0..<2^24")
                }
                let count = maxCat / 32 + 1
                var bitset = [UInt32](repeating: 0, count: max(count, 0))
                for c in list { bitset[c >> 5] |= 1 << UInt32(c & 31) }
                value = Float(bitPattern: UInt32(sets.count))
                sets.append((Int32(words.count), Int32(bitset.count)))
                words.append(contentsOf: bitset)
            default:
                throw try tree["split_type"].fail("node \(i) has split type \(splitType[i]) (expected 0 numerical or 1 categorical)")
            }
            nodes.append(Node(value: value, bits: bits, left: Int32(base + left[i]), right: Int32(base + right[i])))
        }
        return depth
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
