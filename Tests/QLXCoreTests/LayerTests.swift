import XCTest
import QLXCore
import QLXTestSupport

final class LayerTests: XCTestCase {
    func testLinearForwardAndBackwardMatchPlainLoops() {
        let layer = Linear(inFeatures: 7, outFeatures: 5)
        let x = randomTensor([3, 7], seed: 1), w = randomTensor(layer.weightShape, seed: 2), b = randomTensor([5], seed: 3)
        assertClose(layer.forward(x, weight: w, bias: b), layer.referenceForward(x, weight: w, bias: b))
        assertClose(layer.forward(x, weight: w, bias: nil), layer.referenceForward(x, weight: w, bias: nil))
        let dy = randomTensor([3, 5], seed: 4)
        let fast = layer.backward(input: x, weight: w, dOutput: dy)
        let slow = layer.referenceBackward(input: x, weight: w, dOutput: dy)
        assertClose(fast.dInput!, slow.dInput)
        assertClose(fast.dWeight, slow.dWeight)
        assertClose(fast.dBias, slow.dBias)
    }

    func testLinearReferenceBackwardMatchesFiniteDifferences() {
        let layer = Linear(inFeatures: 4, outFeatures: 3)
        let x = randomTensor([2, 4], seed: 1), w = randomTensor(layer.weightShape, seed: 2), b = randomTensor([3], seed: 3)
        let r = randomTensor([2, 3], seed: 4)
        let g = layer.referenceBackward(input: x, weight: w, dOutput: r)
        assertGradientsMatch(g.dInput.data, finiteDifferenceGradient(of: {
            dot(layer.referenceForward(Tensor(shape: x.shape, data: $0), weight: w, bias: b).data, r.data) }, at: x.data))
        assertGradientsMatch(g.dWeight.data, finiteDifferenceGradient(of: {
            dot(layer.referenceForward(x, weight: Tensor(shape: w.shape, data: $0), bias: b).data, r.data) }, at: w.data))
        assertGradientsMatch(g.dBias.data, finiteDifferenceGradient(of: {
            dot(layer.referenceForward(x, weight: w, bias: Tensor(shape: [3], data: $0)).data, r.data) }, at: b.data))
    }

    func testInstanceNormForwardMatchesPlainLoops() {
        let norm = InstanceNorm(channels: 3)
        let x = randomTensor([2, 3, 4, 5], seed: 1, scale: 3)
        let g = randomTensor([3], seed: 2), b = randomTensor([3], seed: 3)
        assertClose(norm.forward(x, weight: g, bias: b), norm.referenceForward(x, weight: g, bias: b))
        let y = norm.forward(x, weight: nil, bias: nil)
        assertClose(y, norm.referenceForward(x, weight: nil, bias: nil))
        // Every plane has mean 0 and variance 1.
        let plane = Array(y.data[20..<40])
        XCTAssertEqual(plane.reduce(0, +) / 20, 0, accuracy: 1e-5)
        XCTAssertEqual(plane.map { $0 * $0 }.reduce(0, +) / 20, 1, accuracy: 1e-3)
    }

