import Testing
@testable import ModelFormats
import TestSupport

/// XGBoost models are walked in 8-byte `CompactNode`s when they fit (at most
/// 65,535 features, children at most 32,767 nodes after their parent
/// breadth first), else in `WideNode`s. Both layouts must score the same bit
/// for bit, a model at the compact fields' limits must still be compact and
/// one past them wide, and both must score as a plain walk of the trees.
@Suite struct WalkLayoutTests {
    static let fixtures = ModelFixtures.committed
    static let xgboostModels = fixtures.models.filter { $0.format == .xgboostJSON }.map(\.name)

    /// A tree as XGBoost's JSON has it: leaves have `left == -1` and their value in `threshold`.
    struct Tree {
        var left: [Int] = [], right: [Int] = [], feature: [Int] = []
        var threshold: [Float] = [], defaultLeft: [Bool] = []

        /// A complete tree of `depth` levels of splits (heap order) on `features`.
        static func complete(depth: Int, features: [Int], seed: UInt64) -> Tree {
            var rng = SeededRandom(seed: seed)
            var t = Tree()
            let splits = (1 << depth) - 1
            for n in 0..<(2 * splits + 1) {
                let split = n < splits
                t.left.append(split ? 2 * n + 1 : -1)
                t.right.append(split ? 2 * n + 2 : -1)
                t.feature.append(split ? features[rng.int(features.count)] : 0)
                t.threshold.append(split ? Float(rng.int(100)) / 10 : Float(rng.int(2_001) - 1_000) / 1_000)
                t.defaultLeft.append(split && rng.int(2) == 1)
            }
            return t
        }

        /// The parsed form `XGBoostModel` keeps (absolute indices from `base`, leaves pointing to themselves).
        func parsed(base: Int = 0) -> [XGBoostModel.Node] {
            (0..<left.count).map { i in
                if left[i] == -1 {
                    return XGBoostModel.Node(value: threshold[i], bits: XGBoostModel.leafFlag, left: Int32(base + i), right: Int32(base + i))
                }
                let bits = UInt32(feature[i]) | (defaultLeft[i] ? XGBoostModel.defaultLeftFlag : 0)
                return XGBoostModel.Node(value: threshold[i], bits: bits, left: Int32(base + left[i]), right: Int32(base + right[i]))
            }
        }

        /// XGBoost's walk, one node at a time: `x < threshold` left, NaN to the default side.
        func leaf(_ row: [Double]) -> Float {
            var i = 0
            while left[i] != -1 {
                let v = Float(row[feature[i]])
                i = (v.isNaN ? defaultLeft[i] : v < threshold[i]) ? left[i] : right[i]
            }
            return threshold[i]
        }
    }

    /// A `reg:squarederror` model (base score 0) of `trees` in XGBoost's JSON layout.
    static func json(_ trees: [Tree], features: Int) -> [UInt8] {
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
        let treeJSON = trees.enumerated().map { id, t in
            let zeros = list([Int](repeating: 0, count: t.left.count))
            return """
            {"base_weights":\(zeros),"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],\
            "default_left":\(list(t.defaultLeft.map { $0 ? 1 : 0 })),"id":\(id),"left_children":\(list(t.left)),\
            "loss_changes":\(zeros),"parents":\(zeros),"right_children":\(list(t.right)),\
            "split_conditions":\(list(t.threshold)),"split_indices":\(list(t.feature)),"split_type":\(zeros),"sum_hessian":\(zeros),\
            "tree_param":{"num_deleted":"0","num_feature":"\(features)","num_nodes":"\(t.left.count)","size_leaf_vector":"1"}}
            """
        }
        let json = """
        {"learner":{"attributes":{},"feature_names":[],"feature_types":[],\
        "gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"\(trees.count)"},\
        "iteration_indptr":\(list(Array(0...trees.count))),"tree_info":\(list([Int](repeating: 0, count: trees.count))),\
        "trees":[\(treeJSON.joined(separator: ","))]},"name":"gbtree"},\
        "learner_model_param":{"base_score":"[0E0]","boost_from_average":"1","num_class":"0","num_feature":"\(features)","num_target":"1"},\
        "objective":{"name":"reg:squarederror","reg_loss_param":{}}},"version":[3,0,2]}
        """
        return Array(json.utf8)
    }

