/// Models made in code for the inference benchmarks, so that they need no
/// Python: a gradient-boosted ensemble in XGBoost 3.x's JSON layout with the
/// shape of the issue's reference model (100 complete trees of depth 6).
///
/// Thresholds and leaf values come from a seeded generator; the ensemble is
/// not trained, but the scorer's work per row (one root-to-leaf walk per tree,
/// a default direction per NaN, the logistic link) is the same as for a
/// trained one of that shape.
///
///     let bytes = SyntheticModels.xgboostJSON(trees: 100, depth: 6, features: 9)
///     let model = try ModelLoader.load(bytes, format: .xgboostJSON)
public enum SyntheticModels {
    /// The JSON bytes of a `binary:logistic` gbtree with `trees` complete trees of
    /// `depth` levels of splits over `features` float inputs (values in 0..<100).
    public static func xgboostJSON(trees: Int, depth: Int, features: Int, seed: UInt64 = 42) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        let nodes = (1 << (depth + 1)) - 1
        let splits = (1 << depth) - 1
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
        var treeJSON: [String] = []
        for id in 0..<trees {
            var left = [Int](), right = [Int](), parents = [Int](), index = [Int](), condition = [String](), defaultLeft = [Int]()
            for n in 0..<nodes {
                parents.append(n == 0 ? 2_147_483_647 : (n - 1) / 2)
                if n < splits {
                    left.append(2 * n + 1)
                    right.append(2 * n + 2)
                    index.append(Int(rng.next() % UInt64(features)))
                    condition.append("\(Float(rng.next() % 10_000) / 100)")
                    defaultLeft.append(Int(rng.next() & 1))
                } else {
                    left.append(-1)
                    right.append(-1)
                    index.append(0)
                    condition.append("\(Float(Int(rng.next() % 2_001) - 1_000) / 10_000)")
                    defaultLeft.append(0)
                }
            }
            let zeros = list([Int](repeating: 0, count: nodes))
            treeJSON.append("""
            {"base_weights":\(zeros),"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],\
            "default_left":\(list(defaultLeft)),"id":\(id),"left_children":\(list(left)),"loss_changes":\(zeros),\
            "parents":\(list(parents)),"right_children":\(list(right)),"split_conditions":[\(condition.joined(separator: ","))],\
            "split_indices":\(list(index)),"split_type":\(zeros),"sum_hessian":\(zeros),\
            "tree_param":{"num_deleted":"0","num_feature":"\(features)","num_nodes":"\(nodes)","size_leaf_vector":"1"}}
            """)
        }
        let names = list((0..<features).map { "\"f\($0)\"" })
        let types = list([String](repeating: "\"float\"", count: features))
        let json = """
        {"learner":{"attributes":{},"feature_names":\(names),"feature_types":\(types),\
        "gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},\
        "gbtree_model_param":{"num_parallel_tree":"1","num_trees":"\(trees)"},"iteration_indptr":\(list(Array(0...trees))),\
        "tree_info":\(list([Int](repeating: 0, count: trees))),"trees":[\(treeJSON.joined(separator: ","))]},"name":"gbtree"},\
        "learner_model_param":{"base_score":"[5E-1]","boost_from_average":"1","num_class":"0","num_feature":"\(features)","num_target":"1"},\
        "objective":{"name":"binary:logistic","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[3,0,2]}
        """
        return Array(json.utf8)
    }

    /// `rows` rows of `features` values in 0..<100, one in `missingEvery` NaN
    /// (0 = none), row-major.
    public static func rows(_ rows: Int, features: Int, missingEvery: Int = 0, seed: UInt64 = 7) -> [Double] {
        var rng = SplitMix(seed: seed)
        return (0..<rows * features).map { i in
            missingEvery > 0 && i % missingEvery == 0 ? .nan : Double(rng.next() % 100_000) / 1_000
        }
    }
}

/// SplitMix64: a small seeded generator, so benchmark inputs are the same every run.
public struct SplitMix {
    private var state: UInt64
    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
