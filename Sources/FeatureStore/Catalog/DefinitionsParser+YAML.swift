import Yams

// Reading Yams nodes with errors that name the file, the line and the object.

/// A YAML scalar, classified the way YAML 1.1 resolves plain scalars
/// (`true`, `1`, `1.5`, `~`); quoted scalars are always strings.
enum YAMLScalar {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    init(_ node: Node) {
        switch node.tag.description {
        case Tag.Name.null.rawValue: self = .null
        case Tag.Name.bool.rawValue: self = node.bool.map(YAMLScalar.bool) ?? .string(node.scalar?.string ?? "")
        case Tag.Name.int.rawValue:
            if let i = node.int { self = .int(i) } else if let d = node.float { self = .float(d) } else {
                self = .string(node.scalar?.string ?? "")
            }
        case Tag.Name.float.rawValue: self = node.float.map(YAMLScalar.float) ?? .string(node.scalar?.string ?? "")
        default: self = .string(node.scalar?.string ?? "")
        }
    }

    /// The number, for ints and floats.
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }
}

/// Where nodes live, for error messages.
struct YAMLSource {
    let file: String

    func location(of node: Node?) -> SourceLocation? {
        guard let mark = node?.mark else { return nil }
        return SourceLocation(file: file, line: mark.line)
    }

    /// What a node is, for "expected a list, found a mapping" messages.
    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar:
            switch YAMLScalar(node) {
            case .null: "nothing"
            case .bool(let b): "\(b)"
            case .int, .float: "the number \(node.scalar?.string ?? "")"
            case .string(let s): "'\(s)'"
            }
        }
    }

    /// The elements of a list; null counts as an empty list.
    func list(_ node: Node, field: String, object: String?) throws(CatalogError) -> [Node] {
        switch node {
        case .sequence(let s): return Array(s)
        case .scalar where isNull(node): return []
        default:
            throw CatalogError(at: location(of: node), object: object,
                               "'\(field)' must be a list, found \(Self.kind(of: node))")
        }
    }

    func isNull(_ node: Node) -> Bool {
        if case .scalar = node, case .null = YAMLScalar(node) { return true }
        return false
    }

    /// The text of a scalar; other nodes are an error. Numbers and booleans
    /// are taken as written (`tags: {version: 2}` gives "2").
    func text(_ node: Node, field: String, object: String?) throws(CatalogError) -> String {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            throw CatalogError(at: location(of: node), object: object,
                               "'\(field)' must be a single value, found \(Self.kind(of: node))")
        }
        return scalar.string
    }

    /// A string→string map such as `tags`; keys and values must be scalars.
    func stringMap(_ node: Node, field: String, object: String?) throws(CatalogError) -> [String: String] {
        if isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else {
            throw CatalogError(at: location(of: node), object: object,
                               "'\(field)' must be a mapping of names to values, found \(Self.kind(of: node))")
        }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw CatalogError(at: location(of: keyNode), object: object,
                                   "'\(field)' keys must be single values, found \(Self.kind(of: keyNode))")
            }
            let key = keyScalar.string
            guard !isNull(valueNode) else {
                throw CatalogError(at: location(of: valueNode), object: object,
                                   "\(field) '\(key)' has no value")
            }
            result[key] = try text(valueNode, field: "\(field).\(key)", object: object)
        }
        return result
    }

    /// Turns a Yams error (syntax, duplicate key, …) into a located CatalogError.
    func error(from error: any Error) -> CatalogError {
        guard let yaml = error as? YamlError else {
            return CatalogError(at: nil, object: nil, "\(file): cannot read YAML: \(error)")
        }
        func located(_ mark: Mark, _ message: String) -> CatalogError {
            CatalogError(at: SourceLocation(file: file, line: mark.line), object: nil, message)
        }
        func describe(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context else { return problem }
            // libyaml phrases some problems as the second half of its context.
            if problem.hasPrefix("but ") { return "\(context.text), \(problem)" }
            return "\(problem) (\(context.text) at line \(context.mark.line))"
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return located(mark, "YAML syntax error: " + describe(context, problem))
        case .reader(let problem, let offset, _, let text):
            let line = offset.map { lineNumber(ofCharacterOffset: $0, in: text) }
            return CatalogError(at: line.map { SourceLocation(file: file, line: $0) }, object: nil,
                                "cannot read YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return located(context.mark, "duplicate key \(keys) in the same mapping")
        default:
            return CatalogError(at: nil, object: nil, "\(file): cannot read YAML: \(yaml)")
        }
    }

    private func lineNumber(ofCharacterOffset offset: Int, in text: String) -> Int {
        1 + text.prefix(offset).reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
    }
}

/// The fields of one YAML mapping describing an object (an entity, a table, a
/// feature …), with a check that no unknown field is present.
struct YAMLFields {
    let source: YAMLSource
    let node: Node
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    /// How errors name the object; set once its name is known.
    var object: String?

    /// Reads `node`, which must be a mapping; `expected` names what it should
    /// be in the error otherwise ("a feature table (a mapping with a 'name')").
    init(_ node: Node, object: String?, expected: String, source: YAMLSource) throws(CatalogError) {
        guard case .mapping(let mapping) = node else {
            throw CatalogError(at: source.location(of: node), object: nil,
                               "expected \(expected), found \(YAMLSource.kind(of: node))")
        }
        self.source = source
        self.node = node
        self.object = object
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            pairs.append((keyNode.scalar?.string ?? "\(keyNode)", keyNode, value))
        }
        self.pairs = pairs
    }

    /// Where the mapping starts.
    var location: SourceLocation? { source.location(of: node) }

    /// The value of `key`, or nil when it is absent or null.
    subscript(key: String) -> Node? {
        guard let value = pairs.first(where: { $0.key == key })?.value, !source.isNull(value) else { return nil }
        return value
    }

    /// Throws `unknown field 'x'` for the first key not in `allowed`.
    func rejectUnknownFields(allowed: [String]) throws(CatalogError) {
        for pair in pairs where !allowed.contains(pair.key) {
            let hint = Suggestion.hint(for: pair.key, among: allowed)
            throw CatalogError(at: source.location(of: pair.keyNode), object: object,
                               "unknown field '\(pair.key)'\(hint)")
        }
    }

    /// The `name` field, validated against ``CatalogName``.
    func name() throws(CatalogError) -> String {
        guard let node = self["name"] else {
            throw CatalogError(at: location, object: object, "missing required field 'name'")
        }
        let name = try source.text(node, field: "name", object: object)
        try CatalogName.validate(name, what: "name", at: source.location(of: node), object: object)
        return name
    }

    /// A required single-valued field.
    func requiredText(_ key: String) throws(CatalogError) -> String {
        guard let node = self[key] else {
            throw CatalogError(at: location, object: object, "missing required field '\(key)'")
        }
        return try source.text(node, field: key, object: object)
    }

    /// An optional single-valued field.
    func optionalText(_ key: String) throws(CatalogError) -> String? {
        guard let node = self[key] else { return nil }
        return try source.text(node, field: key, object: object)
    }

    /// A list field; absent or null is an empty list.
    func list(_ key: String) throws(CatalogError) -> [Node] {
        guard let node = self[key] else { return [] }
        return try source.list(node, field: key, object: object)
    }

    /// The `tags` field.
    func tags() throws(CatalogError) -> [String: String] {
        guard let node = self["tags"] else { return [:] }
        return try source.stringMap(node, field: "tags", object: object)
    }
}
