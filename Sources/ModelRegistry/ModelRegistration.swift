import FeatureStore
#if canImport(Glibc)
import Glibc
#endif

/// Everything `fsctl models register` takes (SPEC 8), for
/// ``ModelRegistry/register(_:by:)``.
///
/// ```swift
/// var r = try ModelRegistration(name: "churn", artifactFile: "model.json", format: .xgboostJSON)
/// r.features = ["user_stats:age", "user_stats:num_purchases"]
/// r.trainingSet = "ts-0123456789abcdef"
/// r.metrics = ["auc": 0.91]
/// ```
public struct ModelRegistration: Sendable {
    /// The model's name (created at its first version).
    public var name: String
    /// The artifact's bytes.
    public var artifact: [UInt8]
    /// The artifact's file name, for messages and `download`.
    public var artifactName: String
    /// Its format.
    public var format: ModelFormat
    /// Feature refs the model reads, in its input-column order (`table:feature`, `table:*`, `table@N:feature`).
    public var features: [String] = []
    /// A feature service whose refs the model reads (after ``features``).
    public var service: String?
    /// The training set it was trained on (`ts-…`); must exist.
    public var trainingSet: String?
    /// Numbers quality gates check.
    public var metrics: [String: Double] = [:]
    /// Hyper-parameters.
    public var params: [String: String] = [:]
    /// Labels (mutable later).
    public var tags: [String: String] = [:]
    /// Free text (mutable later).
    public var description: String?

    /// A registration of in-memory bytes (a training job that just saved its model).
    public init(name: String, artifact: [UInt8], artifactName: String, format: ModelFormat) {
        self.name = name; self.artifact = artifact; self.artifactName = artifactName; self.format = format
    }

    /// A registration of the file at `artifactFile` (read now).
    public init(name: String, artifactFile: String, format: ModelFormat) throws {
        self.init(name: name, artifact: try Self.readFile(artifactFile), artifactName: artifactFile, format: format)
    }

    /// The whole file; errors name it.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw RegistryError.io("\(path): cannot read the artifact: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw RegistryError.io("\(path): cannot read the artifact: it is a directory")
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RegistryError.io("\(path): cannot read the artifact: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[..<n])
        }
    }

    /// Parses `k=v` pairs (`--metric auc=0.91`); `what` names the option.
    public static func pairs(_ items: [String], what: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "=") else {
                throw RegistryError.invalid("invalid \(what) '\(item)': expected KEY=VALUE")
            }
            let key = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            guard !key.isEmpty else {
                throw RegistryError.invalid("invalid \(what) '\(item)': the name before '=' is empty; expected KEY=VALUE")
            }
            try ModelName.validateKey(key, what: what)
            guard out[key] == nil else { throw RegistryError.invalid("\(what) '\(key)' is given twice") }
            out[key] = value
        }
        return out
    }

    /// Parses `k=NUMBER` pairs (`--metric auc=0.91`).
    public static func metrics(_ items: [String]) throws -> [String: Double] {
        let texts = try pairs(items, what: "metric")
        var out: [String: Double] = [:]
        for item in items {   // in the order given, so the first bad one is reported
            let key = String(item[..<item.firstIndex(of: "=")!])
            let text = texts[key]!
            guard let x = Double(text.trimmingWhitespace()), x.isFinite else {
                throw RegistryError.invalid("invalid metric '\(item)': '\(text)' is not a finite number")
            }
            out[key] = x
        }
        return out
    }
}
