import XCTest
import QLXCore

/// Central finite differences of a scalar function of a flat parameter vector, in Double.
public func finiteDifferenceGradient(of f: ([Float]) -> Double, at x: [Float], step: Float = 1e-3,
                                     indices: [Int]? = nil) -> [Int: Double] {
    var out: [Int: Double] = [:]
    for i in indices ?? Array(x.indices) {
        var plus = x, minus = x
        plus[i] += step
        minus[i] -= step
        // Use the steps actually representable in Float.
        let h = Double(plus[i]) - Double(minus[i])
        out[i] = (f(plus) - f(minus)) / h
    }
    return out
}

/// A deterministic pseudo-random tensor in [−scale, scale].
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<count).map { _ in (2 * rng.nextUnitFloat() - 1) * scale })
}

/// Σ a·b in Double.
public func dot(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    var s = 0.0
    for i in a.indices { s += Double(a[i]) * Double(b[i]) }
    return s
}

/// Asserts that analytic gradients agree with finite differences: |a − fd| ≤ atol + rtol·|fd|.
public func assertGradientsMatch(_ analytic: [Float], _ numeric: [Int: Double], rtol: Double = 1e-2, atol: Double = 1e-4,
                                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    for (i, fd) in numeric.sorted(by: { $0.key < $1.key }) {
        let a = Double(analytic[i])
        if !(abs(a - fd) <= atol + rtol * abs(fd)) {
            XCTFail("\(message) gradient element \(i): analytic \(a) vs finite difference \(fd)", file: file, line: line)
            return
        }
    }
}

/// Finite differences at several steps, for functions with kinks (ReLU): a kink close to the
/// point spoils large steps, Float rounding spoils small ones, so an element passes when its
/// analytic gradient matches the estimate of at least one step.
public func assertGradientsMatchAnyStep(_ analytic: [Float], of f: ([Float]) -> Double, at x: [Float],
                                        steps: [Float] = [1e-3, 3e-4, 1e-4], indices: [Int]? = nil,
                                        rtol: Double = 2e-2, atol: Double = 2e-5,
                                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let estimates = steps.map { finiteDifferenceGradient(of: f, at: x, step: $0, indices: indices) }
    for i in (indices ?? Array(x.indices)) {
        let a = Double(analytic[i])
        let candidates = estimates.map { $0[i]! }
        if !candidates.contains(where: { abs(a - $0) <= atol + rtol * abs($0) }) {
            XCTFail("\(message) gradient element \(i): analytic \(a) vs finite differences \(candidates)", file: file, line: line)
            return
        }
    }
}
