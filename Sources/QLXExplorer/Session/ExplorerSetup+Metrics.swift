import Foundation
import QLXData
import QLXMetrics
import QLXModel

extension MetricsDisplay {
    /// The figures of a `MetricsReport` (from `qlx metrics`, the trainer or the background job).
    public init(report: MetricsReport, origin: Origin) {
        self.init(factorNames: report.factorNames, nmi: report.nmi, activeLatents: report.activeLatents,
                  latentFactor: report.latentFactor, infoM: report.infoM, infoE: report.infoE, infoC: report.infoC,
                  mig: report.mig,
                  reconstruction: report.reconstruction.map { Reconstruction(bce: $0.bce, mse: $0.mse, psnr: $0.psnr) },
                  usageCounts: report.codebookUsage?.map(\.counts),
                  perplexity: report.codebookUsage?.map(\.perplexity),
                  samples: report.samples, origin: origin)
    }
}

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
