import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

final class ModelTests: XCTestCase {
    func testParameterShapesFollowTheCanonicalNames() throws {
        let shapes = try QLAE.parameterShapes(for: TinyModels.preset(encoder: "image_small", decoder: "style_image_small"))
        let byName = Dictionary(uniqueKeysWithValues: shapes.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes.first?.name, "encoder.conv.0.weight")
        XCTAssertEqual(byName["encoder.conv.0.weight"], [64, 1, 4, 4])
        XCTAssertEqual(byName["encoder.conv.3.norm.bias"], [512])
        XCTAssertEqual(byName["encoder.dense.0.weight"], [512, 512 * 4 * 4])
        XCTAssertEqual(byName["encoder.head.weight"], [10, 512])
        XCTAssertEqual(byName["latent.values"], [10, 10])
        XCTAssertEqual(byName["decoder.input_map"], [512, 4, 4])
        XCTAssertEqual(byName["decoder.style.0.weight"], [512, 512, 4, 4])
        XCTAssertEqual(byName["decoder.style.3.conditioning.weight"], [128, 512])
        XCTAssertEqual(byName["decoder.conv.weight"], [1, 64, 3, 3])
        XCTAssertEqual(shapes.last?.name, "decoder.conv.weight")

        let image = Dictionary(uniqueKeysWithValues: try QLAE.parameterShapes(
            for: TinyModels.preset(encoder: "image", decoder: "image")).map { ($0.name, $0.shape) })
        XCTAssertEqual(image["encoder.conv.11.weight"], [256, 256, 4, 4])
        XCTAssertEqual(image["decoder.transition.weight"], [256 * 4 * 4, 256])
        XCTAssertEqual(image["decoder.conv_transpose.0.weight"], [256, 256, 3, 3])
        XCTAssertEqual(image["decoder.conv_transpose.11.norm.weight"], [32])
        XCTAssertEqual(image["decoder.conv.weight"], [1, 32, 1, 1])
    }

    func testDensePresetsNameTheirLayerNorms() throws {
        let shapes = try QLAE.parameterShapes(for: TinyModels.preset(encoder: "dense", decoder: "dense"))
        let byName = Dictionary(uniqueKeysWithValues: shapes.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes.first?.name, "encoder.dense.0.weight")
        XCTAssertEqual(byName["encoder.dense.0.weight"], [2048, 64 * 64])
        XCTAssertEqual(byName["encoder.dense.3.norm.weight"], [2048])
        XCTAssertEqual(byName["encoder.head.weight"], [10, 2048])
        XCTAssertEqual(byName["decoder.dense.0.weight"], [2048, 10])
        XCTAssertEqual(byName["decoder.dense.0.norm.bias"], [2048])
        XCTAssertEqual(byName["decoder.head.weight"], [64 * 64, 2048])
        XCTAssertEqual(shapes.last?.name, "decoder.head.bias")
        XCTAssertEqual(shapes.count, 4 * 4 + 2 + 1 + 4 * 4 + 2)
    }

    func testModuleTreeSpellsEachLeafTheReferenceWay() throws {
        let tree = try QLAE.moduleTree(for: TinyModels.preset(encoder: "image_small", decoder: "image_small"))
        let paths = Dictionary(uniqueKeysWithValues: tree.leaves.filter { $0.parameter != nil }.map { ($0.path.name, $0.path.reference) })
        XCTAssertEqual(paths["encoder.conv.2.norm.weight"], ".conv.layers[2].layers[1].weight")
        XCTAssertEqual(paths["encoder.dense.0.bias"], ".dense.layers[0].layers[0].bias")
        XCTAssertEqual(paths["decoder.dense.0.weight"], ".layers[0].layers[0].layers[0].weight")
        XCTAssertEqual(paths["decoder.transition.bias"], ".layers[1].layers[0].bias")
        XCTAssertEqual(paths["decoder.conv_transpose.3.weight"], ".layers[3].layers[3].layers[0].weight")
        XCTAssertEqual(paths["decoder.conv.weight"], ".layers[4].layers[0].weight")
        // The reference's shape tuples are int leaves: first in the encoder, last in the decoder.
        XCTAssertEqual(tree.encoder.prefix(3).map(\.value), [.int(512), .int(4), .int(4)])
        XCTAssertEqual(tree.decoder.suffix(3).map(\.path.reference), [".transition_shape[0]", ".transition_shape[1]", ".transition_shape[2]"])
        let style = try QLAE.moduleTree(for: TinyModels.preset(encoder: "image_small", decoder: "style_image_small"))
        XCTAssertEqual(style.decoder.first?.path.name, "decoder.input_map")
        XCTAssertEqual(style.decoder.first { $0.path.name == "decoder.style.1.weight" }?.parameter?.stored, .transposedKernel)
    }

