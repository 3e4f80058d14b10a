import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// The model's gradients against finite differences of losses computed independently
/// (public encode/decode plus a Double BCE), for both decoder kinds.
final class ModelGradientTests: XCTestCase {
    /// A few indices spread over a tensor.
    private func sample(_ count: Int, _ n: Int = 5) -> [Int] {
        count <= n ? Array(0..<count) : (0..<n).map { $0 * (count - 1) / (n - 1) }
    }

    private func replacing(_ model: QLAE, _ name: String, _ data: [Float]) -> QLAE {
        var p = model.parameters
        p[name] = Tensor(shape: p[name]!.shape, data: data)
        return try! QLAE(config: model.config, parameters: p)
    }

    func testUnquantizedLossGradientsMatchFiniteDifferences() throws {
        for kind in DecoderKind.allCases {
            let config = TinyModels.config(kind, quantized: false)
            let model = QLAE(config: config, seed: 8)
            let images = TinyModels.images(count: 2, seed: 9)
            func loss(_ m: QLAE) -> Double {
                meanBCE(logits: m.decode(values: m.encode(images).continuous).logits.data, targets: images.data)
            }
            let (terms, gradients) = model.lossAndGradients(images: images, weights: LossWeights())
            XCTAssertEqual(Double(terms.total), loss(model), accuracy: 1e-5)
            XCTAssertEqual(terms.quantization, 0)
            XCTAssertEqual(Set(gradients.keys), Set(model.parameters.keys))
            for (name, _) in try QLAE.parameterShapes(for: config) {
                let p = model.parameters[name]!
                let fd = finiteDifferenceGradient(of: { loss(replacing(model, name, $0)) }, at: p.data, indices: sample(p.count))
                assertGradientsMatch(gradients[name]!.data, fd, rtol: 2e-2, atol: 2e-5, "\(kind) \(name)")
            }
        }
    }

    /// A batch larger than one shard (8 images) is cut into shards run side by side; its loss
    /// and gradients must be the means of each image's own, computed one image at a time.
    func testABatchCutIntoShardsGivesTheMeanOfItsImages() throws {
        for kind in DecoderKind.allCases {
            let model = QLAE(config: TinyModels.config(kind), seed: 12)
            let count = 19   // three shards of 6, 6 and 7
            let images = TinyModels.images(count: count, seed: 13)
            let weights = LossWeights(quantization: 0.3, commitment: 0.2)
            let (terms, gradients) = model.lossAndGradients(images: images, weights: weights)
            let imageSize = images.count / count
            var meanTotal = 0.0
            var meanGradients: [String: [Double]] = [:]
            for i in 0..<count {
                let one = Tensor(shape: [1] + images.shape.dropFirst(),
                                 data: Array(images.data[(i * imageSize)..<((i + 1) * imageSize)]))
                let (t, g) = model.lossAndGradients(images: one, weights: weights)
                meanTotal += Double(t.total) / Double(count)
                for (name, tensor) in g {
                    var sum = meanGradients[name] ?? [Double](repeating: 0, count: tensor.count)
                    for k in 0..<tensor.count { sum[k] += Double(tensor.data[k]) / Double(count) }
                    meanGradients[name] = sum
                }
            }
            XCTAssertEqual(Double(terms.total), meanTotal, accuracy: 1e-5 * abs(meanTotal), "\(kind) loss")
            XCTAssertEqual(Set(gradients.keys), Set(meanGradients.keys))
            for (name, expected) in meanGradients {
                let scale = expected.map(abs).max() ?? 0
                assertClose(gradients[name]!.data, expected.map(Float.init), rtol: 1e-4, atol: Float(max(1e-5 * scale, 1e-9)), "\(kind) \(name)")
            }
        }
    }

