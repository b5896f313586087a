import FeatureStore
import FoundationEssentials

extension HTTPHandler {
    /// Decodes a `POST /get-online-features` body; a bad one is an error that
    /// says which field is wrong and what Feast's shape expects, never a
    /// `DecodingError` dump: `body: field 'entities': missing; expected
    /// {"features": [...] or "feature_service": "...", "entities": {"key": [values]}}`.
    static func decodeRequest(_ bytes: some Sequence<UInt8>) throws -> FeastRequest {
        do {
            return try JSONDecoder().decode(FeastRequest.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw FeatureStoreError(.invalidInput, "body: \(describe(error)); expected \(expectedShape)")
        }
    }

    static let expectedShape = #"{"features": ["table:feature", ...] or "feature_service": "name", "entities": {"join_key": [values]}}"#

    /// `field 'entities.user_id[1]': expected a number or a string` and the like.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in context.codingPath + (last.map { [$0] } ?? []) {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "field '\(path(context, key))': missing"
        case .valueNotFound(let type, let context):
            return field(path(context)) + "null where \(expected(type)) is expected"
        case .typeMismatch(let type, let context):
            return field(path(context)) + "expected \(expected(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "field '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "not a get-online-features request"
        }
    }

    private static func field(_ path: String) -> String { path.isEmpty ? "" : "field '\(path)': " }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        case is [String: [JSONScalar]].Type, is [String: Any].Type: "an object"
        case is JSONScalar.Type: "a number or a string"
        default: "a \(type)"
        }
    }
}
