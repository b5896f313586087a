import FeatureStore
import FoundationEssentials
import NIOCore
import NIOHTTP1
import Tabular

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
            respond(context: context, status: .ok, type: "text/plain; version=0.0.4", core.metrics.exposition())
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
            self = .string(try c.decode(String.self))
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
        let request: FeastRequest
        do {
            request = try JSONDecoder().decode(FeastRequest.self, from: Data(body.readableBytesView))
        } catch {
            throw FeatureStoreError(.invalidInput, "the body is not a Feast get-online-features request: \(error)")
        }
        let counts = Set(request.entities.values.map(\.count))
        guard counts.count <= 1 else { throw FeatureStoreError(.invalidInput, "every entity key list must have the same length") }
        let n = counts.first ?? 0
        guard n <= core.config.maxEntities else {
            throw FeatureStoreError(.invalidInput, "\(n) entities in one request; the limit is \(core.config.maxEntities)")
        }
        // Keys sorted so the join-key order of the request does not matter.
        let keys = request.entities.keys.sorted()
        let entities: [[String: String]] = (0..<n).map { i in
            var row: [String: String] = [:]
            for k in keys { row[k] = request.entities[k]![i].text }
            return row
        }
        let result = try core.store.onlineFeatures(refs: request.features ?? [], services: request.feature_service.map { [$0] } ?? [],
                                                   entities: entities, fullFeatureNames: request.full_feature_names ?? false)
        return result.feastJSON()
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
