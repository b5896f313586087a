/// An error from a reader or writer, carrying where it happened and what was expected.
///
/// Its ``description`` is the one-line message a user sees:
///
/// ```text
/// events.csv:1043: column 'age': cannot parse "abc" as float64
/// events.csv: cannot open: No such file or directory
/// ```
///
/// `file` is the path exactly as the caller passed it. Long values are cut
/// to 60 characters plus `…`, and control characters are escaped, so a
/// message is always one line.
///
/// ```swift
/// do { _ = try CSVReader(path: "events.csv") }
/// catch let e where e.kind == .cannotOpen { print(e) }
/// ```
public struct TabularError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened (missing, permissions, …).
        case cannotOpen
        /// A read or write system call failed.
        case io
        /// The file has no header row (CSV).
        case emptyFile
        /// Two header columns have the same name.
        case duplicateColumn
        /// A schema column is absent from the header.
        case missingColumn
        /// A JSONL key is not in the schema.
        case unknownColumn
        /// A row is malformed: wrong field count, unterminated quote, invalid JSON.
        case malformedRow
        /// A value does not parse as its column's type.
        case invalidValue
        /// A binary file (Parquet) is truncated, corrupt or internally inconsistent.
        case malformedFile
        /// A binary file (Parquet) uses something this reader does not support
        /// (a codec, an encoding, a nested type).
        case unsupported
        /// A column's type in a binary file (Parquet) cannot be read as the type asked for.
        case typeMismatch
    }

    /// What went wrong.
    public var kind: Kind
    /// The path as given by the caller.
    public var file: String
    /// The 1-based physical line, or nil for errors about the whole file.
    public var line: Int?
    /// The column concerned, if any.
    public var column: String?
    /// The offending value as shown in the message (truncated, escaped), if any.
    public var value: String?
    /// What was expected: a type name (`float64`), `8 numbers`, …, if any.
    public var expected: String?
    /// The message after the column prefix, e.g. `cannot parse "abc" as float64`.
    public var message: String

    /// An error; `message` is the text after the `column 'x': ` prefix.
    public init(kind: Kind, file: String, line: Int? = nil, column: String? = nil,
                value: String? = nil, expected: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        self.message = message
    }

    /// The message without the `file:line: ` prefix:
    /// `column 'age': cannot parse "abc" as float64`.
    public var reason: String {
        if let column { return "column '\(column)': \(message)" }
        return message
    }

    /// `file:line: reason`, or `file: reason` for errors about the whole file.
    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }

    /// Shows a value in a message: at most 60 characters then `…`, control
    /// characters escaped (`\n`, `\r`, `\t`, `\u{1}`), invalid UTF-8 as U+FFFD.
    public static func shown<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let text = String(decoding: bytes, as: UTF8.self)
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 60 { out += "…"; break }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }
}

/// A row left out of a batch under ``InvalidRowPolicy/skip``, with why.
///
/// ```swift
/// for r in batch.rejected { print("line \(r.line): \(r.reason)") }
/// ```
public struct RejectedRow: Sendable, Equatable {
    /// The 1-based physical line where the row starts.
    public var line: Int
    /// The column whose value was bad, nil for structural errors.
    public var column: String?
    /// The bad value (truncated as in messages), nil for structural errors.
    public var value: String?
    /// The error message without the `file:line: ` prefix.
    public var reason: String
    /// The row's original text, without its line terminator.
    public var raw: String

    /// A rejected row with the given parts.
    public init(line: Int, column: String?, value: String?, reason: String, raw: String) {
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        self.raw = raw
    }

    init(_ error: TabularError, raw: String) {
        self.init(line: error.line ?? 0, column: error.column, value: error.value,
                  reason: error.reason, raw: raw)
    }
}

extension TabularError {
    /// The error for a value that did not parse; `quoted` shows the value in
    /// quotes (CSV fields, JSON strings) or bare (other JSON tokens).
    static func invalidValue(_ issue: ValueIssue, file: String, line: Int, field: Field,
                             value: UnsafeBufferPointer<UInt8>, quoted: Bool = true) -> TabularError {
        let shown = TabularError.shown(value)
        var expected = field.type.description
        var message = quoted ? "cannot parse \"\(shown)\" as \(expected)" : "cannot parse \(shown) as \(expected)"
        switch issue {
        case .invalid: break
        case .outOfRange: message += ": out of range"
        case .invalidUTF8: message += ": invalid UTF-8"
        case .invalidBase64: message += ": invalid base64"
        case .vectorLength(let got):
            if case .float32Vector(let n) = field.type { expected = "\(n) numbers" }
            message += ": expected \(expected), got \(got)"
        }
        return TabularError(kind: .invalidValue, file: file, line: line, column: field.name,
                            value: shown, expected: expected, message: message)
    }
}
