import FeatureStore
import FoundationEssentials
import NIOCore
import NIOHTTP1
import Tabular
import WireProtocol

/// The HTTP port: `GET /metrics` (Prometheus text), `GET /health`, and
/// `POST /get-online-features` in Feast's JSON shapes (docs/wire-protocol.md, 8).
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: ServerCore
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// Request bodies over this are refused with 413.
    static let maxBodyBytes = 1 << 20

    init(core: ServerCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            guard body != nil else { return }
            if body!.readableBytes + chunk.readableBytes > Self.maxBodyBytes {
                body = nil
                respond(context: context, status: .payloadTooLarge, type: "application/json",
                        Array("{\"error\":\"request body over \(Self.maxBodyBytes) bytes\"}".utf8))
                return
            }
            body!.writeBuffer(&chunk)
        case .end:
            guard let head, let body else { return }
            self.head = nil
            self.body = nil
            route(context: context, head: head, body: body)
        }
    }

    private func route(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.GET, "/metrics"):
            respond(context: context, status: .ok, type: "text/plain; version=0.0.4", core.metrics.exposition() + DriftGauges.exposition(store: core.store))
        case (.GET, "/health"):
            let draining = core.isDraining
            respond(context: context, status: draining ? .serviceUnavailable : .ok, type: "application/json",
                    Array((draining ? "{\"status\":\"draining\"}" : "{\"status\":\"serving\"}").utf8))
        case (.POST, "/get-online-features"):
            if core.config.authRequired {
                let header = head.headers.first(name: "authorization") ?? ""
                let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : nil
                guard let scope = try? core.authenticate(token), scope >= .read else {
                    respond(context: context, status: .unauthorized, type: "application/json",
                            Array("{\"error\":\"this server requires Authorization: Bearer <token>\"}".utf8))
                    return
                }
            }
            do {
                let json = try onlineFeatures(body)
                respond(context: context, status: .ok, type: "application/json", Array(json.utf8))
            } catch {
                let e = WireConversion.wireError(error)
                let status: HTTPResponseStatus = e.code == .notFound ? .notFound : (e.code == .internalError ? .internalServerError : .badRequest)
                respond(context: context, status: status, type: "application/json",
                        Array("{\"error\":\(Self.jsonString(e.message))}".utf8))
            }
        default:
            respond(context: context, status: .notFound, type: "application/json", Array("{\"error\":\"no such endpoint\"}".utf8))
        }
    }

    /// Feast's request: `{"features": [...] | "feature_service": "...", "entities": {"k": [v, ...]}, "full_feature_names": false}`.
    struct FeastRequest: Decodable {
        var features: [String]?
        var feature_service: String?
        var entities: [String: [JSONScalar]]
        var full_feature_names: Bool?
    }

    enum JSONScalar: Decodable {
        case int(Int64), double(Double), string(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int64.self) { self = .int(i); return }
            if let d = try? c.decode(Double.self) { self = .double(d); return }
            guard let s = try? c.decode(String.self) else {
                throw DecodingError.typeMismatch(JSONScalar.self, .init(codingPath: c.codingPath, debugDescription: "a number or a string"))
            }
            self = .string(s)
        }
        var text: String {
            switch self {
            case .int(let i): "\(i)"
            case .double(let d): "\(d)"
            case .string(let s): s
            }
        }
    }

    private func onlineFeatures(_ body: ByteBuffer) throws -> String {
        let request = try Self.decodeRequest(body.readableBytesView)
        let counts = Set(request.entities.values.map(\.count))
        guard counts.count <= 1 else {
            let lengths = request.entities.keys.sorted().map { "\($0): \(request.entities[$0]!.count)" }.joined(separator: ", ")
            throw FeatureStoreError(.invalidInput, "\"entities\": the key lists have different lengths (\(lengths)); "
                                    + "expected one value per entity in every list")
        }
        let n = counts.first ?? 0
        guard n <= core.config.maxEntities else {
            throw FeatureStoreError(.invalidInput, "\(n) entities in one request; the limit is \(core.config.maxEntities)")
        }
        // The same prepared lists as the binary protocol: no catalog decoding per request.
        let selection = FeatureSelection(refs: request.features ?? [], services: request.feature_service.map { [$0] } ?? [],
                                         fullFeatureNames: request.full_feature_names ?? false)
        let list = try core.lists.prepare(selection, generation: try core.store.catalogGeneration())
        let joinKeys = list.query.joinKeys
        for name in request.entities.keys.sorted() where !joinKeys.contains(where: { $0.name == name }) {
            throw FeatureStoreError(.invalidInput, "unknown join key '\(name)' (the features requested use \(joinKeys.map { "'\($0.name)'" }.joined(separator: ", ")))")
        }
        let rows: [[Value]] = try (0..<n).map { i in
            try joinKeys.map { key in
                guard let values = request.entities[key.name] else {
                    throw FeatureStoreError(.invalidInput, "missing join key '\(key.name)' in \"entities\"")
                }
                return try Self.keyValue(values[i], key, entity: i + 1)
            }
        }
        let result = try list.query.read(entities: rows)
        return result.feastJSON()
    }

    /// A JSON join-key value as the key's type (numbers given as strings are accepted, as Feast does).
    static func keyValue(_ v: JSONScalar, _ key: JoinKey, entity: Int) throws -> Value {
        let shown = if case .string(let s) = v { "\"\(s)\"" } else { v.text }
        let fail = FeatureStoreError(.invalidInput, "entity \(entity): join key '\(key.name)': \(shown) is not a valid \(key.type)")
        switch (key.type, v) {
        case (.int64, .int(let i)): return .int64(i)
        case (.int64, .string(let s)): guard let i = Int64(s) else { throw fail }; return .int64(i)
        case (.int32, .int(let i)): guard let x = Int32(exactly: i) else { throw fail }; return .int32(x)
        case (.int32, .string(let s)): guard let x = Int32(s) else { throw fail }; return .int32(x)
        case (.string, _): return .string(v.text)
        case (.bytes, .string(let s)): guard let b = Base64.decode(Array(s.utf8)) else { throw fail }; return .bytes(b)
        default: throw fail
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += " " } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, _ bytes: [UInt8]) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: type)
        headers.add(name: "content-length", value: "\(bytes.count)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
