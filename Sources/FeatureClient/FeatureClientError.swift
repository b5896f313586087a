import WireProtocol

/// Everything a ``FeatureClient`` call can throw: an error reply from the
/// server (with its stable ``ErrorCode`` and message, docs/wire-protocol.md
/// section 5), or a failure on the client side, always naming the server's
/// `host:port`.
///
/// ```swift
/// do {
///     _ = try await client.push(table: "user_stats", rows: rows)
/// } catch let error as FeatureClientError where error.code == .forbidden {
///     print("this token may only read:", error.message)
/// }
/// ```
public struct FeatureClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// The server answered with an error reply carrying this code.
        case server(ErrorCode)
        /// The TCP (or TLS) connection could not be made.
        case connectionFailed
        /// The connection closed (or failed) before the reply arrived.
        case connectionClosed
        /// The server sent something this client cannot decode.
        case badReply
        /// The call's arguments are wrong before anything was sent
        /// (entities of unequal lengths, a join key missing, mixed column types).
        case invalidArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// The server's message, or the client's explanation.
    public var message: String
    /// `host:port` of the server.
    public var endpoint: String
    /// The operation (`GET_ONLINE`, …), when the error is about one request.
    public var operation: String?

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String, endpoint: String, operation: String? = nil) {
        self.kind = kind; self.message = message; self.endpoint = endpoint; self.operation = operation
    }

    /// The server's stable error code, when the server sent an error reply.
    public var code: ErrorCode? {
        if case .server(let code) = kind { return code }
        return nil
    }

    /// `127.0.0.1:6570: GET_ONLINE: UNKNOWN_FEATURE_LIST (22): unknown feature list 42`.
    public var description: String {
        let op = operation.map { "\($0): " } ?? ""
        switch kind {
        case .server(let code): return "\(endpoint): \(op)\(code.name) (\(code.rawValue)): \(message)"
        case .connectionFailed: return "\(endpoint): cannot connect: \(message)"
        case .connectionClosed: return "\(endpoint): \(op)connection closed: \(message)"
        case .badReply: return "\(endpoint): \(op)bad reply: \(message)"
        case .invalidArgument: return "\(endpoint): \(op)\(message)"
        }
    }
}
