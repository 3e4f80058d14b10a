import Foundation
import QLXCore

/// Gradient-boosted classification trees as scikit-learn's `GradientBoostingClassifier` fits
/// them with its defaults, which is what DCI (disentanglement_lib) uses: log loss, 100 stages,
/// regression trees of depth 3 on the negative gradient (squared-error splits, at least one
/// sample per leaf), learning rate 0.1, each leaf's value one Newton step. Two classes fit one
/// tree per stage on the logit; K > 2 classes fit K trees per stage on the softmax, all from
/// the gradient at the start of the stage, with scikit-learn's (K − 1)/K factor in the step.
/// The initial prediction is the log of the class priors.
///
/// Split search runs on histograms, not on sorted samples: every feature is replaced by the
/// index of its value among the training rows' sorted distinct values, and a node sums
/// (count, gradient, gradient²) per value. For codes (a few values per latent) that is one
/// pass over the node's samples instead of a sort per feature, and it is exact: the candidate
/// splits are the same (between consecutive distinct values present in the node) and so are
/// the thresholds (their midpoint).
///
/// Ties between equal-gain splits of different features go to the first feature in a random
/// order drawn at each node, as scikit-learn does; the order comes from a seeded generator,
/// so duplicated features share importance like scikit-learn's, though not bit for bit.
struct BoostedTrees {
    static let stages = 100
    static let maximumDepth = 3
    static let learningRate = 0.1

    /// One regression tree: internal nodes split on `feature` at `threshold` (left: value ≤
    /// threshold); leaves (`feature` = −1) hold the learning-rate-free step.
    struct Tree {
        var feature: [Int32] = []
        var threshold: [Double] = []
        var left: [Int32] = []
        var right: [Int32] = []
        var value: [Double] = []

        func leafValue(_ row: UnsafePointer<Double>) -> Double {
            var node = 0
            while feature[node] >= 0 {
                node = Int(row[Int(feature[node])] <= threshold[node] ? left[node] : right[node])
            }
            return value[node]
        }
    }

    let classes: Int
    /// K for K > 2 classes, 1 for two (the logit).
    let treesPerStage: Int
    let initialRaw: [Double]
    /// trees[stage * treesPerStage + k].
    var trees: [Tree] = []
    /// Impurity-based importance per feature, normalised to sum 1 (all zero when no tree split).
    var importances: [Double]
    /// Raw predictions for the training rows after the last stage, rows × treesPerStage.
    var trainingRaw: [Double]