    func testInstanceNormBackwardMatchesFiniteDifferences() {
        let norm = InstanceNorm(channels: 2)
        let x = randomTensor([2, 2, 3, 3], seed: 5, scale: 2)
        let g = randomTensor([2], seed: 6), b = randomTensor([2], seed: 7)
        let r = randomTensor(x.shape, seed: 8)
        let grads = norm.backward(input: x, weight: g, dOutput: r)
        assertGradientsMatch(grads.dInput.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(Tensor(shape: x.shape, data: $0), weight: g, bias: b).data, r.data) }, at: x.data),
            rtol: 2e-2, atol: 5e-4, "dInput")
        assertGradientsMatch(grads.dWeight!.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(x, weight: Tensor(shape: [2], data: $0), bias: b).data, r.data) }, at: g.data), "dWeight")
        assertGradientsMatch(grads.dBias!.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(x, weight: g, bias: Tensor(shape: [2], data: $0)).data, r.data) }, at: b.data), "dBias")
    }

    func testLayerNormForwardMatchesPlainLoops() {
        let norm = LayerNorm(features: 7)
        let x = randomTensor([3, 7], seed: 11, scale: 3)
        let g = randomTensor([7], seed: 12), b = randomTensor([7], seed: 13)
        assertClose(norm.forward(x, weight: g, bias: b).output, norm.referenceForward(x, weight: g, bias: b))
        // With γ = 1 and β = 0 every row has mean 0 and variance 1 (up to ε).
        let y = norm.forward(x, weight: Tensor(shape: [7], repeating: 1), bias: Tensor(zeros: [7])).output
        let row = Array(y.data[7..<14])
        XCTAssertEqual(row.reduce(0, +) / 7, 0, accuracy: 1e-5)
        XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 7, 1, accuracy: 1e-3)
    }

    func testLayerNormBackwardMatchesFiniteDifferences() {
        let norm = LayerNorm(features: 5)
        let x = randomTensor([3, 5], seed: 14, scale: 2)
        let g = randomTensor([5], seed: 15), b = randomTensor([5], seed: 16)
        let r = randomTensor(x.shape, seed: 17)
        let grads = norm.backward(norm.forward(x, weight: g, bias: b).cache, weight: g, dOutput: r)
        assertGradientsMatch(grads.dInput.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(Tensor(shape: x.shape, data: $0), weight: g, bias: b).data, r.data) }, at: x.data),
            rtol: 2e-2, atol: 5e-4, "dInput")
        assertGradientsMatch(grads.dWeight.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(x, weight: Tensor(shape: [5], data: $0), bias: b).data, r.data) }, at: g.data), "dWeight")
        assertGradientsMatch(grads.dBias.data, finiteDifferenceGradient(of: {
            dot(norm.referenceForward(x, weight: g, bias: Tensor(shape: [5], data: $0)).data, r.data) }, at: b.data), "dBias")
    }

    func testFusedAffineLeakyReLUMatchesItsParts() {
        let norm = InstanceNorm(channels: 3)
        let cache = norm.normalize(FeatureMap(nchw: randomTensor([2, 3, 4, 4], seed: 1)))
        let g = randomTensor([3], seed: 2), b = randomTensor([3], seed: 3)
        var expected = norm.affine(cache.normalized, weight: g, bias: b)
        Activation.leakyReLU(&expected.data)
        let fused = norm.affineLeakyReLU(cache.normalized, weight: g, bias: b)
        assertClose(fused.data, expected.data)
        let dy = FeatureMap(nchw: randomTensor([2, 3, 4, 4], seed: 4))
        var dAct = dy
        Activation.leakyReLUBackward(output: expected.data, gradient: &dAct.data)
        let parts = norm.affineBackward(cache.normalized, weight: g, dOutput: dAct)
        let whole = norm.affineLeakyReLUBackward(cache.normalized, weight: g, output: fused, dOutput: dy)
        assertClose(whole.dNormalized.data, parts.dNormalized.data)
        assertClose(whole.dWeight, parts.dWeight)
        assertClose(whole.dBias, parts.dBias)
    }

    /// The style blocks' leaky ReLU folded into the norm's passes gives the separate passes'
    /// numbers exactly, forward and backward.
    func testLeakyReLUFoldedIntoInstanceNormMatchesItsParts() {
        let norm = InstanceNorm(channels: 3)
        let x = FeatureMap(nchw: randomTensor([2, 3, 5, 4], seed: 5))
        var activated = x
        Activation.leakyReLU(&activated.data)
        let parts = norm.normalize(activated)
        let fused = norm.normalize(x, afterLeakyReLU: Activation.leakySlope)
        XCTAssertEqual(fused.normalized.data, parts.normalized.data)
        XCTAssertEqual(fused.inverseStd, parts.inverseStd)
        let dXHat = FeatureMap(nchw: randomTensor([2, 3, 5, 4], seed: 6))
        var expected = norm.normalizeBackward(parts, dNormalized: dXHat)
        Activation.leakyReLUBackward(output: activated.data, gradient: &expected.data)
        XCTAssertEqual(norm.normalizeBackward(fused, dNormalized: dXHat, throughLeakyReLUOf: x).data, expected.data)
        XCTAssertTrue(x.data.contains { $0 < 0 } && x.data.contains { $0 > 0 }, "both slopes are exercised")
    }

    func testActivationsAndTheirGradients() {
        var x: [Float] = [-2, -0.5, 0.5, 3]
        Activation.leakyReLU(&x)
        XCTAssertEqual(x, [-0.4, -0.1, 0.5, 3])
        var g: [Float] = [1, 1, 1, 1]
        Activation.leakyReLUBackward(output: x, gradient: &g)
        XCTAssertEqual(g, [0.2, 0.2, 1, 1])
        var r: [Float] = [-1, 2]
        Activation.relu(&r)
        XCTAssertEqual(r, [0, 2])
        var gr: [Float] = [5, 5]
        Activation.reluBackward(output: r, gradient: &gr)
        XCTAssertEqual(gr, [0, 5])
        let s = Activation.sigmoid([-100, -1, 0, 1, 100])
        assertClose(s, [0, 0.26894142, 0.5, 0.73105858, 1], atol: 1e-7)
        XCTAssertFalse(s.contains { !$0.isFinite })
    }

    func testSigmoidKernelMatchesExactValues() {
        // Every 1/1024 from −100 to 100 (large enough to be split across threads), the
        // reduction's boundaries near multiples of ln 2 / 2, and past the clamp at 87.
        var x = (-102_400...102_400).map { Float($0) / 1024 }
        x += (-300...300).map { Float($0) * 0.34657359 } + [-1e30, -88, -87.5, 87.5, 88, 1e30, -0.0, 1e-8, -1e-8]
        let y = Activation.sigmoid(x)
        XCTAssertEqual(y.count, x.count)
        var worst = 0.0
        for (v, s) in zip(x, y) {
            let exact = 1 / (1 + Foundation.exp(-Double(v)))
            worst = max(worst, abs(Double(s) - exact))
            XCTAssert(s >= 0 && s <= 1, "sigmoid(\(v)) = \(s)")
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(Activation.sigmoid([]), [])
        // NaN in, NaN out: decoding reports values that decode to NaN pixels instead of
        // writing an image of them; the infinities go to their limits (e^−87 for −∞).
        let special = Activation.sigmoid([.nan, 0.5, -.infinity, .infinity])
        XCTAssertTrue(special[0].isNaN, "sigmoid(NaN) = \(special[0])")
        XCTAssertLessThan(special[2], 1e-37)
        XCTAssertEqual(special[3], 1)
    }

    func testLeakyReLUOnALargeBufferUsesEveryElement() {
        // Large enough to be split across threads.
        var x = (0..<300_000).map { Float($0 % 7) - 3 }
        let expected = x.map { $0 > 0 ? $0 : 0.2 * $0 }
        Activation.leakyReLU(&x)
        XCTAssertEqual(x, expected)
    }
}
