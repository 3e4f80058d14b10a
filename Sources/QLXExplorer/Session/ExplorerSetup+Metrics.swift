import Foundation
import QLXData
import QLXMetrics
import QLXModel

extension ExplorerSetup {
    /// ModelEvaluation.evaluate on a background thread.
    static func backgroundMetrics(model: QLAE, dataset: any FactorDataset, samples: Int, seed: UInt64) -> MetricsJob? {
        MetricsJob(samples: samples) { progress in
            let report = try ModelEvaluation.evaluate(model: model, dataset: dataset, samples: samples, seed: seed,
                                                      progress: progress)
            return MetricsDisplay(report: report, origin: .computed)
        }
    }
}