    /// Fits on `bins` (training features as value indices) and labels in 0..<classes (every
    /// class present). `seed` orders features at each node for tie-breaking.
    init(bins: FeatureBins, labels: [Int32], classes: Int, seed: UInt64) {
        precondition(classes >= 2 && labels.count == bins.rows)
        self.classes = classes
        let n = bins.rows
        let perStage = classes == 2 ? 1 : classes
        treesPerStage = perStage
        var counts = [Double](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        // Priors clipped to float32's epsilon as scikit-learn does (a no-op when every class
        // has a sample, which the caller ensures).
        let epsilon = Double(Float.ulpOfOne)
        let priors = counts.map { min(max($0 / Double(n), epsilon), 1 - epsilon) }
        if perStage == 1 {
            initialRaw = [log(priors[1] / (1 - priors[1]))]
        } else {
            let logs = priors.map { log($0) }
            let mean = logs.reduce(0, +) / Double(classes)
            initialRaw = logs.map { $0 - mean }
        }
        var raw = [Double](repeating: 0, count: n * perStage)
        for i in 0..<n { for k in 0..<perStage { raw[i * perStage + k] = initialRaw[k] } }

        var builder = TreeBuilder(bins: bins)
        var summedImportance = [Double](repeating: 0, count: bins.features)
        var relevantTrees = 0
        var gradient = [Double](repeating: 0, count: n * perStage)
        var generator = SeededGenerator(seed: seed)
        trees.reserveCapacity(Self.stages * perStage)
        for _ in 0..<Self.stages {
            Self.negativeGradient(raw: raw, labels: labels, treesPerStage: perStage, into: &gradient)
            for k in 0..<perStage {
                let target = (0..<n).map { gradient[$0 * perStage + k] }
                var tree = builder.fit(target: target, generator: &generator)
                if tree.nodeCount > 1 {
                    relevantTrees += 1
                    for f in 0..<bins.features { summedImportance[f] += tree.importance[f] }
                }
                // Newton step per leaf: mean(y − p) / mean(p(1 − p)), with p = y − negative gradient.
                let scale = perStage == 1 ? 1 : Double(classes - 1) / Double(classes)
                for leaf in tree.leaves {
                    var numerator = 0.0, denominator = 0.0
                    for s in builder.samples[leaf.range] {
                        let i = Int(s)
                        let y: Double = perStage == 1 ? Double(labels[i]) : (Int(labels[i]) == k ? 1 : 0)
                        let g = target[i]
                        let p = y - g
                        numerator += g
                        denominator += p * (1 - p)
                    }
                    let count = Double(leaf.range.count)
                    let mean = denominator / count
                    let step = abs(mean) < 1e-150 ? 0 : (numerator / count * scale) / mean
                    tree.tree.value[leaf.node] = step
                    for s in builder.samples[leaf.range] { raw[Int(s) * perStage + k] += Self.learningRate * step }
                }
                trees.append(tree.tree)
            }
        }
        // scikit-learn: the mean over trees that split of each tree's unnormalised importance,
        // normalised to sum 1.
        let total = summedImportance.reduce(0, +)
        importances = relevantTrees > 0 && total > 0 ? summedImportance.map { $0 / total } : summedImportance.map { _ in 0 }
        trainingRaw = raw
    }

    /// y − p per row and tree: softmax for K > 2 classes, the logistic for two.
    static func negativeGradient(raw: [Double], labels: [Int32], treesPerStage: Int, into gradient: inout [Double]) {
        let n = labels.count
        if treesPerStage == 1 {
            for i in 0..<n {
                let p = 1 / (1 + exp(-raw[i]))
                gradient[i] = Double(labels[i]) - p
            }
            return
        }
        let k = treesPerStage
        var exps = [Double](repeating: 0, count: k)
        for i in 0..<n {
            var largest = -Double.infinity
            for c in 0..<k { largest = max(largest, raw[i * k + c]) }
            var sum = 0.0
            for c in 0..<k { exps[c] = exp(raw[i * k + c] - largest); sum += exps[c] }
            for c in 0..<k { gradient[i * k + c] = (Int(labels[i]) == c ? 1 : 0) - exps[c] / sum }
        }
    }

    /// The class each row of `rows` (rows × features, raw values) is predicted to be: the
    /// largest raw prediction (first on ties), or for two classes class 1 when the logit is > 0.
    func predict(rows: [Double], features: Int) -> [Int32] {
        let n = features == 0 ? 0 : rows.count / features
        var raw = [Double](repeating: 0, count: n * treesPerStage)
        rows.withUnsafeBufferPointer { rows in
            for i in 0..<n {
                let row = rows.baseAddress! + i * features
                for k in 0..<treesPerStage { raw[i * treesPerStage + k] = initialRaw[k] }
                for (t, tree) in trees.enumerated() {
                    raw[i * treesPerStage + t % treesPerStage] += Self.learningRate * tree.leafValue(row)
                }
            }
        }
        return Self.classes(of: raw, treesPerStage: treesPerStage)
    }

    var trainingPredictions: [Int32] { Self.classes(of: trainingRaw, treesPerStage: treesPerStage) }

    static func classes(of raw: [Double], treesPerStage: Int) -> [Int32] {
        let n = raw.count / treesPerStage
        if treesPerStage == 1 { return (0..<n).map { raw[$0] > 0 ? 1 : 0 } }
        return (0..<n).map { i in
            var best = 0
            for c in 1..<treesPerStage where raw[i * treesPerStage + c] > raw[i * treesPerStage + best] { best = c }
            return Int32(best)
        }
    }
}

/// Training features as indices into each feature's sorted distinct values, rows × features,
/// each index offset so that all features share one histogram.
struct FeatureBins {
    let rows: Int
    let features: Int
    /// Sorted distinct training values per feature.
    let values: [[Double]]
    /// First histogram slot of each feature; `offsets[features]` is the histogram's size.
    let offsets: [Int]
    /// rows × features global histogram slots.
    let slots: [Int32]

