/// Limited-memory BFGS for smooth unconstrained minimisation, following L-BFGS-B (Byrd, Lu,
/// Nocedal & Zhu 1995; Morales & Nocedal 2011) as SciPy runs it for scikit-learn's
/// LogisticRegression(solver="lbfgs"): 10 correction pairs, initial Hessian γI with
/// γ = sᵀy / yᵀy, first step of length 1 along −g, Moré–Thuente line search; stops when
/// max |g_i| ≤ `gradientTolerance`, when the relative decrease of f falls to
/// `relativeReductionTolerance`, or after `maxIterations` line searches.
public struct LBFGS: Sendable {
    public var memory = 10
    public var maxIterations = 100
    public var gradientTolerance = 1e-4
    public var relativeReductionTolerance = 64 * Double.ulpOfOne
    public var maxLineSearchEvaluations = 50

    public init(maxIterations: Int = 100, gradientTolerance: Double = 1e-4) {
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }

    public enum Stop: String, Sendable, Codable {
        case gradientTolerance, relativeReduction, iterationLimit, lineSearchFailed
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var stop: Stop
    }

    /// Minimises f from `start`. `objective(x, &gradient)` returns f(x) and writes ∇f(x).
    public func minimize(start: [Double], objective: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        var evaluations = 1
        if maxAbs(g) <= gradientTolerance {
            return Result(x: x, value: f, iterations: 0, evaluations: evaluations, stop: .gradientTolerance)
        }
        var corrections: [(s: [Double], y: [Double], rho: Double)] = []
        let lineSearch = MoreThuenteLineSearch()
        var iterations = 0
        var trial = x
        var trialGradient = g

        while true {
            var d = direction(gradient: g, corrections: corrections)
            var slope = dot(g, d)
            if slope >= 0 {
                // Not a descent direction (rounding): forget the curvature pairs and use −g.
                if corrections.isEmpty { return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .lineSearchFailed) }
                corrections.removeAll()
                d = g.map { -$0 }
                slope = dot(g, d)
            }
            let initialStep = iterations == 0 ? min(1 / dot(d, d).squareRoot(), lineSearch.maximumStep) : 1
            var trialValue = f
            let (step, outcome) = lineSearch.search(
                initialStep: initialStep, value: f, slope: slope, maxEvaluations: maxLineSearchEvaluations
            ) { step in
                for i in 0..<n { trial[i] = x[i] + step * d[i] }
                trialValue = objective(trial, &trialGradient)
                evaluations += 1
                return (trialValue, dot(trialGradient, d))
            }
            if outcome == .exhausted {
                // L-BFGS-B: restore the last iterate and restart from steepest descent once.
                if corrections.isEmpty { return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .lineSearchFailed) }
                corrections.removeAll()
                continue
            }
            iterations += 1
            let previousValue = f
            var s = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                s[i] = step * d[i]
                y[i] = trialGradient[i] - g[i]
            }
            let previousSlopeAlongStep = step * slope
            swap(&x, &trial)
            swap(&g, &trialGradient)
            f = trialValue

            if maxAbs(g) <= gradientTolerance {
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .gradientTolerance)
            }
            if previousValue - f <= relativeReductionTolerance * max(abs(previousValue), abs(f), 1) {
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .relativeReduction)
            }
            // Keep the pair only with enough positive curvature (L-BFGS-B's test).
            let sy = dot(s, y)
            if sy > Double.ulpOfOne * -previousSlopeAlongStep {
                if corrections.count == memory { corrections.removeFirst() }
                corrections.append((s, y, 1 / sy))
            }
            if iterations >= maxIterations {
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .iterationLimit)
            }
        }
    }

    /// −H·g by the two-loop recursion, H the L-BFGS inverse Hessian approximation.
    private func direction(gradient g: [Double], corrections: [(s: [Double], y: [Double], rho: Double)]) -> [Double] {
        var q = g
        guard let newest = corrections.last else { return q.map { -$0 } }
        var alphas = [Double](repeating: 0, count: corrections.count)
        for k in stride(from: corrections.count - 1, through: 0, by: -1) {
            let pair = corrections[k]
            let alpha = pair.rho * dot(pair.s, q)
            alphas[k] = alpha
            axpy(-alpha, pair.y, &q)
        }
        let gamma = dot(newest.s, newest.y) / dot(newest.y, newest.y)
        for i in q.indices { q[i] *= gamma }
        for k in 0..<corrections.count {
            let pair = corrections[k]
            let beta = pair.rho * dot(pair.y, q)
            axpy(alphas[k] - beta, pair.s, &q)
        }
        for i in q.indices { q[i] = -q[i] }
        return q
    }
}

/// Σ a_i·b_i with eight partial sums: a single running sum is a chain of dependent adds
/// (latency-bound), and the two-loop recursion takes 4·memory of these per iteration.
@inline(__always)
func dot(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    if a.isEmpty { return 0 }
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            let n = a.count
            var partial0 = SIMD4<Double>(), partial1 = SIMD4<Double>()
            var i = 0
            let x = UnsafeRawPointer(a.baseAddress!), y = UnsafeRawPointer(b.baseAddress!)
            while i + 8 <= n {
                let first = x.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                    * y.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                let second = x.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
                    * y.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
                partial0 += first
                partial1 += second
                i += 8
            }
            var sum = (partial0 + partial1).sum()
            while i < n { sum += a[i] * b[i]; i += 1 }
            return sum
        }
    }
}

@inline(__always)
func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    precondition(x.count == y.count)
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
            for i in 0..<x.count { y[i] += alpha * x[i] }
        }
    }
}

@inline(__always)
func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
