import FeatureStore
import Testing
@testable import FeatureServer

/// `POST /get-online-features` bodies that are not Feast's request shape: the
/// error names the field and what was expected, never a DecodingError dump.
@Suite struct HTTPRequestErrorTests {
    func message(_ body: String) -> String? {
        do { _ = try HTTPHandler.decodeRequest(Array(body.utf8)); return nil } catch let e as FeatureStoreError {
            return e.message
        } catch { return "\(type(of: error)): \(error)" }
    }

    @Test func badBodiesNameTheFieldAndTheExpectedShape() {
        let shape = HTTPHandler.expectedShape
        let cases: [(String, String)] = [
            ("{", "body: not valid JSON; expected \(shape)"),
            ("", "body: not valid JSON; expected \(shape)"),
            (#"{"features": ["t:a"]}"#, "body: field 'entities': missing; expected \(shape)"),
            (#"{"features": "t:a", "entities": {}}"#, "body: field 'features': expected a list; expected \(shape)"),
            (#"{"features": ["t:a"], "entities": {"user_id": 1}}"#, "body: field 'entities.user_id': expected a list; expected \(shape)"),
            (#"{"features": ["t:a"], "entities": {"user_id": [true]}}"#, "body: field 'entities.user_id[0]': expected a number or a string; expected \(shape)"),
            (#"{"features": ["t:a"], "entities": {"user_id": [1]}, "full_feature_names": "yes"}"#,
             "body: field 'full_feature_names': expected true or false; expected \(shape)"),
            ("[1]", "body: expected an object; expected \(shape)"),
        ]
        for (body, expected) in cases {
            #expect(message(body) == expected, "\(body)")
        }
        #expect(message(#"{"feature_service": "s", "entities": {"user_id": [1, "2"]}}"#) == nil)
    }
}