    /// Rows of `width` values, zero but on `features`: NaN, each tree's
    /// thresholds exactly and one float32 step either side, and random values.
    static func rows(_ count: Int, width: Int, features: [Int], thresholds: [Float], seed: UInt64) -> [[Double]] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            var row = [Double](repeating: 0, count: width)
            for f in features {
                let t = thresholds[rng.int(thresholds.count)]
                switch rng.int(5) {
                case 0: row[f] = .nan
                case 1: row[f] = Double(t)
                case 2: row[f] = Double(t.nextUp)
                case 3: row[f] = Double(t.nextDown)
                default: row[f] = Double(rng.int(12_000)) / 1_000 - 1
                }
            }
            return row
        }
    }

    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    /// Every row of `rows` scored by `model` one at a time and as one batch
    /// must be the sum of the trees' leaves (plain walk), bit for bit.
    static func expectPlainScores(_ model: any LoadedModel, _ trees: [Tree], _ rows: [[Double]]) {
        let expected = rows.map { row in Double(trees.reduce(Float(0)) { $0 + $1.leaf(row) }) }
        let single = rows.flatMap { model.predict($0) }
        let batch = model.predict(batch: rows.flatMap { $0 }, rows: rows.count)
        #expect(bits(single) == bits(expected))
        #expect(bits(batch) == bits(expected))
    }

    @Test(arguments: xgboostModels)
    func bothLayoutsScoreTheFixturesAlike(_ name: String) throws {
        let fixture = Self.fixtures.model(name)
        let bytes = try Self.fixtures.bytes(fixture.file)
        let compact = try XGBoostModel(json: bytes)
        let wide = try XGBoostModel(json: bytes, layout: .wide)
        #expect(compact.compact != nil && compact.wide == nil)
        #expect(wide.compact == nil && wide.wide != nil)
        let n = Self.fixtures.count
        #expect(Self.bits(compact.predict(batch: Self.fixtures.values, rows: n))
                == Self.bits(wide.predict(batch: Self.fixtures.values, rows: n)))
        for r in 0..<n {
            let row = Self.fixtures.row(r)
            #expect(Self.bits(compact.predict(row)) == Self.bits(wide.predict(row)), "\(name) row \(r)")
            #expect(compact.margins(row).map(\.bitPattern) == wide.margins(row).map(\.bitPattern), "\(name) row \(r)")
        }
    }

    @Test func childrenSitSideBySideBreadthFirst() throws {
        // Parsed depth first: 0 -> (1, 4), 1 -> (2, 3); leaves 2, 3, 4.
        var t = Tree()
        t.left = [1, 2, -1, -1, -1]; t.right = [4, 3, -1, -1, -1]; t.feature = [1, 0, 0, 0, 0]
        t.threshold = [2.5, 1, 0.25, 0.5, 0.75]; t.defaultLeft = [true, false, false, false, false]
        let layout = try #require(WalkLayout<CompactNode>(parsed: t.parsed(), roots: [0], inputCount: 2))
        // Breadth first: 0, 1, 4, 2, 3.
        #expect(layout.roots == [0])
        #expect(layout.nodes.map(\.value) == [2.5, 1, 0.75, 0.25, 0.5])
        #expect(layout.nodes.map(\.feature) == [1, 0, 2, 2, 2])    // leaves read the +inf slot (index inputCount)
        #expect(layout.nodes.map(\.offset) == [1, 2, -1, -1, -1])  // a leaf steps to itself
        #expect(layout.flags == [WalkLayout<CompactNode>.defaultLeft, 0, 0, 0, 0])
        let model = try XGBoostModel(json: Self.json([t], features: 2))
        let rows: [[Double]] = [[0, 0], [0.5, 2.5], [1, 2.4], [.nan, 1], [2, .nan], [.nan, .nan], [.infinity, -.infinity]]
        Self.expectPlainScores(model, [t], rows)
    }

    @Test func featureIndicesUpToTheCompactLimitStayCompact() throws {
        // The leaves' slot is index `inputCount`: 65,535 features are the most a UInt16 holds.
        for (width, isCompact) in [(65_535, true), (65_536, false)] {
            let features = [0, 1, width - 2, width - 1]
            let trees = (0..<6).map { Tree.complete(depth: 3, features: features, seed: UInt64(width + $0)) }
            let model = try XGBoostModel(json: Self.json(trees, features: width))
            #expect((model.compact != nil) == isCompact && (model.wide != nil) == !isCompact, "\(width) features")
            let rows = Self.rows(40, width: width, features: features, thresholds: trees.flatMap(\.threshold), seed: 3)
            Self.expectPlainScores(model, trees, rows)
        }
    }

    @Test func childOffsetsUpToTheCompactLimitStayCompact() throws {
        // Breadth first, the last split of a complete tree's widest split level
        // has its children 2 * width - 1 nodes on: 32,767 at depth 15, 65,535 at depth 16.
        let depth15 = Tree.complete(depth: 15, features: [0, 1, 2], seed: 15)
        let layout = try #require(WalkLayout<CompactNode>(parsed: depth15.parsed(), roots: [0], inputCount: 3))
        #expect(layout.nodes.map(\.offset).max() == 32_767)
        let depth16 = Tree.complete(depth: 16, features: [0, 1, 2], seed: 16)
        #expect(WalkLayout<CompactNode>(parsed: depth16.parsed(), roots: [0], inputCount: 3) == nil)
        // A model of both trees does not fit: it is walked wide, and scores as the plain walk.
        let small = Tree.complete(depth: 2, features: [0, 1, 2], seed: 2)
        let trees = [small, depth16, depth15]
        var nodes: [XGBoostModel.Node] = [], roots: [Int32] = []
        for t in trees {
            roots.append(Int32(nodes.count))
            nodes += t.parsed(base: nodes.count)
        }
        let model = XGBoostModel(inputCount: 3, kind: .regressor, featureNames: nil, objective: .regSquaredError,
                                 baseMargin: [0], nodes: nodes, roots: roots, depths: [2, 16, 15], groups: [0, 0, 0],
                                 categorySets: [], categoryWords: [])
        #expect(model.compact == nil && model.wide != nil)
        let rows = Self.rows(200, width: 3, features: [0, 1, 2], thresholds: depth16.threshold.prefix(1_000).map { $0 }, seed: 5)
        Self.expectPlainScores(model, trees, rows)
    }
}
