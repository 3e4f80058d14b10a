import Foundation
import QLXData
import QLXMetrics
import QLXModel

extension MetricsDisplay {
    /// The figures of a `MetricsReport` (from `qlx metrics`, the trainer or the background job);
    /// `dataset` supplies colour swatches for colour factors.
    public init(report: MetricsReport, origin: Origin, dataset: (any FactorDataset)? = nil) {
        self.init(factorNames: report.factorNames, nmi: report.nmi, activeLatents: report.activeLatents,
                  latentFactor: report.latentFactor, infoM: report.infoM, infoE: report.infoE, infoC: report.infoC,
                  mig: report.mig,
                  reconstruction: report.reconstruction.map { Reconstruction(bce: $0.bce, mse: $0.mse, psnr: $0.psnr) },
                  usageCounts: report.codebookUsage?.map(\.counts),
                  perplexity: report.codebookUsage?.map(\.perplexity),
                  samples: report.samples, origin: origin)
        dci = report.dci.map { DCIFigures(disentanglement: $0.disentanglement, completeness: $0.completeness,
                                          informativeness: $0.informativeness) }
        interventions = report.interventions.map { InterventionFigures(bases: $0.bases, changes: $0.changes) }
        valueMeanings = report.valueMeanings.map { meanings in
            meanings.entries.enumerated().map { j, values in
                values.map { entry -> ValueMeaning? in
                    guard entry.samples > 0, !entry.modes.isEmpty else { return nil }
                    // The latent's own factor; for an inactive latent, the factor its value best predicts.
                    let own = report.latentFactor.indices.contains(j) ? report.latentFactor[j] : nil
                    let factor = own ?? entry.modes.indices.max { entry.modes[$0].share < entry.modes[$1].share }!
                    let mode = entry.modes[factor]
                    let colour = dataset?.valueColour(factor: factor, value: mode.value).map { [$0.r, $0.g, $0.b] }
                    return ValueMeaning(samples: entry.samples, factor: factor, valueName: meanings.name(factor: factor, value: mode.value),
                                        share: mode.share, colour: colour)
                }
            }
        }
    }

    /// The parts a stored report lacks (DCI, value meanings, interventions) taken from `computed`;
    /// the stored figures themselves stay.
    func fillingGaps(from computed: MetricsDisplay) -> MetricsDisplay {
        var merged = self
        merged.dci = dci ?? computed.dci
        merged.valueMeanings = valueMeanings ?? computed.valueMeanings
        merged.interventions = interventions ?? computed.interventions
        merged.interventionsPending = interventions == nil && computed.interventionsPending
        return merged
    }
}

extension ExplorerSetup {
    /// Base codes of the explorer's interventions (as `qlx metrics --interventions`).
    static let interventionBases = 200

    /// ModelEvaluation.evaluate on a background thread, then (quantized models) the
    /// interventions on the first samples' codes as a second step, so the figures show first.
    /// With `stored`, its figures stay unless the job measures on more samples; only what it
    /// lacks comes from the job.
    static func backgroundMetrics(model: QLAE, dataset: any FactorDataset, samples: Int, seed: UInt64,
                                  stored: MetricsDisplay? = nil) -> MetricsJob? {
        let keep: @Sendable (MetricsDisplay) -> MetricsDisplay = { computed in
            guard let stored, stored.samples >= computed.samples else { return computed }
            return stored.fillingGaps(from: computed)
        }
        let quantized = model.config.latent.quantized
        let bases = min(interventionBases, samples)
        let work: MetricsJob.Work = { progress in
            var report = try ModelEvaluation.evaluate(model: model, dataset: dataset, samples: samples, seed: seed,
                                                      progress: progress)
            report.interventions = nil
            var display = MetricsDisplay(report: report, origin: .computed, dataset: dataset)
            display.interventionsPending = quantized
            return keep(display)
        }
        let interventions: MetricsJob.FollowUp = { display, progress in
            let codes = try ModelEvaluation.encode(model: model, dataset: dataset, samples: bases, seed: seed,
                                                   decode: false, progress: { _ in }).codes
            let matrix = try InterventionMatrix.measure(model: model, baseCodes: codes, progress: progress)
            var next = display
            next.interventions = next.interventions ?? MetricsDisplay.InterventionFigures(bases: matrix.bases, changes: matrix.changes)
            next.interventionsPending = false
            return next
        }
        return MetricsJob(samples: samples, work: work, followUp: quantized ? interventions : nil)
    }
}
