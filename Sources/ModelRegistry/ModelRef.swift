import FeatureStore

/// A reference to a model version, as users write it (SPEC 8):
///
/// | written | means |
/// | --- | --- |
/// | `churn/3` | version 3 of model `churn` |
/// | `churn@production` | the version alias `production` points at |
/// | `churn` or `churn@latest` | the newest version |
///
/// ```swift
/// let ref = try ModelRef(parsing: "churn@production")
/// ref.name        // "churn"
/// ref.selector    // .alias("production")
/// ```
public struct ModelRef: Hashable, Sendable, CustomStringConvertible {
    /// Which version of the model a ref names.
    public enum Selector: Hashable, Sendable {
        /// The newest version.
        case latest
        /// A version number.
        case version(Int)
        /// The version an alias points at (its primary version, not a canary).
        case alias(String)
    }

    /// The model's name.
    public var name: String
    /// Which version.
    public var selector: Selector

    /// Makes a ref from its parts.
    public init(name: String, selector: Selector = .latest) {
        self.name = name
        self.selector = selector
    }

    /// Parses `NAME`, `NAME/V` or `NAME@ALIAS` (`NAME@latest` is `NAME`).
    ///
    /// Errors say what was expected: `model ref 'churn/x': invalid version 'x':
    /// expected a positive integer, as in 'churn/3'`.
    public init(parsing text: String) throws {
        let object = "model ref '\(text)'"
        guard !text.isEmpty else {
            throw RegistryError.invalid("empty model ref; expected NAME, NAME/VERSION or NAME@ALIAS")
        }
        if let slash = text.firstIndex(of: "/") {
            let name = String(text[..<slash])
            let digits = String(text[text.index(after: slash)...])
            try Self.validateName(name, object: object)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(digits), v > 0 else {
                throw RegistryError.invalid(
                    "\(object): invalid version '\(digits)': expected a positive integer, as in '\(name)/3'")
            }
            self.init(name: name, selector: .version(v))
        } else if let at = text.firstIndex(of: "@") {
            let name = String(text[..<at])
            let alias = String(text[text.index(after: at)...])
            try Self.validateName(name, object: object)
            if alias == ModelName.latest {
                self.init(name: name, selector: .latest)
                return
            }
            guard !alias.isEmpty else {
                throw RegistryError.invalid("\(object): missing alias after '@', as in '\(name)@production'")
            }
            do { try ModelName.validateAlias(alias) } catch let e as FeatureStoreError {
                throw RegistryError.invalid("\(object): \(e.message)")
            }
            self.init(name: name, selector: .alias(alias))
        } else {
            try Self.validateName(text, object: object)
            self.init(name: text, selector: .latest)
        }
    }

    private static func validateName(_ name: String, object: String) throws {
        guard !name.isEmpty else {
            throw RegistryError.invalid("\(object): missing model name; expected NAME, NAME/VERSION or NAME@ALIAS")
        }
        do { try ModelName.validateModel(name) } catch let e as FeatureStoreError {
            throw RegistryError.invalid("\(object): \(e.message)")
        }
    }

    /// The ref as written: `churn`, `churn/3`, `churn@production`.
    public var description: String {
        switch selector {
        case .latest: return name
        case .version(let v): return "\(name)/\(v)"
        case .alias(let a): return "\(name)@\(a)"
        }
    }
}
