import Tabular
import Yams

/// Reads a feature's `expect: {min, max, not_null, in}` and checks it fits
/// the feature's type.
struct ExpectationParser {
    static let fields = ["min", "max", "not_null", "in"]
    let source: YAMLSource
    /// The feature, as errors name it.
    let object: String?

    /// The expectation, or nil when it declares nothing (`expect: {}`), so an
    /// empty block and no block compare equal.
    func parse(_ node: Node, type: DataType) throws(CatalogError) -> Expectation? {
        let fields = try YAMLFields(node, object: object,
                                    expected: "a mapping with min, max, not_null or in", source: source)
        try fields.rejectUnknownFields(allowed: Self.fields)
        var expectation = Expectation()
        expectation.min = try bound(fields, "min", type: type)
        expectation.max = try bound(fields, "max", type: type)
        if let min = expectation.min, let max = expectation.max, min > max {
            throw CatalogError(at: source.location(of: fields["min"]), object: object,
                               "expect.min (\(ExpectLiteral.number(min))) is greater than "
                               + "expect.max (\(ExpectLiteral.number(max)))")
        }
        if let notNull = fields["not_null"] {
            guard case .bool(let flag) = YAMLScalar(notNull) else {
                throw CatalogError(at: source.location(of: notNull), object: object,
                                   "expect.not_null must be true or false, found \(YAMLSource.kind(of: notNull))")
            }
            expectation.notNull = flag
        }
        if let inNode = fields["in"] {
            expectation.allowed = try allowedValues(inNode, type: type)
        }
        return expectation.isEmpty ? nil : expectation
    }

    /// `min` or `max`: a finite number, on a numeric feature only.
    private func bound(_ fields: YAMLFields, _ key: String, type: DataType) throws(CatalogError) -> Double? {
        guard let node = fields[key] else { return nil }
        let location = source.location(of: node)
        guard type.isNumeric else {
            throw CatalogError(at: location, object: object,
                               "expect.\(key) only applies to numeric features, not \(type)")
        }
        guard case .scalar = node, let value = YAMLScalar(node).number, value.isFinite else {
            throw CatalogError(at: location, object: object,
                               "expect.\(key) must be a finite number, found \(YAMLSource.kind(of: node))")
        }
        return value
    }

    /// The `in` list: literals of the feature's type.
    private func allowedValues(_ node: Node, type: DataType) throws(CatalogError) -> [ExpectLiteral] {
        let items = try source.list(node, field: "expect.in", object: object)
        guard !items.isEmpty else {
            throw CatalogError(at: source.location(of: node), object: object, "expect.in must list at least one value")
        }
        var literals: [ExpectLiteral] = []
        for item in items {
            let location = source.location(of: item)
            let found = YAMLSource.kind(of: item)
            let scalar: YAMLScalar = if case .scalar = item { YAMLScalar(item) } else { .null }
            switch type {
            case .int32, .int64:
                guard case .int(let value) = scalar else {
                    throw CatalogError(at: location, object: object,
                                       "expect.in values must be integers for a \(type) feature, found \(found)")
                }
                if type == .int32, Int32(exactly: value) == nil {
                    throw CatalogError(at: location, object: object, "expect.in value \(value) does not fit in int32")
                }
                literals.append(.number(Double(value)))
            case .float32, .float64:
                guard let value = scalar.number, value.isFinite else {
                    throw CatalogError(at: location, object: object,
                                       "expect.in values must be numbers for a \(type) feature, found \(found)")
                }
                literals.append(.number(value))
            case .string:
                guard case .string(let value) = scalar else {
                    throw CatalogError(at: location, object: object,
                                       "expect.in values must be strings for a string feature, found \(found)"
                                       + " (quote it to make it a string)")
                }
                literals.append(.string(value))
            case .bool:
                guard case .bool(let value) = scalar else {
                    throw CatalogError(at: location, object: object,
                                       "expect.in values must be true or false for a bool feature, found \(found)")
                }
                literals.append(.bool(value))
            case .bytes, .timestamp, .float32Vector:
                throw CatalogError(at: source.location(of: node), object: object,
                                   "expect.in does not apply to \(type) features")
            }
        }
        return literals
    }
}