    func testRandomInitialisationFollowsTheReferenceDefaults() {
        let model = QLAE(config: TinyModels.config(.styleImage), seed: 1)
        XCTAssertEqual(model.codebooks.count, 3)
        assertClose(model.codebooks[2], [-0.5, -1.0 / 6, 1.0 / 6, 0.5])
        XCTAssertTrue(model.parameters["decoder.input_map"]!.data.allSatisfy { $0 == 0.1 })
        XCTAssertTrue(model.parameters["encoder.conv.1.norm.weight"]!.data.allSatisfy { $0 == 1 })
        let w = model.parameters["encoder.conv.1.weight"]!.data   // fan_in 3·4·4
        XCTAssertLessThanOrEqual(w.map(abs).max()!, 1 / Float(48).squareRoot())
        XCTAssertGreaterThan(w.map(abs).max()!, 0.8 / Float(48).squareRoot())
        let same = QLAE(config: TinyModels.config(.styleImage), seed: 1)
        XCTAssertEqual(same.parameters, model.parameters)
        XCTAssertNotEqual(QLAE(config: TinyModels.config(.styleImage), seed: 2).parameters, model.parameters)
        XCTAssertEqual(model.parameterCount, model.parameters.values.reduce(0) { $0 + $1.count })
    }

    func testInvalidParametersAndConfigurationsThrow() throws {
        let config = TinyModels.config(.image)
        let good = QLAE(config: config, seed: 3).parameters
        var missing = good; missing["decoder.conv.weight"] = nil
        XCTAssertThrowsError(try QLAE(config: config, parameters: missing)) {
            XCTAssertEqual($0 as? ModelError, .missingTensor(path: nil, name: "decoder.conv.weight", expectedShape: [2, 2, 1, 1]))
        }
        var wrong = good; wrong["encoder.head.bias"] = Tensor(zeros: [4])
        XCTAssertThrowsError(try QLAE(config: config, parameters: wrong)) {
            XCTAssertEqual($0 as? ModelError, .shapeMismatch(path: nil, name: "encoder.head.bias", expected: [3], found: [4]))
        }
        var nan = good; nan["latent.values"]!.data[5] = .nan
        XCTAssertThrowsError(try QLAE(config: config, parameters: nan)) {
            XCTAssertEqual($0 as? ModelError, .nonFinite(path: nil, name: "latent.values", index: 5))
        }
        var extra = good; extra["decoder.extra"] = Tensor(zeros: [1])
        XCTAssertThrowsError(try QLAE(config: config, parameters: extra))
        XCTAssertNoThrow(try QLAE(config: config, parameters: good))

        var bad = config
        bad.decoder.convTranspose.strides = [1, 1]   // decodes 4×4, not 8×8
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("but the image is 8×8"), "\($0)") }
        bad = config
        bad.encoder.conv.paddings = [1]
        XCTAssertThrowsError(try bad.validate())
        bad = TinyModels.config(.styleImage)
        bad.decoder.inputChannels = nil
        XCTAssertThrowsError(try bad.validate())
    }

    func testQuantizerPicksTheNearestValueOfEachLatentsOwnCodebook() {
        let codebooks = Tensor(shape: [2, 3], data: [-1, 0, 1, 10, 20, 30])
        let q = Quantizer.quantize(Tensor(shape: [2, 2], data: [0.4, 24, -7, 26]), codebooks: codebooks)
        XCTAssertEqual(q.codes, [[1, 1], [0, 2]])
        XCTAssertEqual(q.values.data, [0, 20, -1, 30])
        XCTAssertEqual(Quantizer.values(of: q.codes, codebooks: codebooks), q.values)
        // A tie goes to the lower index.
        XCTAssertEqual(Quantizer.quantize(Tensor(shape: [1, 2], data: [0.5, 15]), codebooks: codebooks).codes, [[1, 0]])
    }

    func testEncodeAndDecodeAgreeWithEachOther() {
        for kind in DecoderKind.allCases {
            let model = QLAE(config: TinyModels.config(kind), seed: 4)
            let images = TinyModels.images(count: 3, seed: 5)
            let e = model.encode(images)
            XCTAssertEqual(e.continuous.shape, [3, 3])
            XCTAssertEqual(e.codes.count, 3)
            for i in 0..<3 { for j in 0..<3 {
                XCTAssertEqual(e.values.data[i * 3 + j], model.codebooks[j][e.codes[i][j]])
            } }
            let byCodes = model.decode(codes: e.codes)
            let byValues = model.decode(values: e.values)
            XCTAssertEqual(byCodes.logits.shape, [3, 2, 8, 8])
            assertClose(byCodes.logits, byValues.logits)
            assertClose(byCodes.images.data, byValues.logits.data.map { 1 / (1 + exp(-$0)) }, atol: 1e-6)
            // Decoding in one batch equals decoding one at a time (the style base is shared).
            for i in 0..<3 {
                let single = model.decode(codes: [e.codes[i]]).logits.data
                assertClose(single, Array(byCodes.logits.data[(i * 128)..<((i + 1) * 128)]), "\(kind) image \(i)")
            }
        }
    }

    func testRoundTripInShardsGivesEachCodeItsOwnImagesCodes() {
        for kind in DecoderKind.allCases {
            let model = QLAE(config: TinyModels.config(kind), seed: 7)
            var generator = SeededGenerator(seed: 8)
            // 37 codes: two whole shards and a partial one, in an order the shards must keep.
            let codes = (0..<37).map { _ in (0..<3).map { _ in Int.random(in: 0..<model.config.latent.valuesPerLatent, using: &generator) } }
            let oneAtATime = codes.map { model.encode(model.decode(codes: [$0]).images).codes[0] }
            XCTAssertEqual(model.roundTrip(codes: codes), oneAtATime, "\(kind)")
            XCTAssertEqual(model.roundTrip(codes: Array(codes.prefix(5))), Array(oneAtATime.prefix(5)), "\(kind)")
            // On a background job's own threads (the explorer's interventions), one shard too.
            let team = BackgroundTeam(helpers: 2, niceness: 10)
            defer { team.stop() }
            XCTAssertEqual(model.roundTrip(codes: codes, on: team), oneAtATime, "\(kind) on a background team")
            XCTAssertEqual(model.roundTrip(codes: Array(codes.prefix(5)), on: team), Array(oneAtATime.prefix(5)),
                           "\(kind) on a background team, one shard")
        }
    }

    func testUnquantizedModelsHaveNoCodebooks() throws {
        let config = TinyModels.config(.image, quantized: false)
        XCTAssertFalse(try QLAE.parameterShapes(for: config).contains { $0.name == "latent.values" })
        let model = QLAE(config: config, seed: 6)
        let e = model.encode(TinyModels.images(count: 2, seed: 7))
        XCTAssertEqual(e.values, e.continuous)
        XCTAssertTrue(e.codes.isEmpty)
        XCTAssertTrue(model.codebooks.isEmpty)
    }

    func testDecayedGroupHoldsWeightsOnly() {
        let style = QLAE(config: TinyModels.config(.styleImage), seed: 1)
        XCTAssertTrue(style.isDecayed(parameterName: "encoder.conv.0.weight"))
        XCTAssertTrue(style.isDecayed(parameterName: "decoder.style.1.conditioning.weight"))
        XCTAssertTrue(style.isDecayed(parameterName: "decoder.input_map"))
        XCTAssertFalse(style.isDecayed(parameterName: "encoder.conv.0.norm.weight"))
        XCTAssertFalse(style.isDecayed(parameterName: "encoder.dense.0.bias"))
        XCTAssertFalse(style.isDecayed(parameterName: "latent.values"))
        let dense = QLAE(config: TinyModels.config(.dense), seed: 1)
        XCTAssertTrue(dense.isDecayed(parameterName: "decoder.head.weight"))
        XCTAssertFalse(dense.isDecayed(parameterName: "encoder.dense.1.norm.weight"))
        XCTAssertFalse(dense.isDecayed(parameterName: "decoder.dense.0.norm.bias"))
    }
}


