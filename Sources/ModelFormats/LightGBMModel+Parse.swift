extension LightGBMModel {
    /// Parses LightGBM's text model (`save_model("m.txt")`, format v3/v4).
    convenience init(text bytes: [UInt8]) throws {
        let format = ModelFormat.lightgbmText
        guard !bytes.isEmpty else { throw ModelFormatError(format, at: "", "the file is empty") }
        let lines = Self.lines(bytes)
        guard let first = lines.first, first.text == "tree" else {
            throw ModelFormatError(format, at: "line 1", "expected the line \"tree\" that starts a LightGBM text model, found \"\(lines.first?.text.prefix(40) ?? "")\"")
        }
        // Header: key=value lines up to the first "Tree=" line.
        var header = [String: (value: Substring, line: Int)]()
        var index = 1
        while index < lines.count, !lines[index].text.hasPrefix("Tree=") {
            let line = lines[index]
            if line.text == "end of trees" { break }
            if let eq = line.text.firstIndex(of: "=") {
                header[String(line.text[..<eq])] = (line.text[line.text.index(after: eq)...], line.number)
            }
            index += 1
        }
        func headerValue(_ key: String) throws -> (value: Substring, line: Int) {
            guard let v = header[key] else {
                throw ModelFormatError(format, at: "header", "missing \"\(key)=\" line (truncated or not a LightGBM model?)")
            }
            return v
        }
        func headerInt(_ key: String) throws -> Int {
            let v = try headerValue(key)
            guard let i = Int(v.value) else { throw ModelFormatError(format, at: "line \(v.line)", "\(key): expected an integer, found \"\(v.value)\"") }
            return i
        }
        let numClass = try headerInt("num_class")
        let perIteration = try headerInt("num_tree_per_iteration")
        let maxFeature = try headerInt("max_feature_idx")
        guard maxFeature >= 0 else { throw ModelFormatError(format, at: "line \(try headerValue("max_feature_idx").line)", "max_feature_idx must be >= 0") }
        let objectiveLine = try headerValue("objective")
        let (kind, link) = try Self.objective(objectiveLine.value, line: objectiveLine.line, numClass: numClass)
        guard perIteration == kind.outputCount else {
            throw ModelFormatError(format, at: "line \(try headerValue("num_tree_per_iteration").line)",
                                   "num_tree_per_iteration=\(perIteration) does not match objective \"\(objectiveLine.value)\"")
        }
        var featureNames: [String]?
        if let names = header["feature_names"] {
            let list = names.value.split(separator: " ").map(String.init)
            guard list.count == maxFeature + 1 else {
                throw ModelFormatError(format, at: "line \(names.line)", "\(list.count) feature names for max_feature_idx=\(maxFeature)")
            }
            featureNames = list
        }
        let averageOutput = header["average_output"] != nil || lines[1..<min(index, lines.count)].contains { $0.text == "average_output" }

        var nodes = [Node](), roots = [Int32](), depths = [Int32](), words = [UInt32]()
        var sawEnd = false
        while index < lines.count {
            let line = lines[index]
            if line.text == "end of trees" { sawEnd = true; break }
            guard line.text.hasPrefix("Tree=") else { index += 1; continue }
            var fields = [String: (value: Substring, line: Int)]()
            let treeLine = line.number
            index += 1
            while index < lines.count, !lines[index].text.isEmpty, !lines[index].text.hasPrefix("Tree="),
                  lines[index].text != "end of trees" {
                let l = lines[index]
                if let eq = l.text.firstIndex(of: "=") {
                    fields[String(l.text[..<eq])] = (l.text[l.text.index(after: eq)...], l.number)
                }
                index += 1
            }
            try Self.appendTree(fields, at: treeLine, features: maxFeature + 1,
                                nodes: &nodes, roots: &roots, depths: &depths, words: &words)
        }
        guard sawEnd else {
            throw ModelFormatError(format, at: "line \(lines.count)", "no \"end of trees\" line: the file is truncated")
        }
        guard !roots.isEmpty else { throw ModelFormatError(format, at: "", "the model has no trees") }
        guard roots.count % perIteration == 0 else {
            throw ModelFormatError(format, at: "", "\(roots.count) trees is not a multiple of num_tree_per_iteration=\(perIteration)")
        }
        self.init(inputCount: maxFeature + 1, kind: kind, featureNames: featureNames, link: link, nodes: nodes,
                  roots: roots, depths: depths, categoryWords: words, treesPerIteration: perIteration,
                  averageOutput: averageOutput)
    }

    /// The objectives implemented and their links: `binary sigmoid:S`, `regression`
    /// (L2, without `sqrt`), `multiclass num_class:K`.
    static func objective(_ text: Substring, line: Int, numClass: Int) throws -> (ModelKind, Link) {
        let tokens = text.split(separator: " ")
        let name = tokens.first.map(String.init) ?? ""
        func param(_ key: String) -> Substring? {
            tokens.dropFirst().first { $0.hasPrefix(key + ":") }.map { $0.dropFirst(key.count + 1) }
        }
        let fail = { (m: String) in ModelFormatError(.lightgbmText, at: "line \(line)", m) }
        switch name {
        case "binary":
            let s = param("sigmoid").flatMap { Double($0) } ?? 1
            guard numClass == 1 else { throw fail("objective binary with num_class=\(numClass)") }
            return (.binaryClassifier, .sigmoid(s))
        case "regression":
            if tokens.contains("sqrt") { throw fail("objective \"regression sqrt\" (square-root-transformed label) is not supported") }
            guard numClass == 1 else { throw fail("objective regression with num_class=\(numClass)") }
            return (.regressor, .identity)
        case "multiclass":
            let k = param("num_class").flatMap { Int($0) } ?? numClass
            guard k >= 2, k == numClass else { throw fail("objective multiclass with num_class \(k), header num_class=\(numClass)") }
            return (.multiclass(k), .softmax)
        default:
            throw fail("unsupported objective \"\(name)\" (supported: binary, regression, multiclass)")
        }
    }

    /// Flattens one `Tree=` block, validating its arrays: its internal nodes, then
    /// its leaves as nodes that point to themselves (so a walk of exactly the
    /// tree's depth ends on the leaf, whose `threshold` holds the leaf value).
    static func appendTree(_ fields: [String: (value: Substring, line: Int)], at treeLine: Int, features: Int,
                           nodes: inout [Node], roots: inout [Int32], depths: inout [Int32], words: inout [UInt32]) throws {
        let format = ModelFormat.lightgbmText
        func field(_ key: String) throws -> (value: Substring, line: Int) {
            guard let f = fields[key] else {
                throw ModelFormatError(format, at: "line \(treeLine)", "tree has no \"\(key)=\" line (truncated?)")
            }
            return f
        }
        func list<T>(_ key: String, count: Int, _ parse: (Substring) -> T?) throws -> [T] {
            let f = try field(key)
            var out = [T](); out.reserveCapacity(count)
            for token in f.value.split(separator: " ") {
                guard let v = parse(token) else {
                    throw ModelFormatError(format, at: "line \(f.line)", "\(key): cannot read \"\(token)\"")
                }
                out.append(v)
            }
            guard out.count == count else {
                throw ModelFormatError(format, at: "line \(f.line)", "\(key): \(out.count) values, expected \(count)")
            }
            return out
        }
        let leavesField = try field("num_leaves")
        guard let numLeaves = Int(leavesField.value), numLeaves >= 1 else {
            throw ModelFormatError(format, at: "line \(leavesField.line)", "num_leaves: expected a positive integer, found \"\(leavesField.value)\"")
        }
        if let linear = fields["is_linear"], linear.value != "0" {
            throw ModelFormatError(format, at: "line \(linear.line)", "linear trees (is_linear=1) are not supported")
        }
        let leafValues = try list("leaf_value", count: numLeaves) { Double($0) }
        let base = nodes.count
        func appendLeaves(after inner: Int) {
            for (l, value) in leafValues.enumerated() {
                let me = Int32(base + inner + l)
                nodes.append(Node(threshold: value, feature: 0, left: me, right: me, flags: leafFlag))
            }
        }
        if numLeaves == 1 {
            roots.append(Int32(base))
            depths.append(0)
            appendLeaves(after: 0)
            return
        }
        let inner = numLeaves - 1
        let splitFeature = try list("split_feature", count: inner) { Int($0) }
        let threshold = try list("threshold", count: inner) { Double($0) }
        let decisionType = try list("decision_type", count: inner) { Int($0) }
        let left = try list("left_child", count: inner) { Int($0) }
        let right = try list("right_child", count: inner) { Int($0) }
        let numCat = fields["num_cat"].flatMap { Int($0.value) } ?? 0
        var boundaries = [Int](), catWords = [UInt32]()
        if numCat > 0 {
            boundaries = try list("cat_boundaries", count: numCat + 1) { Int($0) }
            let f = try field("cat_threshold")
            catWords = try f.value.split(separator: " ").map { token in
                guard let w = UInt32(token) else {
                    throw ModelFormatError(format, at: "line \(f.line)", "cat_threshold: cannot read \"\(token)\"")
                }
                return w
            }
            guard boundaries.first == 0, boundaries.last == catWords.count, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw ModelFormatError(format, at: "line \(try field("cat_boundaries").line)", "cat_boundaries do not cover the \(catWords.count) cat_threshold words")
            }
        }
        // Every internal node and leaf reached exactly once from node 0.
        var seenNode = [Bool](repeating: false, count: inner), seenLeaf = [Bool](repeating: false, count: numLeaves)
        var stack = [(0, 1)]
        var depth = 1
        seenNode[0] = true
        while let (i, d) = stack.popLast() {
            depth = max(depth, d)
            for c in [left[i], right[i]] {
                if c >= 0 {
                    guard c < inner, !seenNode[c] else {
                        throw ModelFormatError(format, at: "line \(try field("left_child").line)", "node \(i) has child \(c): not a tree of \(numLeaves) leaves")
                    }
                    seenNode[c] = true
                    stack.append((c, d + 1))
                } else {
                    let l = ~c
                    guard l < numLeaves, !seenLeaf[l] else {
                        throw ModelFormatError(format, at: "line \(try field("left_child").line)", "node \(i) has leaf \(l): not a tree of \(numLeaves) leaves")
                    }
                    seenLeaf[l] = true
                }
            }
        }
        let wordBase = words.count
        words.append(contentsOf: catWords)
        roots.append(Int32(base))
        depths.append(Int32(depth))
        for i in 0..<inner {
            guard (0..<features).contains(splitFeature[i]) else {
                throw ModelFormatError(format, at: "line \(try field("split_feature").line)", "node \(i) splits on feature \(splitFeature[i]), the model has \(features)")
            }
            let dt = decisionType[i]
            guard (0..<256).contains(dt), (dt >> 2) & 3 != 3 else {
                throw ModelFormatError(format, at: "line \(try field("decision_type").line)", "node \(i): invalid decision_type \(dt)")
            }
            var t = threshold[i]
            if dt & 1 != 0 {
                let k = Int(t)
                guard Double(k) == t, k >= 0, k < numCat else {
                    throw ModelFormatError(format, at: "line \(try field("threshold").line)", "categorical node \(i) has threshold \(t), expected an index below num_cat=\(numCat)")
                }
                let start = UInt64(wordBase + boundaries[k]), count = UInt64(boundaries[k + 1] - boundaries[k])
                t = Double(bitPattern: start << 32 | count)
            } else if t.isNaN {
                throw ModelFormatError(format, at: "line \(try field("threshold").line)", "node \(i) has a NaN threshold")
            }
            func child(_ c: Int) -> Int32 { c >= 0 ? Int32(base + c) : Int32(base + inner + ~c) }
            nodes.append(Node(threshold: t, feature: Int32(splitFeature[i]), left: child(left[i]), right: child(right[i]),
                              flags: UInt8(dt & 0x0F)))
        }
        appendLeaves(after: inner)
    }

    /// The file's lines (without `\n` or `\r\n`), numbered from 1.
    static func lines(_ bytes: [UInt8]) -> [(text: Substring, number: Int)] {
        let text = String(decoding: bytes, as: UTF8.self)
        var out = [(text: Substring, number: Int)]()
        var n = 0
        // Split on the byte: "\r\n" is one Character in Swift.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            n += 1
            var line = Substring(raw)
            if line.utf8.last == UInt8(ascii: "\r") { line = line.dropLast() }
            out.append((line, n))
        }
        return out
    }
}