    /// `columns[f][i]`: feature f of training row i. Values are rounded to Float first, as
    /// scikit-learn's trees read float32 features.
    init(columns: [[Double]]) {
        features = columns.count
        rows = columns.first?.count ?? 0
        var values: [[Double]] = [], offsets = [0]
        var slots = [Int32](repeating: 0, count: rows * features)
        for (f, column) in columns.enumerated() {
            let rounded = column.map { Double(Float($0)) }
            let distinct = Array(Set(rounded)).sorted()
            var index: [Double: Int32] = [:]
            for (b, v) in distinct.enumerated() { index[v] = Int32(offsets[f] + b) }
            for i in 0..<rows { slots[i * features + f] = index[rounded[i]]! }
            values.append(distinct)
            offsets.append(offsets[f] + distinct.count)
        }
        self.values = values
        self.offsets = offsets
        self.slots = slots
    }
}

/// Grows one depth-first regression tree at a time on a reusable sample order and histogram.
struct TreeBuilder {
    struct Leaf { var node: Int; var range: Range<Int> }
    struct Grown {
        var tree: BoostedTrees.Tree
        var leaves: [Leaf]
        /// Σ over this tree's splits of n·impurity − n_l·impurity_l − n_r·impurity_r, over n.
        var importance: [Double]
        var nodeCount: Int { tree.feature.count }
    }

    let bins: FeatureBins
    /// Row indices, partitioned so that each node's rows are contiguous.
    var samples: [Int32]
    /// (count, Σg, Σg², unused) per histogram slot.
    var histogram: [SIMD4<Double>]
    var order: [Int]

    init(bins: FeatureBins) {
        self.bins = bins
        samples = (0..<bins.rows).map(Int32.init)
        histogram = [SIMD4<Double>](repeating: .zero, count: bins.offsets[bins.features])
        order = Array(0..<bins.features)
    }

    mutating func fit(target: [Double], generator: inout SeededGenerator) -> Grown {
        for i in samples.indices { samples[i] = Int32(i) }
        var grown = Grown(tree: BoostedTrees.Tree(), leaves: [], importance: [Double](repeating: 0, count: bins.features))
        var sum = 0.0, squares = 0.0
        for g in target { sum += g; squares += g * g }
        let n = Double(target.count)
        grow(range: 0..<samples.count, depth: 0, impurity: squares / n - (sum / n) * (sum / n),
             target: target, generator: &generator, into: &grown)
        let root = Double(target.count)
        for f in grown.importance.indices { grown.importance[f] /= root }
        return grown
    }