    func testQuantizedLossUsesTheStraightThroughEstimator() throws {
        for kind in DecoderKind.allCases {
            let config = TinyModels.config(kind)
            // Spread the codebooks so that the latents fall between several values.
            var model = QLAE(config: config, seed: 10)
            var p = model.parameters
            p["latent.values"] = Tensor(shape: [3, 4], data: (0..<12).map { Float($0 % 4) * 0.1 - 0.15 + Float($0 / 4) * 0.01 })
            try model.setParameters(p)
            let images = TinyModels.images(count: 2, seed: 11)
            let weights = LossWeights(quantization: 0.3, commitment: 0.2)
            let e = model.encode(images)
            let (c0, q0, codes0) = (e.continuous, e.values, e.codes)
            let (terms, gradients) = model.lossAndGradients(images: images, weights: weights)

            // Loss terms.
            let bce = meanBCE(logits: model.decode(values: q0).logits.data, targets: images.data)
            let squared = zip(c0.data, q0.data).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(c0.count)
            XCTAssertEqual(Double(terms.reconstruction), bce, accuracy: 1e-5)
            XCTAssertEqual(Double(terms.quantization), squared, accuracy: 1e-6)
            XCTAssertEqual(Double(terms.commitment), squared, accuracy: 1e-6)
            XCTAssertEqual(Double(terms.total), bce + 0.5 * squared, accuracy: 1e-5)

            // Decoder parameters: the decoder sees q0, which they do not change.
            let decoderNames = try QLAE.parameterShapes(for: config).map(\.name).filter { $0.hasPrefix("decoder.") }
            for name in decoderNames {
                assertGradientsMatchAnyStep(gradients[name]!.data, of: {
                    meanBCE(logits: replacing(model, name, $0).decode(values: q0).logits.data, targets: images.data)
                }, at: model.parameters[name]!.data, indices: sample(model.parameters[name]!.count), "\(kind) \(name)")
            }

            // Codebooks move only through the quantization term (codes held fixed).
            let fdValues = finiteDifferenceGradient(of: { values in
                let q = Quantizer.values(of: codes0, codebooks: Tensor(shape: [3, 4], data: values))
                return 0.3 * zip(c0.data, q.data).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(c0.count)
            }, at: model.parameters["latent.values"]!.data)
            assertGradientsMatch(gradients["latent.values"]!.data, fdValues, rtol: 1e-2, atol: 1e-6, "\(kind) codebooks")

            // Encoder: the decoder's gradient at q0 passes straight to c, plus the commitment term.
            let dq = finiteDifferenceGradient(of: {
                meanBCE(logits: model.decode(values: Tensor(shape: q0.shape, data: $0)).logits.data, targets: images.data)
            }, at: q0.data, step: 1e-4)
            let dqVector = (0..<q0.count).map { dq[$0]! }
            func surrogate(_ m: QLAE) -> Double {
                let c = m.encode(images).continuous.data
                var s = 0.0
                for i in c.indices {
                    s += dqVector[i] * Double(c[i]) + 0.2 * Double(c[i] - q0.data[i]) * Double(c[i] - q0.data[i]) / Double(c.count)
                }
                return s
            }
            let encoderNames = try QLAE.parameterShapes(for: config).map(\.name).filter { $0.hasPrefix("encoder.") }
            for name in encoderNames {
                assertGradientsMatchAnyStep(gradients[name]!.data, of: { surrogate(replacing(model, name, $0)) },
                                            at: model.parameters[name]!.data, indices: sample(model.parameters[name]!.count),
                                            rtol: 3e-2, atol: 3e-5, "\(kind) \(name)")
            }
        }
    }

    func testTrainingStepsReduceTheLoss() {
        for kind in DecoderKind.allCases {
            var model = QLAE(config: TinyModels.config(kind), seed: 12)
            var optimizer = AdamW(hyperparameters: .init(learningRate: 1e-2))
            let images = TinyModels.images(count: 4, seed: 13)
            let first = model.lossAndGradients(images: images, weights: LossWeights()).loss.total
            for _ in 0..<40 {
                let g = model.lossAndGradients(images: images, weights: LossWeights()).gradients
                model.applyUpdate(gradients: g, optimizer: &optimizer)
            }
            let last = model.lossAndGradients(images: images, weights: LossWeights()).loss.total
            XCTAssertLessThan(last, first - 0.005, "\(kind): \(first) → \(last)")
            XCTAssertEqual(optimizer.step, 40)
        }
    }

    /// After an optimizer step decoding makes its constants per call (applyUpdate drops them);
    /// the images must be those of the same parameters loaded afresh.
    func testDecodeAfterAnOptimizerStepMatchesTheReloadedModel() throws {
        for kind in DecoderKind.allCases {
            var model = QLAE(config: TinyModels.config(kind), seed: 14)
            var optimizer = AdamW(hyperparameters: .init(learningRate: 1e-2))
            let images = TinyModels.images(count: 4, seed: 15)
            model.applyUpdate(gradients: model.lossAndGradients(images: images, weights: LossWeights()).gradients, optimizer: &optimizer)
            var reloaded = QLAE(config: TinyModels.config(kind), seed: 1)
            try reloaded.setParameters(model.parameters)
            let values = model.encode(images).values
            XCTAssertEqual(model.decode(values: values).images, reloaded.decode(values: values).images, "\(kind)")
        }
    }
}
