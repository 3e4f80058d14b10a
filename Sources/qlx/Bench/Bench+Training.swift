import Foundation
import QLXData
import QLXModel
import QLXTraining

extension BenchSection {
    /// Whole training steps as `qlx train` runs them (batch generation, forward, backward,
    /// AdamW) at batch 64, for `qlx train`'s default architecture on sprites: the architecture
    /// scripts/jax_train_speed.py builds by default (and the bundled sprites model's). Not the
    /// bundled default model: that is the colour scenes model, whose 3-channel images sprites
    /// cannot feed.
    static let training = BenchSection(name: "training", summary: "qlx train throughput at batch 64 (images/s)") {
        let dataset = SpritesDataset()
        let config = try ModelBuilder.defaultConfig(dataset: dataset)
        let source = "qlx train default on sprites"
        let describe = { (widths: [Int]) in widths.map(String.init).joined(separator: ",") }
        print("  architecture (\(source)): encoder \(config.encoder.preset) \(describe(config.encoder.conv.widths)) dense \(describe(config.encoder.denseWidths)), decoder \(config.decoder.kind.rawValue) \(describe(config.decoder.convTranspose.widths)), \(config.latent.count) latents × \(config.latent.valuesPerLatent)")
        var trainer = try Trainer(config: config, dataset: dataset, options: TrainingOptions(steps: 1_000_000, batchSize: 64, seed: 1))
        for _ in 0..<2 { try trainer.step() }   // warm-up: first-touch allocations, BLAS threads
        var times: [Double] = []
        let cpuStart = trainingBenchCPUSeconds()
        let start = Date()
        while times.count < 5 || (Date().timeIntervalSince(start) < 10 && times.count < 50) {
            let stepStart = DispatchTime.now().uptimeNanoseconds
            try trainer.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9)
        }
        // CPU time over all threads: on a machine shared with other work the wall figure
        // drops, while CPU seconds per step stay comparable.
        let cpuPerStep = (trainingBenchCPUSeconds() - cpuStart) / Double(times.count)
        let median = times.sorted()[times.count / 2]
        print(String(format: "  %.1f images/s  (%.1f ms/step median of %d steps, %.0f ms CPU/step, %.2fM parameters)",
                     64 / median, median * 1e3, times.count, cpuPerStep * 1e3, Double(trainer.model.parameterCount) / 1e6))
        print(String(format: "  of which sprite generation: %.2f ms per batch", batchGenerationSeconds(dataset) * 1e3))
    }

    private static func batchGenerationSeconds(_ dataset: SpritesDataset) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for round in 0..<20 { _ = dataset.images(at: sampleIndices(count: 64, of: dataset.count, seed: UInt64(round))) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / 20
    }
}

/// User + system CPU time of this process (all threads) so far.
private func trainingBenchCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}
