import Foundation
import Testing

/// `fsctl models register` (artifacts of each format, --metric/--param/--tag
/// pairs, names) and `models alias set` (--canary, --require, alias names):
/// the cases ModelsTests.refusalsNameTheProblemAndChangeNothing does not pin.
extension BadInputTests {
    @Test func modelsRefuseBadArtifactsPairsAndNamesAndChangeNothing() throws {
        let box = try ModelsTests.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "2")
        try box.write("empty.json", "")
        try box.write("linear.json", #"{"intercepts": [1], "coefficients": [[1, 2]]}"#)
        let onnx = try Data(contentsOf: URL(fileURLWithPath: ModelsTests.onnx))
        try onnx.prefix(300).write(to: URL(fileURLWithPath: box.dir + "/truncated.onnx"))
        let features = ModelsTests.features
        func register(_ artifact: String, _ format: String, _ more: String...) -> [String] {
            ["models", "register", "churn", "--artifact", artifact, "--format", format] + features + more
        }
        let xgb = ModelsTests.xgb
        try box.refuses([
            (register(xgb, "xgboost-json", "--metric", "=0.8"), 2, "invalid metric '=0.8': the name before '=' is empty; expected KEY=VALUE"),
            (register(xgb, "xgboost-json", "--tag", "=x"), 2, "invalid tag '=x': the name before '=' is empty; expected KEY=VALUE"),
            (register(xgb, "xgboost-json", "--metric", "auc=inf"), 2, "invalid metric 'auc=inf': 'inf' is not a finite number"),
            (register(xgb, "xgboost-json", "--metric", "auc=1", "--metric", "auc=2"), 2, "metric 'auc' is given twice"),
            (register(xgb, "xgboost-json", "--param", "a b=1"), 2, "invalid param name 'a b': it cannot contain whitespace"),
            (register(xgb, "xgboost-json", "--tag", "noeq"), 2, "invalid tag 'noeq': expected KEY=VALUE"),
            (["models", "register", "churn/2", "--artifact", xgb, "--format", "xgboost-json"] + features, 1,
             "invalid model name 'churn/2': a name has only letters, digits, '_', '-' and '.'"),
            (register(xgb, "onnx"), 1, "\(xgb): onnx: ModelProto (byte 1): not a valid ONNX protobuf: protobuf groups are not used by ONNX; "
                                       + "it looks like an XGBoost JSON model (use --format xgboost-json)"),
            (register(xgb, "linear-json"), 1, "\(xgb): linear-json: document: missing key \"format\"; it looks like an XGBoost JSON model (use --format xgboost-json)"),
            (register("linear.json", "linear-json"), 1, "linear.json: linear-json: document: missing key \"format\""),
            (register("empty.json", "xgboost-json"), 1, "empty.json: xgboost-json: the file is empty"),
            (register(box.dir, "xgboost-json"), 1, "\(box.dir): cannot read the artifact: it is a directory"),
            (register("truncated.onnx", "onnx"), 1,
             "truncated.onnx: onnx: ModelProto (byte 36): not a valid ONNX protobuf: a field of 315 bytes runs past the end of its message (264 bytes left; truncated?)"),
            (["models", "alias", "set", "churn", "production", "1", "--canary", "2:10:3"], 2, "invalid canary '2:10:3': expected VERSION:PERCENT, as in '4:10'"),
            (["models", "alias", "set", "churn", "production", "1", "--canary", "x:10"], 2, "invalid canary 'x:10': expected VERSION:PERCENT, as in '4:10'"),
            (["models", "alias", "set", "churn", "production", "1", "--canary", "3:10"], 1, "model 'churn' has no version 3; its versions are 1, 2"),
            (["models", "alias", "set", "churn", "pro duction", "1"], 1, "invalid alias 'pro duction': a name has only letters, digits, '_' and '-'"),
            (["models", "alias", "set", "churn", "production", "1", "--require", "auc<>1"], 2,
             "invalid quality gate 'auc<>1': unknown operator '<>'; expected METRIC OP NUMBER with OP one of >=, >, <=, <, ==, != (as in 'auc>=0.85')"),
            (["models", "alias", "set", "churn", "production", "0"], 2, "VERSION must be a positive integer, not 0"),
            (["models", "show", "churn/x"], 1, "model ref 'churn/x': invalid version 'x': expected a positive integer, as in 'churn/3'"),
            (["models", "show", "churn@"], 1, "model ref 'churn@': missing alias after '@', as in 'churn@production'"),
            (["models", "download", "churn/1", "--out", "no/dir/m.json"], 1, "no/dir/m.json: cannot create: No such file or directory"),
        ])
    }
}
