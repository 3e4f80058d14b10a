import XCTest
import QLXData
import QLXModel
import QLXTraining

/// Three-channel training end to end: a tiny QLAE on the colour scenes learns something.
final class ColourTrainingTests: XCTestCase {
    func testATinyModelLearnsTheColourScenes() throws {
        let scenes = ScenesDataset()
        let config = try ModelBuilder.config(encoder: ModelBuilder.customEncoder(widths: [4, 8, 8, 8], denseWidths: [32]),
                                             decoder: ModelBuilder.customDecoder(widths: [8, 8, 8, 4], denseWidths: [32], kind: .image),
                                             latents: 6, valuesPerLatent: 10, quantized: true, dataset: scenes)
        XCTAssertEqual(config.image.channels, 3)
        var trainer = try Trainer(config: config, dataset: scenes,
                                  options: TrainingOptions(steps: 200, batchSize: 16, learningRate: 1e-2, seed: 1,
                                                           evaluationSamples: 200))
        let before = try trainer.evaluate()
        while !trainer.isFinished { try trainer.step() }
        let after = try trainer.evaluate()
        // BCE against colour targets keeps their own entropy (about 0.5 here), so judge the
        // drop and the PSNR gain rather than a level.
        XCTAssertLessThan(after.bce, before.bce - 0.05, "held-out BCE \(before.bce) → \(after.bce)")
        XCTAssertGreaterThan(after.psnr, before.psnr + 1, "PSNR \(before.psnr) → \(after.psnr)")
    }
}