/// Tiny architectures that exercise every layer kind in milliseconds.
enum TinyModels {
    static let image = ImageShape(channels: 2, height: 8, width: 8)
    static let dataset = DatasetInfo(name: "tiny", factorNames: ["a", "b"], factorSizes: [2, 3])
    static let encoder = EncoderConfig(
        preset: "custom",
        conv: ConvStackConfig(widths: [3, 4], kernelSizes: [3, 4], strides: [1, 2], paddings: [1, 1]),
        denseWidths: [6])
    static let transposes = ConvStackConfig(widths: [3, 2], kernelSizes: [4, 3], strides: [2, 1], paddings: [1, 1])

    /// A dense encoder beside the dense decoder (layer norms in both), the conv encoder otherwise.
    static let denseEncoder = EncoderConfig(kind: .dense, preset: "custom", conv: .empty, denseWidths: [6, 5])

    static func config(_ kind: DecoderKind, quantized: Bool = true) -> QLAEConfig {
        let decoder: DecoderConfig
        switch kind {
        case .image: decoder = DecoderConfig(kind: .image, preset: "custom", denseWidths: [6], convTranspose: transposes)
        case .styleImage:
            decoder = DecoderConfig(kind: .styleImage, preset: "custom", denseWidths: [6], convTranspose: transposes, inputChannels: 3)
        case .dense: decoder = DecoderConfig(kind: .dense, preset: "custom", denseWidths: [5, 6], convTranspose: .empty)
        }
        return QLAEConfig(encoder: kind == .dense ? denseEncoder : encoder, decoder: decoder,
                          latent: LatentConfig(count: 3, valuesPerLatent: 4, quantized: quantized),
                          image: image, dataset: dataset)
    }

    /// Images in [0, 1] (deterministic).
    static func images(count: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let shape = [count, image.channels, image.height, image.width]
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() })
    }

    /// The reference presets at dSprites size with 10 latents of 10 values.
    static func preset(encoder: String, decoder: String) -> QLAEConfig {
        QLAEConfig(encoder: ArchitecturePreset.encoder(named: encoder)!, decoder: ArchitecturePreset.decoder(named: decoder)!,
                   latent: LatentConfig(count: 10, valuesPerLatent: 10),
                   image: ImageShape(channels: 1, height: 64, width: 64), dataset: dataset)
    }
}

/// Mean sigmoid binary cross-entropy in Double, written independently of the model's loss.
func meanBCE(logits: [Float], targets: [Float]) -> Double {
    var sum = 0.0
    for i in logits.indices {
        let l = Double(logits[i]), x = Double(targets[i])
        let p = 1 / (1 + exp(-l))
        sum += -(x * log(p) + (1 - x) * log(1 - p))
    }
    return sum / Double(logits.count)
}
