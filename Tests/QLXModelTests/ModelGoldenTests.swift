import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// Whole tiny models against JAX (scripts/golden/model_golden.py): encoder output and codes,
/// decoded logits, loss terms and every parameter's gradient under the straight-through estimator.
final class ModelGoldenTests: XCTestCase {
    private func config(_ kind: DecoderKind) -> QLAEConfig {
        let encoder = EncoderConfig(preset: "custom",
                                    conv: ConvStackConfig(widths: [4, 4, 8], kernelSizes: [3, 4, 4], strides: [1, 2, 2], paddings: [1, 1, 1]),
                                    denseWidths: [16])
        let transposes = ConvStackConfig(widths: [8, 4, 4], kernelSizes: [4, 4, 3], strides: [2, 2, 1], paddings: [1, 1, 1])
        let decoder = DecoderConfig(kind: kind, preset: "custom", denseWidths: [16], convTranspose: transposes,
                                    inputChannels: kind == .styleImage ? 6 : nil)
        return QLAEConfig(encoder: encoder, decoder: decoder, latent: LatentConfig(count: 4, valuesPerLatent: 5),
                          image: ImageShape(channels: 2, height: 16, width: 16),
                          dataset: DatasetInfo(name: "golden", factorNames: ["a"], factorSizes: [2]))
    }

    private func check(_ kind: DecoderKind) throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let g = try GoldenFixture(directory: dir, name: "model_golden_\(kind.rawValue)")
        var parameters: [String: Tensor] = [:]
        for (key, t) in g.tensors where key.hasPrefix("param.") { parameters[String(key.dropFirst(6))] = t }
        let model = try QLAE(config: config(kind), parameters: parameters)

        let encoding = model.encode(g["images"])
        assertClose(encoding.continuous, g["continuous"], rtol: 1e-4, atol: 1e-5, "\(kind) continuous")
        XCTAssertEqual(encoding.codes.flatMap { $0.map(Float.init) }, g["codes"].data, "\(kind) codes")
        assertClose(encoding.values, g["values"], "\(kind) values")
        let logits = model.decode(values: g["values"]).logits
        assertClose(logits, g["logits"], rtol: 1e-4, atol: 1e-5, "\(kind) logits")
        assertClose(model.decode(codes: encoding.codes).logits, g["logits"], rtol: 1e-4, atol: 1e-5, "\(kind) logits from codes")

        let (terms, gradients) = model.lossAndGradients(images: g["images"], weights: LossWeights())
        let loss = g["loss"].data
        assertClose([terms.reconstruction, terms.quantization, terms.commitment, terms.total], loss, rtol: 1e-5, atol: 1e-7, "\(kind) loss")
        XCTAssertEqual(Set(gradients.keys), Set(parameters.keys))
        for (name, gradient) in gradients {
            let expected = g["grad.\(name)"]
            // Tiny elements of a tensor are compared relative to its largest.
            let scale = expected.data.map(abs).max() ?? 0
            assertClose(gradient, expected, rtol: 1e-4, atol: max(1e-4 * scale, 1e-9), "\(kind) gradient \(name)")
        }
    }

    func testImageDecoderModelMatchesJAX() throws { try check(.image) }
    func testStyleImageDecoderModelMatchesJAX() throws { try check(.styleImage) }
}
