import Foundation

/// The inputs of a regression: samples × features, in the forms InfoE needs.
public enum RegressionDesign: Sendable {
    /// One-hot codes of discrete latents. Products with it are gathers and scatters instead
    /// of a dense n × features matrix product (10× fewer operations for n_v = 10).
    case oneHot(OneHotCodes)
    /// Dense row-major values (samples × features).
    case dense(values: [Double], features: Int)
    /// All-zero inputs (the null model): only the intercepts matter.
    case zeros

    var features: Int {
        switch self {
        case .oneHot(let codes): return codes.features
        case .dense(_, let features): return features
        case .zeros: return 0
        }
    }
}

/// Multinomial logistic regression as scikit-learn's LogisticRegression(penalty=None,
/// fit_intercept=True, class_weight="balanced", solver="lbfgs", max_iter=100, tol=1e-4):
/// minimises Σ_i w_{y_i} · (logsumexp(z_i) − z_{i,y_i}) / Σ_i w_{y_i} with z = X·W + b and the
/// balanced weights w_c = n / (K · n_c), starting from zero. Like scikit-learn, K ≥ 3 classes
/// use K weight columns (the softmax parameterisation) and K = 2 uses one column (the logistic
/// parameterisation; class 0's logit is pinned at 0), which changes the optimiser's path.
public struct SoftmaxRegression: Sendable {
    public let design: RegressionDesign
    public let labels: [Int32]
    public let classes: Int
    public let rows: Int
    /// Weight columns: K, or 1 for two classes.
    let freeClasses: Int
    /// Balanced weight of each class, and of each sample (its class's).
    let classWeights: [Double]
    let sampleWeights: [Double]
    let weightSum: Double

    public init(design: RegressionDesign, labels: [Int32], classes: Int) {
        precondition(classes >= 2, "a regression needs at least two classes")
        self.design = design
        self.labels = labels
        self.classes = classes
        self.rows = labels.count
        self.freeClasses = classes == 2 ? 1 : classes
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        let n = Double(labels.count)
        let classWeights = counts.map { $0 > 0 ? n / (Double(classes) * Double($0)) : 0 }
        self.classWeights = classWeights
        sampleWeights = labels.map { classWeights[Int($0)] }
        weightSum = sampleWeights.reduce(0, +)
    }

    /// Parameter count: W (features × weight columns) then b (weight columns).
    public var parameterCount: Int { (design.features + 1) * freeClasses }

    public struct Fit: Sendable {
        public var parameters: [Double]
        public var objective: Double
        public var iterations: Int
        public var stop: LBFGS.Stop
        /// Unweighted mean −log p(y_i | x_i) with p clipped to [ε, 1 − ε] (sklearn's log_loss).
        public var logLoss: Double
    }

    public func fit(optimizer: LBFGS = LBFGS()) -> Fit {
        var scratch = Scratch(self)
        let result = optimizer.minimize(start: [Double](repeating: 0, count: parameterCount)) { theta, gradient in
            objective(theta, gradient: &gradient, scratch: &scratch)
        }
        return Fit(parameters: result.x, objective: result.value, iterations: result.iterations,
                   stop: result.stop, logLoss: logLoss(result.x))
    }

    /// Working memory of the objective, allocated once per fit: logits, then residuals
    /// (rows × weight columns) for dense designs; pair tables for one-hot codes.
    struct Scratch {
        var logits: [Double] = []
        var oneHot: OneHotWorkspace?
        init(_ regression: SoftmaxRegression) {
            if case .oneHot(let codes) = regression.design {
                oneHot = OneHotWorkspace(regression: regression, codes: codes)
            } else {
                logits = [Double](repeating: 0, count: regression.rows * regression.freeClasses)
            }
        }
    }

    /// The weighted mean loss at θ and its gradient.
    func objective(_ theta: [Double], gradient: inout [Double], scratch: inout Scratch) -> Double {
        if case .oneHot(let codes) = design, let workspace = scratch.oneHot {
            return oneHotObjective(theta, codes: codes, gradient: &gradient, workspace: workspace)
        }
        let c = freeClasses
        computeLogits(theta, into: &scratch.logits)
        var total = 0.0
        scratch.logits.withUnsafeMutableBufferPointer { z in
            for i in 0..<rows {
                total += residualInPlace(z.baseAddress! + i * c, sample: i)
            }
        }
        accumulateGradient(residuals: scratch.logits, into: &gradient)
        return total / weightSum
    }

    /// Turns sample i's logits into its residual (p − onehot(y)) · w_i / Σw; returns
    /// w_i · (logsumexp − z_y).
    @inline(__always)
    private func residualInPlace(_ row: UnsafeMutablePointer<Double>, sample i: Int) -> Double {
        let pinned = classes == 2
        let label = Int(labels[i])
        let weight = sampleWeights[i]
        let scale = weight / weightSum
        // Probabilities scaled by w_i / Σw in one pass.
        let (logSumExp, targetLogit) = Self.softmaxInPlace(row, count: freeClasses, pinned: pinned, label: label, scale: scale)
        let target = pinned ? label - 1 : label
        if target >= 0 { row[target] -= scale }
        return weight * (logSumExp - targetLogit)
    }

