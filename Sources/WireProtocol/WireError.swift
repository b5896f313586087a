import NIOCore

/// The stable error codes of the wire protocol (docs/wire-protocol.md, section 5).
///
/// Codes never change meaning; new ones may be added, so a client treats an
/// unknown code as a generic error (``ErrorCode/init(rawValue:)`` keeps it).
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    /// Wraps any code, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The payload does not decode (short, trailing bytes, bad tag, bad UTF-8).
    public static let malformed = ErrorCode(rawValue: 1)
    /// The opcode is not one the server knows.
    public static let unknownOpcode = ErrorCode(rawValue: 2)
    /// No protocol version in common.
    public static let unsupportedVersion = ErrorCode(rawValue: 3)
    /// A frame's length is over the limit (the connection is closed).
    public static let frameTooLarge = ErrorCode(rawValue: 4)
    /// A request came before HELLO (the connection is closed).
    public static let handshakeRequired = ErrorCode(rawValue: 5)
    /// A frame breaks the framing rules (bad flags, a second HELLO).
    public static let protocolViolation = ErrorCode(rawValue: 6)
    /// Missing or unknown token.
    public static let unauthenticated = ErrorCode(rawValue: 10)
    /// The connection's scope is too low for the operation.
    public static let forbidden = ErrorCode(rawValue: 11)
    /// Bad values, keys, columns or options; failed expectations.
    public static let invalidArgument = ErrorCode(rawValue: 20)
    /// Unknown table, feature or service.
    public static let notFound = ErrorCode(rawValue: 21)
    /// No such prepared feature list.
    public static let unknownFeatureList = ErrorCode(rawValue: 22)
    /// The catalog changed a prepared list's columns: prepare again.
    public static let featureListStale = ErrorCode(rawValue: 23)
    /// Too many entities, rows or prepared lists.
    public static let limitExceeded = ErrorCode(rawValue: 24)
    /// PUSH on a read-only server.
    public static let readOnly = ErrorCode(rawValue: 25)
    /// An operation this server does not offer.
    public static let unsupportedOperation = ErrorCode(rawValue: 26)
    /// The store refused the write.
    public static let conflict = ErrorCode(rawValue: 27)
    /// PREDICT: the model version cannot be scored (its artifact does not load,
    /// it has no feature refs, its inputs are not numeric, or its canaries'
    /// output counts differ from the primary's).
    public static let modelNotServable = ErrorCode(rawValue: 28)
    /// The server is draining.
    public static let unavailable = ErrorCode(rawValue: 30)
    /// Anything else.
    public static let internalError = ErrorCode(rawValue: 31)

    /// Every code this version defines, for tests and documentation.
    public static let all: [ErrorCode] = [
        .malformed, .unknownOpcode, .unsupportedVersion, .frameTooLarge, .handshakeRequired, .protocolViolation,
        .unauthenticated, .forbidden, .invalidArgument, .notFound, .unknownFeatureList, .featureListStale,
        .limitExceeded, .readOnly, .unsupportedOperation, .conflict, .modelNotServable, .unavailable, .internalError,
    ]

    /// The name used in docs/wire-protocol.md (`FRAME_TOO_LARGE`), or `CODE_<n>`.
    public var name: String {
        switch rawValue {
        case 1: "MALFORMED"
        case 2: "UNKNOWN_OPCODE"
        case 3: "UNSUPPORTED_VERSION"
        case 4: "FRAME_TOO_LARGE"
        case 5: "HANDSHAKE_REQUIRED"
        case 6: "PROTOCOL_VIOLATION"
        case 10: "UNAUTHENTICATED"
        case 11: "FORBIDDEN"
        case 20: "INVALID_ARGUMENT"
        case 21: "NOT_FOUND"
        case 22: "UNKNOWN_FEATURE_LIST"
        case 23: "FEATURE_LIST_STALE"
        case 24: "LIMIT_EXCEEDED"
        case 25: "READ_ONLY"
        case 26: "UNSUPPORTED_OPERATION"
        case 27: "CONFLICT"
        case 28: "MODEL_NOT_SERVABLE"
        case 30: "UNAVAILABLE"
        case 31: "INTERNAL"
        default: "CODE_\(rawValue)"
        }
    }

    /// Same as ``name``.
    public var description: String { name }
}

/// An error that goes on the wire as an error reply: a stable code and a message.
///
/// Thrown by every decoder in this module (`MALFORMED`, `FRAME_TOO_LARGE`) and
/// by the server for refused requests; a client gets one back for every error reply.
///
/// ```swift
/// throw WireError(.notFound, "no feature table 'user_stat'")
/// ```
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The request id of the frame this error is about, when known (set by the frame decoder).
    public var requestId: UInt32
    /// The opcode of the frame this error is about, when known.
    public var opcode: Opcode

    /// An error with `code` and `message` (at most ``maxMessageBytes`` go on the wire).
    public init(_ code: ErrorCode, _ message: String, requestId: UInt32 = 0, opcode: Opcode = Opcode(rawValue: 0)) {
        self.code = code; self.message = message; self.requestId = requestId; self.opcode = opcode
    }

    /// Messages longer than this are cut on the wire.
    public static let maxMessageBytes = 4096

    /// `FRAME_TOO_LARGE: frame of 20000000 bytes …`.
    public var description: String { "\(code.name): \(message)" }

    /// A `MALFORMED` error naming what could not be read.
    static func malformed(_ what: String) -> WireError { WireError(.malformed, what) }
}

/// The payload of an error reply: `u16 code`, `str message`.
public struct ErrorReply: WireMessage, Hashable {
    public var code: ErrorCode
    public var message: String

    /// An error reply with `code` and `message`.
    public init(code: ErrorCode, message: String) { self.code = code; self.message = message }
    /// The reply for `error`.
    public init(_ error: WireError) { code = error.code; message = error.message }

    public init(from buffer: inout ByteBuffer) throws {
        code = ErrorCode(rawValue: try buffer.readWire(UInt16.self, "error code"))
        message = try buffer.readWireString("error message")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(code.rawValue)
        var text = Substring(message)
        while text.utf8.count > WireError.maxMessageBytes { text = text.dropLast() }
        buffer.writeWireString(text)
    }
}