    /// Adds the node for `range` (and its subtree) to `grown`; returns its index.
    @discardableResult
    mutating func grow(range: Range<Int>, depth: Int, impurity: Double, target: [Double],
                       generator: inout SeededGenerator, into grown: inout Grown) -> Int {
        let node = grown.tree.feature.count
        grown.tree.feature.append(-1)
        grown.tree.threshold.append(0)
        grown.tree.left.append(-1)
        grown.tree.right.append(-1)
        grown.tree.value.append(0)
        // scikit-learn's leaf rules: depth, fewer than 2 samples, impurity within one epsilon
        // of zero, or no feature with two values in the node.
        guard depth < BoostedTrees.maximumDepth, range.count >= 2, impurity > Double.ulpOfOne,
              let split = bestSplit(range: range, target: target, generator: &generator) else {
            grown.leaves.append(TreeBuilder.Leaf(node: node, range: range))
            return node
        }
        let middle = partition(range: range, feature: split.feature, lastLeftSlot: split.lastLeftSlot)
        let n = Double(range.count), nLeft = Double(split.left.x), nRight = n - nLeft
        let sumRight = split.total.y - split.left.y, squaresRight = split.total.z - split.left.z
        let impurityLeft = split.left.z / nLeft - (split.left.y / nLeft) * (split.left.y / nLeft)
        let impurityRight = squaresRight / nRight - (sumRight / nRight) * (sumRight / nRight)
        grown.importance[split.feature] += n * impurity - nLeft * impurityLeft - nRight * impurityRight
        grown.tree.feature[node] = Int32(split.feature)
        grown.tree.threshold[node] = split.threshold
        let left = grow(range: range.lowerBound..<middle, depth: depth + 1, impurity: impurityLeft,
                        target: target, generator: &generator, into: &grown)
        let right = grow(range: middle..<range.upperBound, depth: depth + 1, impurity: impurityRight,
                         target: target, generator: &generator, into: &grown)
        grown.tree.left[node] = Int32(left)
        grown.tree.right[node] = Int32(right)
        return node
    }

    struct Split {
        var feature: Int
        var lastLeftSlot: Int
        var threshold: Double
        /// (count, Σg, Σg²) left of the split and in the whole node.
        var left: SIMD4<Double>
        var total: SIMD4<Double>
    }

    /// The split with the largest Σ_l²/n_l + Σ_r²/n_r (scikit-learn's proxy for the squared-error
    /// decrease): features in a random order, thresholds ascending, the first of equal gains.
    mutating func bestSplit(range: Range<Int>, target: [Double], generator: inout SeededGenerator) -> Split? {
        let features = bins.features
        let slotCount = bins.offsets[features]
        histogram.withUnsafeMutableBufferPointer { histogram in
            for s in 0..<slotCount { histogram[s] = .zero }
            bins.slots.withUnsafeBufferPointer { slots in
                samples.withUnsafeBufferPointer { samples in
                    target.withUnsafeBufferPointer { target in
                        for position in range {
                            let i = Int(samples[position])
                            let g = target[i]
                            let add = SIMD4<Double>(1, g, g * g, 0)
                            let row = slots.baseAddress! + i * features
                            for f in 0..<features { histogram[Int(row[f])] += add }
                        }
                    }
                }
            }
        }
        for i in stride(from: features - 1, to: 0, by: -1) {
            order.swapAt(i, uniformIndex(below: i + 1, using: &generator))
        }
        var best: Split?
        var bestProxy = -Double.infinity
        var total = SIMD4<Double>.zero
        for slot in bins.offsets[0]..<bins.offsets[1] { total += histogram[slot] }
        for f in order {
            let first = bins.offsets[f], end = bins.offsets[f + 1]
            var left = SIMD4<Double>.zero
            var previous = -1
            for slot in first..<end where histogram[slot].x > 0 {
                if previous >= 0 {
                    let nLeft = left.x, nRight = total.x - left.x
                    let sumRight = total.y - left.y
                    let proxy = left.y * left.y / nLeft + sumRight * sumRight / nRight
                    if proxy > bestProxy {
                        bestProxy = proxy
                        let values = bins.values[f]
                        best = Split(feature: f, lastLeftSlot: previous,
                                     threshold: values[previous - first] / 2 + values[slot - first] / 2,
                                     left: left, total: total)
                    }
                }
                left += histogram[slot]
                previous = slot
            }
        }
        return best
    }

    /// Moves the rows of `range` whose slot of `feature` is ≤ `lastLeftSlot` to its front;
    /// returns where the right part starts.
    mutating func partition(range: Range<Int>, feature: Int, lastLeftSlot: Int) -> Int {
        let features = bins.features
        var middle = range.lowerBound
        bins.slots.withUnsafeBufferPointer { slots in
            samples.withUnsafeMutableBufferPointer { samples in
                for position in range where Int(slots[Int(samples[position]) * features + feature]) <= lastLeftSlot {
                    samples.swapAt(position, middle)
                    middle += 1
                }
            }
        }
        return middle
    }
}