    /// Replaces row[0..<count] by softmax probabilities times `scale`; returns logsumexp and
    /// the label's logit. With `pinned`, an implicit extra logit 0 stands for class 0 and
    /// row[k] is class k + 1.
    @inline(__always)
    static func softmaxInPlace(_ row: UnsafeMutablePointer<Double>, count c: Int, pinned: Bool, label: Int,
                               scale: Double = 1) -> (logSumExp: Double, targetLogit: Double) {
        // (A comparison, not max(): Swift's max() orders NaNs and costs 3× here.)
        var maximum = pinned ? 0.0 : -Double.infinity
        for k in 0..<c { let v = row[k]; maximum = v > maximum ? v : maximum }
        let targetLogit = pinned ? (label == 0 ? 0 : row[label - 1]) : row[label]
        // Exponentials first (a loop that vectorises), then the sum with four accumulators.
        for k in 0..<c { row[k] = expNonPositive(row[k] - maximum) }
        var partial = (0.0, 0.0, 0.0, 0.0)
        var k = 0
        while k + 4 <= c {
            partial.0 += row[k]; partial.1 += row[k + 1]; partial.2 += row[k + 2]; partial.3 += row[k + 3]
            k += 4
        }
        var sum = (partial.0 + partial.1) + (partial.2 + partial.3) + (pinned ? expNonPositive(-maximum) : 0)
        while k < c { sum += row[k]; k += 1 }
        let factor = scale / sum
        for k in 0..<c { row[k] *= factor }
        return (maximum + log(sum), targetLogit)
    }

    /// z = X·W + b, rows × weight columns.
    func computeLogits(_ theta: [Double], into z: inout [Double]) {
        let c = freeClasses, f = design.features
        theta.withUnsafeBufferPointer { theta in
            let bias = theta.baseAddress! + f * c
            z.withUnsafeMutableBufferPointer { z in
                let z = z.baseAddress!
                for i in 0..<rows { (z + i * c).update(from: bias, count: c) }
                switch design {
                case .zeros:
                    break
                case .dense(let values, _):
                    // Plain loops, not BLAS: with features = latents (~10) the product is small,
                    // and the regressions of several sources run in parallel, where OpenBLAS's
                    // own threads would fight them (half the time went to its thread handoffs).
                    values.withUnsafeBufferPointer { x in
                        for i in 0..<rows {
                            let out = z + i * c, xi = x.baseAddress! + i * f
                            for j in 0..<f {
                                let value = xi[j], weights = theta.baseAddress! + j * c
                                for k in 0..<c { out[k] += value * weights[k] }
                            }
                        }
                    }
                case .oneHot(let codes):
                    let blocks = codes.blockSizes.count
                    codes.indices.withUnsafeBufferPointer { idx in
                        for i in 0..<rows {
                            let out = z + i * c
                            for b in 0..<blocks {
                                let w = theta.baseAddress! + Int(idx[i * blocks + b]) * c
                                for k in 0..<c { out[k] += w[k] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// ∇W = Xᵀ·R, ∇b = Σ_i R_i for residuals R (rows × weight columns).
    func accumulateGradient(residuals: [Double], into gradient: inout [Double]) {
        let c = freeClasses, f = design.features
        gradient.withUnsafeMutableBufferPointer { g in
            let g = g.baseAddress!
            g.update(repeating: 0, count: (f + 1) * c)
            residuals.withUnsafeBufferPointer { r in
                let r = r.baseAddress!
                let gBias = g + f * c
                for i in 0..<rows {
                    for k in 0..<c { gBias[k] += r[i * c + k] }
                }
                switch design {
                case .zeros:
                    break
                case .dense(let values, _):
                    // ∇W[j] = Σ_i x_ij·R_i, a sample at a time (see computeLogits on BLAS).
                    values.withUnsafeBufferPointer { x in
                        for i in 0..<rows {
                            let residual = r + i * c, xi = x.baseAddress! + i * f
                            for j in 0..<f {
                                let value = xi[j], out = g + j * c
                                for k in 0..<c { out[k] += value * residual[k] }
                            }
                        }
                    }
                case .oneHot:
                    preconditionFailure("one-hot designs take the fused pass")
                }
            }
        }
    }

    /// sklearn's log_loss of predict_proba at θ: mean −log clip(p(y_i), ε, 1 − ε).
    public func logLoss(_ theta: [Double]) -> Double {
        let c = freeClasses
        var z = [Double](repeating: 0, count: rows * c)
        computeLogits(theta, into: &z)
        let pinned = classes == 2
        var total = 0.0
        z.withUnsafeMutableBufferPointer { z in
            for i in 0..<rows {
                let row = z.baseAddress! + i * c
                let label = Int(labels[i])
                let (logSumExp, targetLogit) = Self.softmaxInPlace(row, count: c, pinned: pinned, label: label)
                let p = exp(targetLogit - logSumExp)
                total -= log(min(max(p, Double.ulpOfOne), 1 - Double.ulpOfOne))
            }
        }
        return total / Double(rows)
    }
}

extension SoftmaxRegression {
    /// The objective and its gradient at θ, for tests and diagnostics.
    public func objectiveForTesting(_ theta: [Double], gradient: inout [Double]) -> Double {
        var scratch = Scratch(self)
        if gradient.count != parameterCount { gradient = [Double](repeating: 0, count: parameterCount) }
        return objective(theta, gradient: &gradient, scratch: &scratch)
    }
}
