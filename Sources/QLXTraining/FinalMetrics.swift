import Foundation
import QLXData
import QLXMetrics
import QLXModel

/// The disentanglement report stored in a finished checkpoint (`MetricsReport.metadataKey`),
/// so `qlx traverse` and the explorer can name latents without recomputing.
public enum FinalMetrics {
    /// Evaluates `samples` images (seeded by the run's seed, as `qlx metrics --seed` would) and
    /// returns the metadata entry; `report` receives progress and summary lines.
    public static func metadata(for trainer: Trainer, samples: Int, report: (String) -> Void) throws -> [String: String] {
        report("computing InfoMEC on \(samples) images…")
        var nextQuarter = 0.25
        let metrics = try ModelEvaluation.evaluate(model: trainer.model, dataset: trainer.dataset, samples: samples,
                                                   seed: trainer.options.seed) { fraction in
            if fraction >= nextQuarter && fraction < 1 {
                report(String(format: "  metrics %.0f%%", 100 * fraction))
                nextQuarter += 0.25
            }
        }
        report(summary(metrics))
        return try metrics.metadataEntry()
    }

    public static func summary(_ metrics: MetricsReport) -> String {
        String(format: "InfoM %.3f  InfoE %.3f  InfoC %.3f  MIG %.3f  (%ld samples, %ld of %ld latents active)",
               metrics.infoM, metrics.infoE, metrics.infoC, metrics.mig, metrics.samples,
               metrics.activeLatentCount, metrics.latentCount)
    }
}
