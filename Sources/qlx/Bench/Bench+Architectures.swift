import QLXCore
import QLXModel

extension BenchSection {
    /// Decode latency of the reference decoders at batch 1, 10 and 100, with the sgemm peak
    /// measured in the same run. scripts/eqx_decode_speed.py prints the same table for the
    /// reference's Equinox layers, so the two can run back to back.
    static let architectures = BenchSection(name: "architectures",
                                            summary: "decode latency of the reference decoders (batch 1, 10, 100)") {
        let peak = CoreBench.sgemmGFLOPS(size: 2048)
        print(String(format: "  sgemm 2048×2048×2048 peak: %.1f GFLOPS (%d BLAS threads, %@)",
                     peak, Gemm.threadCount, BLASKernels.describe()))
        print("  10 latents × 10 values, random weights; median of 25 calls (9 at batch 100) after 3 warm-up calls.")
        print("  GFLOPS count the convolutions and dense layers (2 per multiply-add of their direct form), without")
        print("  the style decoders' z-independent first block; Winograd's forms do fewer multiply-adds, so this is")
        print("  the direct form's equivalent rate.")
        print("  decoder                            batch   median ms    GFLOPS  share of peak")
        for (label, encoder, decoder) in CoreBench.referenceDecoders
        where BenchInputs.decoders.isEmpty || BenchInputs.decoders.contains(label) {
            let model = QLAE(config: CoreBench.config(encoder: encoder, decoder: decoder), seed: 1)
            for batch in CoreBench.architectureBatches where BenchInputs.batches.isEmpty || BenchInputs.batches.contains(batch) {
                var rng = SeededGenerator(seed: 2)
                let codes = (0..<batch).map { _ in (0..<10).map { _ in Int(rng.next() % 10) } }
                let seconds = CoreBench.median(runs: batch >= 100 ? 9 : 25, warmUp: 3) { _ = model.decode(codes: codes) }
                let gflops = 2 * Double(model.decoderMultiplyAdds(batch: batch)) / seconds / 1e9
                print(String(format: "  %@ %5d  %10.2f  %8.1f  %12.0f%%",
                             label.padding(toLength: 34, withPad: " ", startingAt: 0), batch, seconds * 1e3, gflops, 100 * gflops / peak))
            }
        }
    }

    /// Training throughput of small image_small-family architectures, to choose the bundled
    /// model's (the `training` section times the bundled one through `qlx train`'s code).
    static let candidates = BenchSection(name: "candidates",
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
