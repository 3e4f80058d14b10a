import Foundation
import QLXCore
import QLXMetrics
import XCTest

/// The softmax regression and its optimiser against independent computations.
final class RegressionTests: XCTestCase {
    struct Problem {
        var oneHot: RegressionDesign
        var dense: RegressionDesign
        var labels: [Int32]
    }

    /// Random codes for 3 latents with 4, 3, 5 values, and the same as an explicit dense
    /// one-hot matrix.
    func problem(rows: Int, classes: Int, seed: UInt64) -> Problem {
        var g = SeededGenerator(seed: seed)
        let sizes = [4, 3, 5], offsets = [0, 4, 7], features = 12
        var labelColumns = [[Int32]](repeating: [], count: 3), dense = [Double](repeating: 0, count: rows * features), labels: [Int32] = []
        for i in 0..<rows {
            let label = Int.random(in: 0..<classes, using: &g)
            labels.append(Int32(label))
            for b in 0..<3 {
                let value = Bool.random(using: &g) ? label % sizes[b] : Int.random(in: 0..<sizes[b], using: &g)
                labelColumns[b].append(Int32(value))
                dense[i * features + offsets[b] + value] = 1
            }
        }
        return Problem(oneHot: .oneHot(OneHotCodes(labels: labelColumns, blockSizes: sizes)),
                       dense: .dense(values: dense, features: features), labels: labels)
    }

    /// The balanced objective by its definition, one sample and one class at a time.
    func naiveObjective(_ design: RegressionDesign, labels: [Int32], classes: Int, theta: [Double]) -> Double {
        guard case .dense(let x, let f) = design else { fatalError() }
        let free = classes == 2 ? 1 : classes
        let counts = (0..<classes).map { c in labels.filter { Int($0) == c }.count }
        let n = Double(labels.count)
        var total = 0.0, weightSum = 0.0
        for (i, y) in labels.enumerated() {
            var logits = (0..<free).map { c in theta[f * free + c] + (0..<f).reduce(0.0) { $0 + x[i * f + $1] * theta[$1 * free + c] } }
            if classes == 2 { logits.insert(0, at: 0) }
            let lse = log(logits.reduce(0) { $0 + exp($1) })
            let w = n / (Double(classes) * Double(counts[Int(y)]))
            total += w * (lse - logits[Int(y)])
            weightSum += w
        }
        return total / weightSum
    }

    func testGradientMatchesFiniteDifferencesAndOneHotMatchesDense() {
        for classes in [2, 5] {
            let p = problem(rows: 60, classes: classes, seed: UInt64(classes))
            let sparse = SoftmaxRegression(design: p.oneHot, labels: p.labels, classes: classes)
            let dense = SoftmaxRegression(design: p.dense, labels: p.labels, classes: classes)
            var g = SeededGenerator(seed: 9)
            let theta = (0..<sparse.parameterCount).map { _ in Double(g.nextNormal()) * 0.5 }
            var gradSparse = theta, gradDense = theta
            let fSparse = sparse.objectiveForTesting(theta, gradient: &gradSparse)
            let fDense = dense.objectiveForTesting(theta, gradient: &gradDense)
            XCTAssertEqual(fSparse, naiveObjective(p.dense, labels: p.labels, classes: classes, theta: theta), accuracy: 1e-12)
            XCTAssertEqual(fSparse, fDense, accuracy: 1e-12)
            for k in theta.indices { XCTAssertEqual(gradSparse[k], gradDense[k], accuracy: 1e-12) }
            let h = 1e-6
            for k in stride(from: 0, to: theta.count, by: 7) {
                var plus = theta, minus = theta
                plus[k] += h; minus[k] -= h
                var scratch = theta
                let numeric = (sparse.objectiveForTesting(plus, gradient: &scratch) - sparse.objectiveForTesting(minus, gradient: &scratch)) / (2 * h)
                XCTAssertEqual(gradSparse[k], numeric, accuracy: 1e-7, "classes \(classes), parameter \(k)")
            }
        }
    }

    func testHugeWeightsTakeTheLogDomainPathAndStillAgree() {
        // Weights in the hundreds make exp-table products underflow for some samples (the
        // fallback path); the objective and gradient must still match the dense computation.
        for classes in [2, 6] {
            let p = problem(rows: 80, classes: classes, seed: 11)
            let sparse = SoftmaxRegression(design: p.oneHot, labels: p.labels, classes: classes)
            let dense = SoftmaxRegression(design: p.dense, labels: p.labels, classes: classes)
            var g = SeededGenerator(seed: 12)
            let theta = (0..<sparse.parameterCount).map { _ in Double(g.nextNormal()) * 400 }
            var gradSparse = theta, gradDense = theta
            let fSparse = sparse.objectiveForTesting(theta, gradient: &gradSparse)
            let fDense = dense.objectiveForTesting(theta, gradient: &gradDense)
            XCTAssertTrue(fSparse.isFinite && fSparse > 1)
            XCTAssertEqual(fSparse, fDense, accuracy: 1e-9 * fDense)
            for k in theta.indices { XCTAssertEqual(gradSparse[k], gradDense[k], accuracy: 1e-12) }
        }
    }

