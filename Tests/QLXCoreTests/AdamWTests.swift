import XCTest
import QLXCore
import QLXTestSupport

final class AdamWTests: XCTestCase {
    /// Plain Double re-implementation of optax's chain(clip(1), adamw) / adam for one element.
    private func referenceSteps(p0: Double, gradients: [Double], decayed: Bool) -> Double {
        let (lr, b1, b2, eps, wd) = (1e-3, 0.9, 0.999, 1e-8, 0.1)
        var (p, m, v) = (p0, 0.0, 0.0)
        for (t, g0) in gradients.enumerated() {
            let g = decayed ? min(max(g0, -1), 1) : g0
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            let mHat = m / (1 - pow(b1, Double(t + 1))), vHat = v / (1 - pow(b2, Double(t + 1)))
            p -= lr * (mHat / (vHat.squareRoot() + eps) + (decayed ? wd * p : 0))
        }
        return p
    }

    func testUpdatesMatchOptaxSemanticsForBothGroups() {
        var params: [String: Tensor] = ["a.weight": Tensor(shape: [1, 2], data: [0.5, -2]), "a.bias": Tensor(shape: [2], data: [0.5, -2])]
        var optimizer = AdamW()
        let history: [[Float]] = [[3, -0.2], [0.1, 0.4], [-5, 0.3]]
        for g in history {
            optimizer.update(&params, gradients: ["a.weight": Tensor(shape: [1, 2], data: g), "a.bias": Tensor(shape: [2], data: g)],
                             isDecayed: { $0.hasSuffix("weight") })
        }
        XCTAssertEqual(optimizer.step, 3)
        for (j, p0) in [0.5, -2.0].enumerated() {
            let gs = history.map { Double($0[j]) }
            XCTAssertEqual(Double(params["a.weight"]!.data[j]), referenceSteps(p0: p0, gradients: gs, decayed: true), accuracy: 1e-6)
            XCTAssertEqual(Double(params["a.bias"]!.data[j]), referenceSteps(p0: p0, gradients: gs, decayed: false), accuracy: 1e-6)
        }
    }

    func testRestoredStateContinuesBitExactly() throws {
        let shapes = ["w.weight": [2, 2], "w.bias": [2]]
        var a: [String: Tensor] = ["w.weight": randomTensor([2, 2], seed: 1), "w.bias": randomTensor([2], seed: 2)]
        var optimizer = AdamW()
        let grads = (0..<4).map { s in ["w.weight": randomTensor([2, 2], seed: 10 + UInt64(s)), "w.bias": randomTensor([2], seed: 20 + UInt64(s))] }
        let decayed: (String) -> Bool = { $0.hasSuffix("weight") }
        optimizer.update(&a, gradients: grads[0], isDecayed: decayed)
        optimizer.update(&a, gradients: grads[1], isDecayed: decayed)
        var b = a
        var restored = try AdamW(stateTensors: optimizer.stateTensors, step: optimizer.step, parameterShapes: shapes)
        for g in grads[2...] {
            optimizer.update(&a, gradients: g, isDecayed: decayed)
            restored.update(&b, gradients: g, isDecayed: decayed)
        }
        XCTAssertEqual(a, b)
    }

    func testRestoringMalformedStateThrows() {
        let shapes = ["w.weight": [2, 2]]
        XCTAssertThrowsError(try AdamW(stateTensors: [:], step: 3, parameterShapes: shapes))
        XCTAssertThrowsError(try AdamW(stateTensors: ["m.w.weight": Tensor(zeros: [4]), "v.w.weight": Tensor(zeros: [2, 2])],
                                       step: 3, parameterShapes: shapes)) { error in
            XCTAssertTrue("\(error)".contains("m.w.weight"), "\(error)")
        }
        XCTAssertThrowsError(try AdamW(stateTensors: ["m.w.weight": Tensor(zeros: [2, 2]), "v.w.weight": Tensor(shape: [2, 2], repeating: -1)],
                                       step: 3, parameterShapes: shapes))
        XCTAssertNoThrow(try AdamW(stateTensors: [:], step: 0, parameterShapes: shapes))
    }
}
