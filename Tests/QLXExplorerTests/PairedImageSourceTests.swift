import XCTest
import QLXCore
import QLXExplorer
import QLXModel
import QLXModelTestSupport
import QLXRender
import QLXTestSupport

/// `qlx explore A B`: one code decoded by both models, A left and B right.
final class PairedImageSourceTests: XCTestCase {
    func config(latents: Int, quantized: Bool) -> QLAEConfig {
        var config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: latents, values: 5)
        if !quantized { config.latent = LatentConfig(count: latents, valuesPerLatent: 0, quantized: false) }
        return config
    }

    func testEachCodeDecodesWithBothModelsSideBySide() throws {
        let a = QLAE(config: config(latents: 3, quantized: true), seed: 1)
        let b = QLAE(config: config(latents: 3, quantized: false), seed: 2)
        let session = try ExplorerSetup.session(.init(checkpointPath: "a.safetensors", checkpoint: Checkpoint(model: a),
                                                      metricSamples: 0, seed: 4, comparison: Checkpoint(model: b),
                                                      comparisonPath: "b.safetensors"))
        XCTAssertEqual(session.state.imageWidth, 2 * 64 + PairedImageSource.gap)
        XCTAssertEqual(session.state.comparisonName, "b.safetensors")
        // B is continuous: it steps through as many quantiles as A has values.
        let paired = try XCTUnwrap(session.source as? PairedImageSource)
        XCTAssertEqual(paired.second.model.config.latent.valuesPerLatent, 5)
        let code = [0, 2, 4]
        let image = paired.decode(codes: [code])[0]
        XCTAssertEqual(image.width, 132)
        let leftImages = a.decode(codes: [code]).images, rightImages = paired.second.model.decode(codes: [code]).images
        let left = RenderImage.batch(planar: leftImages.data, shape: leftImages.shape)[0]
        let right = RenderImage.batch(planar: rightImages.data, shape: rightImages.shape)[0]
        for y in [0, 31, 63] {
            for x in [0, 40, 63] {
                XCTAssertEqual(image.pixels[y * 132 + x], left.pixels[y * 64 + x])
                XCTAssertEqual(image.pixels[y * 132 + 68 + x], right.pixels[y * 64 + x])
            }
        }
    }

    func testModelsWithDifferentLatentCountsAreRefused() throws {
        let a = QLAE(config: config(latents: 3, quantized: true), seed: 1)
        let b = QLAE(config: config(latents: 2, quantized: true), seed: 2)
        XCTAssertThrowsError(try ExplorerSetup.session(.init(checkpointPath: "a.safetensors", checkpoint: Checkpoint(model: a),
                                                             metricSamples: 0, comparison: Checkpoint(model: b),
                                                             comparisonPath: "b.safetensors"))) { error in
            XCTAssertEqual("\(error)", "cannot explore this model: b.safetensors has 2 latents on 1×64×64 images, a.safetensors 3 on 1×64×64; side by side needs the same")
        }
    }
}
