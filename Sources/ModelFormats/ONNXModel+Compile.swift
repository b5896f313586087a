extension ONNXModel {
    /// Operators this scorer executes, by domain: those skl2onnx writes for
    /// imputer + scaler + LogisticRegression / LinearRegression / MLPClassifier /
    /// MLPRegressor pipelines.
    static let mlOperators: Set<String> = ["Imputer", "Scaler", "LinearClassifier", "LinearRegressor", "Normalizer",
                                           "ZipMap", "ArrayFeatureExtractor"]
    static let standardOperators: Set<String> = ["Cast", "Identity", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Tanh",
                                                 "Sigmoid", "Softmax", "Concat", "ArgMax", "Reshape"]

    /// What the compiler knows about a value.
    enum Value {
        /// A per-row value in the float or int arena.
        case float(slot: Int, width: Int, rank: Int)
        case int(slot: Int, width: Int, rank: Int)
        /// A constant (initializer).
        case constant(ONNXTensorProto)
        /// A ZipMap's output: the probabilities it wraps.
        case zipMap(of: String)
    }

    /// Parses an ONNX file and compiles its graph.
    convenience init(protobuf bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw ModelFormatError(.onnx, at: "", "the file is empty") }
        let model: ONNXModelProto
        do {
            model = try ONNXModelProto(bytes)
        } catch let e as ModelFormatError {
            throw ModelFormatError(.onnx, at: e.location, "not a valid ONNX protobuf: \(e.message)")
        }
        guard model.hasGraph, model.irVersion > 0 else {
            throw ModelFormatError(.onnx, at: "ModelProto", "no graph or ir_version: not an ONNX model")
        }
        var c = Compiler(model: model)
        try c.compile()
        self.init(inputCount: c.inputCount, kind: c.kind, steps: c.liveSteps, floatWidth: c.floatWidth, intWidth: c.intWidth,
                  inputSlot: c.inputSlot, outputSlot: c.outputSlot, outputWidth: c.outputWidth,
                  operatorNames: model.graph.nodes.map(\.opType))
    }

    /// Turns the graph into `Step`s, checking every node's operator, attributes and shapes.
    struct Compiler {
        let model: ONNXModelProto
        var values: [String: Value] = [:]
        var steps: [(step: Step?, inputs: [String], outputs: [String])] = []
        var floatWidth = 0, intWidth = 0
        var inputSlot = 0, inputCount = 0
        var kind = ModelKind.regressor
        var outputSlot = 0, outputWidth = 0
        var liveSteps: [Step] = []
        var outputName = ""

        init(model: ONNXModelProto) { self.model = model }

        func fail(_ node: ONNXNodeProto?, _ index: Int, _ message: String) -> ModelFormatError {
            guard let node else { return ModelFormatError(.onnx, at: "graph", message) }
            let label = node.name.isEmpty ? "" : " '\(node.name)'"
            return ModelFormatError(.onnx, at: "node \(index)\(label) (\(node.opType))", message)
        }

        mutating func newFloat(_ width: Int, rank: Int = 2) -> Value {
            defer { floatWidth += width }
            return .float(slot: floatWidth, width: width, rank: rank)
        }

        mutating func newInt(_ width: Int, rank: Int = 2) -> Value {
            defer { intWidth += width }
            return .int(slot: intWidth, width: width, rank: rank)
        }

        mutating func compile() throws {
            let graph = model.graph
            for (domain, version) in model.opsets where !["", "ai.onnx", "ai.onnx.ml"].contains(domain) {
                _ = version
                throw fail(nil, 0, "imports operator set \"\(domain)\"; only ai.onnx and ai.onnx.ml operators are supported")
            }
            guard model.opsets.contains(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
                throw fail(nil, 0, "the model imports no ai.onnx operator set (truncated or not an ONNX model?)")
            }
            if graph.nodes.contains(where: { $0.domain == "ai.onnx.ml" }), !model.opsets.contains(where: { $0.domain == "ai.onnx.ml" }) {
                throw fail(nil, 0, "nodes use ai.onnx.ml operators but the model does not import that operator set (truncated?)")
            }
            if graph.nodes.isEmpty { throw fail(nil, 0, "the graph has no nodes") }
            if graph.hasSparseInitializers { throw fail(nil, 0, "sparse initializers are not supported") }
            for t in graph.initializers {
                if t.isExternal { throw fail(nil, 0, "initializer \"\(t.name)\" keeps its data in an external file") }
                values[t.name] = .constant(t)
            }
            let realInputs = graph.inputs.filter { values[$0.name] == nil }
            guard realInputs.count == 1, let input = realInputs.first else {
                throw fail(nil, 0, "the graph has \(realInputs.count) inputs (\(realInputs.map(\.name).joined(separator: ", "))); supported: one float tensor [N, features]")
            }
            guard input.elementType == 1 else {
                throw fail(nil, 0, "input \"\(input.name)\" has element type \(input.elementType.map(String.init) ?? "non-tensor"); supported: float (1)")
            }
            guard input.dims.count == 2, let f = input.dims[1], f > 0 else {
                throw fail(nil, 0, "input \"\(input.name)\" must have shape [N, features] with a fixed feature count, found \(input.dims.map { $0.map(String.init) ?? "?" })")
            }
            inputCount = Int(f)
            let x = newFloat(inputCount)
            if case let .float(slot, _, _) = x { inputSlot = slot }
            values[input.name] = x

            for (index, node) in graph.nodes.enumerated() {
                try compileNode(node, index)
            }
            try chooseOutput()
            // Keep only the steps the chosen output depends on.
            var needed: Set<String> = [outputName]
            var keep = [Step]()
            for entry in steps.reversed() where entry.outputs.contains(where: needed.contains) {
                needed.formUnion(entry.inputs)
                if let s = entry.step { keep.append(s) }
            }
            liveSteps = keep.reversed()
        }

        /// The scored output: the graph's float output (probabilities of a
        /// classifier, the value of a regressor).
        mutating func chooseOutput() throws {
            var floats = [(String, Int, Int)](), hasInt = false
            for out in model.graph.outputs {
                var name = out.name
                if case .zipMap(let of)? = values[name] { name = of }
                switch values[name] {
                case let .float(slot, width, _)?: floats.append((name, slot, width))
                case .int?: hasInt = true
                case nil: throw fail(nil, 0, "graph output \"\(out.name)\" is not computed by any node")
                default: throw fail(nil, 0, "graph output \"\(out.name)\" is a constant")
                }
            }
            guard floats.count == 1, let (name, slot, width) = floats.first else {
                throw fail(nil, 0, "expected exactly one float output (probabilities or value), found \(floats.count)")
            }
            outputName = name; outputSlot = slot; outputWidth = width
            if hasInt {
                switch width {
                case 2: kind = .binaryClassifier
                case 3...: kind = .multiclass(width)
                default: throw fail(nil, 0, "a classifier's probabilities must have 2 or more columns, found \(width)")
                }
            } else {
                guard width == 1 else { throw fail(nil, 0, "regression output \"\(name)\" has \(width) columns; only one target is supported") }
                kind = .regressor
            }
        }

        // MARK: attributes

        func attr(_ node: ONNXNodeProto, _ i: Int, _ key: String) -> ONNXAttribute? { node.attributes[key] }

        func floats(_ node: ONNXNodeProto, _ i: Int, _ key: String) throws -> [Float] {
            guard case .floats(let v)? = node.attributes[key] else { throw fail(node, i, "missing float-list attribute \"\(key)\"") }
            return v
        }

        func optionalFloats(_ node: ONNXNodeProto, _ i: Int, _ key: String) throws -> [Float]? {
            switch node.attributes[key] {
            case nil: return nil
            case .floats(let v)?: return v
            default: throw fail(node, i, "attribute \"\(key)\" must be a list of floats")
            }
        }

        func int(_ node: ONNXNodeProto, _ i: Int, _ key: String, default d: Int64) throws -> Int64 {
            switch node.attributes[key] {
            case nil: return d
            case .int(let v)?: return v
            default: throw fail(node, i, "attribute \"\(key)\" must be an integer")
            }
        }

        func string(_ node: ONNXNodeProto, _ i: Int, _ key: String, default d: String) throws -> String {
            switch node.attributes[key] {
            case nil: return d
            case .string(let v)?: return v
            default: throw fail(node, i, "attribute \"\(key)\" must be a string")
            }
        }

        /// The per-row float input `k` of a node.
        func floatInput(_ node: ONNXNodeProto, _ i: Int, _ k: Int) throws -> (slot: Int, width: Int, rank: Int) {
            guard k < node.inputs.count, let v = values[node.inputs[k]] else {
                throw fail(node, i, "input \(k) \(k < node.inputs.count ? "\"\(node.inputs[k])\" " : "")is not defined by an earlier node")
            }
            guard case let .float(slot, width, rank) = v else {
                throw fail(node, i, "input \"\(node.inputs[k])\" must be a computed float tensor")
            }
            return (slot, width, rank)
        }

        func constant(_ node: ONNXNodeProto, _ i: Int, _ k: Int) -> ONNXTensorProto? {
            guard k < node.inputs.count, case .constant(let t)? = values[node.inputs[k]] else { return nil }
            return t
        }

        mutating func emit(_ step: Step?, _ node: ONNXNodeProto, _ outputs: [Value]) {
            for (name, v) in zip(node.outputs, outputs) where !name.isEmpty { values[name] = v }
            steps.append((step, node.inputs, node.outputs))
        }

        /// An output name that aliases an existing value (Identity, Reshape, same-type Cast).
        mutating func alias(_ node: ONNXNodeProto, _ v: Value) {
            emit(nil, node, [v])
        }

        // MARK: nodes

        // swiftlint:disable:next cyclomatic_complexity function_body_length
        mutating func compileNode(_ node: ONNXNodeProto, _ i: Int) throws {
            let ml = node.domain == "ai.onnx.ml"
            let standard = node.domain.isEmpty || node.domain == "ai.onnx"
            guard (ml && Self.mlOperatorsSet.contains(node.opType)) || (standard && Self.standardOperatorsSet.contains(node.opType)) else {
                let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
                throw fail(node, i, "unsupported ONNX operator '\(node.opType)' (domain \(domain)); supported: \(Self.supportedList)")
            }
            for name in node.outputs where values[name] != nil {
                throw fail(node, i, "output \"\(name)\" is defined twice")
            }
            switch node.opType {
            case "Imputer":
                let x = try floatInput(node, i, 0)
                let v = try floats(node, i, "imputed_value_floats")
                guard v.count == 1 || v.count == x.width else { throw fail(node, i, "\(v.count) imputed values for \(x.width) columns") }
                var replaced: Float = 0
                if case .float(let r)? = node.attributes["replaced_value_float"] { replaced = r }
                let out = newFloat(x.width)
                emit(.imputer(src: x.slot, dst: slot(out), width: x.width, values: v, replaced: replaced), node, [out])
            case "Scaler":
                let x = try floatInput(node, i, 0)
                let offset = try floats(node, i, "offset"), scale = try floats(node, i, "scale")
                for (name, list) in [("offset", offset), ("scale", scale)] where list.count != 1 && list.count != x.width {
                    throw fail(node, i, "\(list.count) \(name) values for \(x.width) columns")
                }
                let out = newFloat(x.width)
                emit(.scaler(src: x.slot, dst: slot(out), width: x.width, offset: offset, scale: scale), node, [out])
            case "LinearClassifier":
                let x = try floatInput(node, i, 0)
                let coef = try floats(node, i, "coefficients")
                let labels: Int
                if case .ints(let l)? = node.attributes["classlabels_ints"] { labels = l.count }
                else if case .strings(let l)? = node.attributes["classlabels_strings"] { labels = l.count }
                else { throw fail(node, i, "missing classlabels_ints or classlabels_strings") }
                guard x.width > 0, coef.count % x.width == 0 else { throw fail(node, i, "\(coef.count) coefficients for \(x.width) inputs") }
                let classes = coef.count / x.width
                guard classes >= 2, classes == labels else {
                    throw fail(node, i, "\(classes) coefficient rows for \(labels) class labels; supported: one row per class, two or more classes")
                }
                let bias = try optionalFloats(node, i, "intercepts") ?? [Float](repeating: 0, count: classes)
                guard bias.count == classes else { throw fail(node, i, "\(bias.count) intercepts for \(classes) classes") }
                let post = try postTransform(node, i)
                let label = newInt(1, rank: 1), scores = newFloat(classes)
                let step = Step.linear(src: x.slot, dst: slot(scores), inWidth: x.width, outWidth: classes, weights: coef, bias: bias, post: post)
                // The label (argmax of the scores) is only checked here, never read by scoring:
                // register the scores first so liveness keeps the step for the probabilities.
                values[node.outputs.count > 1 ? node.outputs[1] : ""] = scores
                if let l = node.outputs.first, !l.isEmpty { values[l] = label }
                steps.append((step, node.inputs, Array(node.outputs.dropFirst())))
                if let l = node.outputs.first, !l.isEmpty {
                    let index = newInt(1, rank: 1)
                    steps.append((.argmax(src: slot(scores), dstInt: slot(index), width: classes), node.outputs.count > 1 ? [node.outputs[1]] : [], [l]))
                    if case .ints(let table)? = node.attributes["classlabels_ints"] {
                        steps.append((.gather(table: table, srcInt: slot(index), dstInt: slot(label)), [l], [l]))
                    }
                }
            case "LinearRegressor":
                let x = try floatInput(node, i, 0)
                let coef = try floats(node, i, "coefficients")
                let targets = Int(try int(node, i, "targets", default: 1))
                guard targets == 1, coef.count == x.width else { throw fail(node, i, "\(coef.count) coefficients for \(targets) target(s) of \(x.width) inputs; supported: one target") }
                let bias = try optionalFloats(node, i, "intercepts") ?? [0]
                guard bias.count == 1 else { throw fail(node, i, "\(bias.count) intercepts for one target") }
                let post = try postTransform(node, i)
                guard post == .none else { throw fail(node, i, "post_transform \(post.rawValue) on a regressor is not supported") }
                let out = newFloat(1)
                emit(.linear(src: x.slot, dst: slot(out), inWidth: x.width, outWidth: 1, weights: coef, bias: bias, post: .none), node, [out])
            case "Normalizer":
                let x = try floatInput(node, i, 0)
                let name = try string(node, i, "norm", default: "MAX")
                guard let norm = Norm(rawValue: name) else { throw fail(node, i, "unknown norm \"\(name)\"") }
                let out = newFloat(x.width)
                emit(.normalizer(src: x.slot, dst: slot(out), width: x.width, norm: norm), node, [out])
            case "ZipMap":
                _ = try floatInput(node, i, 0)
                emit(nil, node, [.zipMap(of: node.inputs[0])])
            case "Identity":
                guard let v = node.inputs.first.flatMap({ values[$0] }) else { throw fail(node, i, "input is not defined by an earlier node") }
                alias(node, v)
            case "Cast":
                let to = try int(node, i, "to", default: 0)
                guard let v = node.inputs.first.flatMap({ values[$0] }) else { throw fail(node, i, "input is not defined by an earlier node") }
                switch (v, to) {
                case (.float, 1), (.int, 6), (.int, 7): alias(node, v)
                case let (.float(s, w, r), 6), let (.float(s, w, r), 7):
                    let out = newInt(w, rank: r)
                    emit(.floatToInt(src: s, dstInt: slot(out), width: w), node, [out])
                case let (.int(s, w, r), 1):
                    let out = newFloat(w, rank: r)
                    emit(.intToFloat(srcInt: s, dst: slot(out), width: w), node, [out])
                default:
                    throw fail(node, i, "Cast to element type \(to) is not supported (float 1, int32 6, int64 7)")
                }
            case "MatMul":
                let x = try floatInput(node, i, 0)
                guard let w = constant(node, i, 1), w.dataType == 1, w.dims.count == 2 else {
                    throw fail(node, i, "the second input must be a float initializer of shape [K, N]")
                }
                guard Int(w.dims[0]) == x.width, w.floats.count == w.elementCount else {
                    throw fail(node, i, "weights \(w.dims) do not fit an input of \(x.width) columns")
                }
                let out = newFloat(Int(w.dims[1]))
                emit(.matmul(src: x.slot, dst: slot(out), k: x.width, n: Int(w.dims[1]), weights: w.floats), node, [out])
            case "Add", "Sub", "Mul", "Div":
                guard node.inputs.count == 2 else { throw fail(node, i, "expects two inputs") }
                let a = try operand(node, i, 0), b = try operand(node, i, 1)
                let widths = [a, b].compactMap { if case .value(_, let w) = $0.0 { return w } else { return nil } }
                guard let width = widths.max() else { throw fail(node, i, "both inputs are constants") }
                for (o, k) in [(a, 0), (b, 1)] {
                    switch o.0 {
                    case .value(_, let w) where w != width && w != 1:
                        throw fail(node, i, "cannot broadcast input \(k) of \(w) columns to \(width)")
                    case .constant(let c) where c.count != 1 && c.count != width:
                        throw fail(node, i, "cannot broadcast constant input \(k) of \(c.count) values to \(width) columns")
                    default: break
                    }
                }
                let out = newFloat(width, rank: max(a.rank, b.rank))
                emit(.binary(BinaryOp(rawValue: node.opType)!, a: a.0, b: b.0, dst: slot(out), width: width), node, [out])
            case "Relu", "Tanh", "Sigmoid":
                let x = try floatInput(node, i, 0)
                let out = newFloat(x.width, rank: x.rank)
                emit(.unary(UnaryOp(rawValue: node.opType)!, src: x.slot, dst: slot(out), width: x.width), node, [out])
            case "Softmax":
                let x = try floatInput(node, i, 0)
                let axis = try int(node, i, "axis", default: -1)
                guard axis == -1 || axis == Int64(x.rank - 1) else { throw fail(node, i, "Softmax over axis \(axis) of a rank-\(x.rank) tensor; supported: the last axis") }
                let out = newFloat(x.width, rank: x.rank)
                emit(.softmax(src: x.slot, dst: slot(out), width: x.width), node, [out])
            case "Concat":
                let axis = try int(node, i, "axis", default: 1)
                let parts = try (0..<node.inputs.count).map { try floatInput(node, i, $0) }
                guard let rank = parts.first?.rank, parts.allSatisfy({ $0.rank == 2 }), axis == 1 || axis == -1 else {
                    throw fail(node, i, "Concat of rank-2 float tensors along axis 1 only (axis \(axis), ranks \(parts.map(\.rank)))")
                }
                let width = parts.reduce(0) { $0 + $1.width }
                let out = newFloat(width, rank: rank)
                emit(.concat(srcs: parts.map { ($0.slot, $0.width) }, dst: slot(out), width: width), node, [out])
            case "ArgMax":
                let x = try floatInput(node, i, 0)
                let axis = try int(node, i, "axis", default: 0)
                guard x.rank == 2, axis == 1 || axis == -1, try int(node, i, "select_last_index", default: 0) == 0 else {
                    throw fail(node, i, "ArgMax over the columns of a rank-2 tensor only (axis \(axis))")
                }
                let keep = try int(node, i, "keepdims", default: 1)
                let out = newInt(1, rank: keep == 0 ? 1 : 2)
                emit(.argmax(src: x.slot, dstInt: slot(out), width: x.width), node, [out])
            case "ArrayFeatureExtractor":
                // skl2onnx maps the argmax index to a class label: data is the
                // constant class list, indices one per row.
                guard let table = constant(node, i, 0), table.dims.count == 1, !table.ints.isEmpty,
                      node.inputs.count == 2, case let .int(s, w, _)? = values[node.inputs[1]], w == 1 else {
                    throw fail(node, i, "supported only as a lookup of one index per row in a constant integer class list")
                }
                let out = newInt(1)
                emit(.gather(table: table.ints, srcInt: s, dstInt: slot(out)), node, [out])
            case "Reshape":
                guard let v = node.inputs.first.flatMap({ values[$0] }), let shape = constant(node, i, 1) else {
                    throw fail(node, i, "needs a computed input and a constant shape")
                }
                let width: Int
                switch v {
                case .float(_, let w, _), .int(_, let w, _): width = w
                default: throw fail(node, i, "reshaping a constant is not supported")
                }
                let dims = shape.ints
                let ok = (dims == [-1] && width == 1) || (dims.count == 2 && (dims[0] == -1 || dims[0] == 0) && dims[1] == Int64(width))
                guard ok else { throw fail(node, i, "Reshape of [N, \(width)] to \(dims) is not supported (only [-1] for one column, or [-1, \(width)])") }
                switch v {
                case let .float(s, w, _): alias(node, .float(slot: s, width: w, rank: dims.count))
                case let .int(s, w, _): alias(node, .int(slot: s, width: w, rank: dims.count))
                default: break
                }
            default:
                throw fail(node, i, "unsupported ONNX operator '\(node.opType)'")
            }
        }

        func slot(_ v: Value) -> Int {
            switch v {
            case .float(let s, _, _), .int(let s, _, _): return s
            default: return 0
            }
        }

        func postTransform(_ node: ONNXNodeProto, _ i: Int) throws -> PostTransform {
            let name = try string(node, i, "post_transform", default: "NONE")
            guard let p = PostTransform(rawValue: name) else { throw fail(node, i, "post_transform \"\(name)\" is not supported (NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO)") }
            return p
        }

        func operand(_ node: ONNXNodeProto, _ i: Int, _ k: Int) throws -> (Operand, rank: Int) {
            if let c = constant(node, i, k) {
                guard c.dataType == 1, c.floats.count == c.elementCount else { throw fail(node, i, "constant input \(k) must be a float tensor") }
                guard c.dims.count <= 2, c.dims.count < 2 || c.dims[0] == 1 else { throw fail(node, i, "constant input \(k) of shape \(c.dims) does not broadcast along rows") }
                return (.constant(c.floats), c.dims.count)
            }
            let x = try floatInput(node, i, k)
            return (.value(slot: x.slot, width: x.width), x.rank)
        }

        static let mlOperatorsSet = ONNXModel.mlOperators
        static let standardOperatorsSet = ONNXModel.standardOperators
        static let supportedList = (ONNXModel.standardOperators.sorted() + ONNXModel.mlOperators.sorted().map { "ai.onnx.ml." + $0 })
            .joined(separator: ", ")
    }
}
