import Foundation
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
        let indices = drawSample(count: 2_000, of: dataset.count, seed: 3)
        var continuous: [Float] = []
        for start in stride(from: 0, to: indices.count, by: 500) {
            continuous += model.encode(dataset.images(at: Array(indices[start..<(start + 500)]))).continuous.data
        }
        func quantiles(_ n: Int) -> [[Float]] {
            QuantileCodebooks.quantiles(of: Tensor(shape: [n, 3], data: Array(continuous.prefix(3 * n))), values: 6)
        }
        // The first frame has the quantiles of the sample's first images; the rest come from
        // the background, which has not started yet.
        let job = try XCTUnwrap(session.codebookJob)
        guard case .notStarted = job.poll().progress else { return XCTFail("the sample was encoded before the first frame") }
        let first = quantiles(QuantileCodebooks.provisionalSamples)
        for j in 0..<3 { assertClose(session.state.codebooks[j], first[j], rtol: 1e-5, atol: 1e-6, "provisional latent \(j)") }
        session.start()
        _ = session.frame(width: 120, height: 40)
        session.startMetrics()
        XCTAssertEqual(session.state.backgroundStatus?.hasPrefix("quantile codebooks: encoding 2000 images, "), true,
                       session.state.backgroundStatus ?? "no status")
        // In the status line from the start (the export folder's note gives way to it).
        XCTAssertTrue(session.frame(width: 120, height: 40).text.contains("quantile codebooks: encoding 2000 images, "))
        XCTAssertNotNil(job.wait(timeout: 120))
        let deadline = Date().addingTimeInterval(30)
        while session.codebookJob != nil && Date() < deadline { _ = session.update(); Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertNil(session.codebookJob)
        XCTAssertNil(session.state.backgroundStatus)
        XCTAssertEqual(session.state.statusMessage, "quantile codebooks: values at the quantiles of 2000 images")
        let expected = quantiles(2_000)
        for j in 0..<3 {
            assertClose(session.state.codebooks[j], expected[j], rtol: 1e-5, atol: 1e-6, "latent \(j)")
            XCTAssertEqual(session.state.codebooks[j], session.state.codebooks[j].sorted())
        }
        // The start sample's code follows the new quantiles.
        let start = try XCTUnwrap(session.state.startSample)
        XCTAssertEqual(start.code, try session.source.sample(at: start.index).code)
        XCTAssertEqual(session.state.code, start.code)
    }

    /// A dataset smaller than the sample is used whole, each image once.
    func testTheSampleIsAtMostTheDataset() {
        let dataset = SmallDataset(count: 40)
        XCTAssertEqual(QuantileCodebooks.sample(of: dataset, seed: 1).sorted(), Array(0..<40))
    }
}

/// A dataset of `count` blank images (for sample sizes only).
private struct SmallDataset: FactorDataset {
    let count: Int
    var name: String { "small" }
    var factorNames: [String] { ["index"] }
    var factorSizes: [Int] { [count] }
    var imageShape: ImageShape { ImageShape(channels: 1, height: 64, width: 64) }
    func factors(at index: Int) -> [Int] { [index] }
    func index(of factors: [Int]) -> Int { factors[0] }
    func images(at indices: [Int]) throws -> Tensor { Tensor(shape: [indices.count, 1, 64, 64], data: Array(repeating: 0, count: indices.count * 4096)) }
}
