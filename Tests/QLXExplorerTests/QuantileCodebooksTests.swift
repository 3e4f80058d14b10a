import XCTest
import QLXCore
import QLXData
import QLXExplorer
import QLXModel
import QLXModelTestSupport
import QLXTestSupport

/// Continuous models in the explorer: stand-in codebooks at quantiles of the encoded values.
final class QuantileCodebooksTests: XCTestCase {
    func testQuantilesInterpolateBetweenOrderStatistics() {
        // Column 0: 0, 1, …, 100 shuffled; column 1: ten times column 0, negated.
        let values = (0...100).map(Float.init).shuffled()
        let latents = Tensor(shape: [101, 2], data: values.flatMap { [$0, -10 * $0] })
        let table = QuantileCodebooks.quantiles(of: latents, values: 4)
        // Positions (k + ½)/4 · 100 = 12.5, 37.5, 62.5, 87.5 between order statistics.
        XCTAssertEqual(table[0], [12.5, 37.5, 62.5, 87.5])
        XCTAssertEqual(table[1], [-875, -625, -375, -125])
    }

    func testAContinuousModelOpensWithQuantileCodebooksAndContinuousMetrics() throws {
        var config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 3, values: 4)
        config.latent = LatentConfig(count: 3, valuesPerLatent: 0, quantized: false)
        let model = QLAE(config: config, seed: 7)
        let path = try makeScratchDirectory("quantiles").appendingPathComponent("ae.safetensors").path
        let session = try ExplorerSetup.session(.init(checkpointPath: path, checkpoint: Checkpoint(model: model),
                                                      metricSamples: 0, seed: 3, values: 6))
        XCTAssertEqual(session.state.codebooks.count, 3)
        // The same 2,000 samples, encoded here, give the same quantiles.
        let dataset = SpritesDataset()
        let indices = sampleIndices(count: 2_000, of: dataset.count, seed: 3)
        var continuous: [Float] = []
        for start in stride(from: 0, to: indices.count, by: 500) {
            continuous += model.encode(dataset.images(at: Array(indices[start..<(start + 500)]))).continuous.data
        }
        let expected = QuantileCodebooks.quantiles(of: Tensor(shape: [2_000, 3], data: continuous), values: 6)
        for j in 0..<3 {
            assertClose(session.state.codebooks[j], expected[j], rtol: 1e-5, atol: 1e-6, "latent \(j)")
            XCTAssertEqual(session.state.codebooks[j], session.state.codebooks[j].sorted())
        }
    }
}