    /// The fused one-hot passes take up to six table rows at a time: from 1 to 8 pairs (so
    /// every pass width and a second pass), singles that are too wide to pair, and class
    /// counts whose rows need padding (2 → 1 weight column, 3, 6, 9), against the dense
    /// computation, with moderate weights and with weights large enough to underflow.
    func testOneHotMatchesDenseForEveryPassWidth() {
        var g = SeededGenerator(seed: 21)
        // Pairs per sample: 1, 1, 3, 4, 5, 8 (6 + 2), 2 (one latent too wide to pair), 7 (6 + 1).
        let layouts: [[Int]] = [[3], [4, 2], [2, 3, 2, 2, 3, 2], [2, 3, 4, 2, 3, 2, 4, 3], [3, 2, 2, 4, 2, 3, 2, 2, 3, 2],
                                [3, 5, 2, 2, 4, 3, 2, 2, 3, 5, 2, 3, 4, 2, 3, 2], [70, 80, 3], [6, 2, 5, 3, 2, 4, 3, 5, 2, 3, 4, 2, 2]]
        for (layout, classes) in zip(layouts, [3, 2, 5, 6, 40, 9, 3, 2]) {
            let rows = 90
            let labels = (0..<rows).map { _ in Int32.random(in: 0..<Int32(classes), using: &g) }
            let columns = layout.map { size in (0..<rows).map { _ in Int32.random(in: 0..<Int32(size), using: &g) } }
            let features = layout.reduce(0, +)
            var dense = [Double](repeating: 0, count: rows * features)
            var offset = 0
            for (b, size) in layout.enumerated() {
                for i in 0..<rows { dense[i * features + offset + Int(columns[b][i])] = 1 }
                offset += size
            }
            let sparse = SoftmaxRegression(design: .oneHot(OneHotCodes(labels: columns, blockSizes: layout)), labels: labels, classes: classes)
            let reference = SoftmaxRegression(design: .dense(values: dense, features: features), labels: labels, classes: classes)
            for spread in [0.7, 300] {
                let theta = (0..<sparse.parameterCount).map { _ in Double(g.nextNormal()) * spread }
                var gradSparse = theta, gradDense = theta
                let fSparse = sparse.objectiveForTesting(theta, gradient: &gradSparse)
                let fDense = reference.objectiveForTesting(theta, gradient: &gradDense)
                XCTAssertEqual(fSparse, fDense, accuracy: 1e-12 * max(1, abs(fDense)), "\(layout), \(classes) classes, spread \(spread)")
                for k in theta.indices {
                    XCTAssertEqual(gradSparse[k], gradDense[k], accuracy: 1e-12, "\(layout), \(classes) classes, parameter \(k)")
                }
            }
        }
    }

    func testNullModelIsTheUniformDistribution() {
        // With balanced weights the intercept-only optimum predicts every class equally:
        // log loss = log K whatever the class frequencies.
        let labels: [Int32] = Array(repeating: 0, count: 70) + Array(repeating: 1, count: 20) + Array(repeating: 2, count: 10)
        let fit = SoftmaxRegression(design: .zeros, labels: labels, classes: 3).fit()
        XCTAssertEqual(fit.logLoss, log(3), accuracy: 1e-9)
    }

    func testFitReachesTheGradientToleranceOnANonSeparableProblem() {
        let p = problem(rows: 400, classes: 4, seed: 5)
        let regression = SoftmaxRegression(design: p.dense, labels: p.labels, classes: 4)
        let fit = regression.fit()
        XCTAssertEqual(fit.stop, .gradientTolerance)
        var gradient = fit.parameters
        _ = regression.objectiveForTesting(fit.parameters, gradient: &gradient)
        XCTAssertLessThanOrEqual(gradient.map(abs).max()!, 1e-4)
        XCTAssertLessThan(fit.logLoss, log(4))
    }

    func testLBFGSMinimisesTheRosenbrockFunction() {
        let result = LBFGS(maxIterations: 500, gradientTolerance: 1e-8).minimize(start: [-1.2, 1]) { x, g in
            let a = 1 - x[0], b = x[1] - x[0] * x[0]
            g[0] = -2 * a - 400 * x[0] * b
            g[1] = 200 * b
            return a * a + 100 * b * b
        }
        XCTAssertEqual(result.x[0], 1, accuracy: 1e-5)
        XCTAssertEqual(result.x[1], 1, accuracy: 1e-5)
        XCTAssertLessThan(result.iterations, 100)
    }
}
