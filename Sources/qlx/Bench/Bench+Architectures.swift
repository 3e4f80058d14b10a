import QLXCore
import QLXModel

extension BenchSection {
    /// Training throughput of small image_small-family architectures, to choose the bundled
    /// model's (the `training` section times the bundled one through `qlx train`'s code).
    static let architectures = BenchSection(name: "architectures",
                                            summary: "training images/s of candidate architectures at batch 64") {
        print("  forward + backward + AdamW step, median of 5 after warm-up:")
        for (label, config) in CoreBench.trainingCandidates {
            var model = QLAE(config: config, seed: 3)
            var optimizer = AdamW()
            var rng = SeededGenerator(seed: 4)
            let images = Tensor(shape: [64, 1, 64, 64], data: (0..<(64 * 4096)).map { _ in rng.nextUnitFloat() < 0.1 ? 1 : 0 })
            let seconds = CoreBench.median(runs: 5, warmUp: 1) {
                let step = model.lossAndGradients(images: images, weights: LossWeights())
                model.applyUpdate(gradients: step.gradients, optimizer: &optimizer)
            }
            let flops = 3 * 2 * Double(model.encoderMultiplyAdds(batch: 64) + model.decoderMultiplyAdds(batch: 64))
            print(String(format: "    %@: %7.1f images/s  (%6.1f ms/step, ~%5.1f GFLOPS, %.2fM parameters)",
                         label, 64 / seconds, seconds * 1e3, flops / seconds / 1e9, Double(model.parameterCount) / 1e6))
        }
    }
}
