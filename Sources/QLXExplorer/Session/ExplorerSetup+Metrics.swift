import Foundation
import QLXCore
import QLXData
import QLXMetrics
import QLXModel

extension MetricsDisplay {
    /// The figures of a report with the dataset's colours for its colour factors' swatches.
    public init(report: MetricsReport, origin: Origin, dataset: (any FactorDataset)?) {
        self.init(report: report, origin: origin) { factor, value in
            dataset?.valueColour(factor: factor, value: value).map { [$0.r, $0.g, $0.b] }
        }
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
            var next = display
            next.interventionsPending = false
            // The round trips' shards run on this job's thread and helpers at its low priority,
            // not on the task team that the UI's decodes use (its helpers run at the UI's
            // priority): the interventions take every core the UI leaves idle and yield the
            // rest (`qlx bench --only explorer`).
            let team = BackgroundTeam()
            defer { team.stop() }
            // A failure leaves the figures on screen, without the intervention row.
            guard let codes = try? ModelEvaluation.encode(model: model, dataset: dataset, samples: bases, seed: seed,
                                                          decode: false, progress: { _ in }).codes,
                  let matrix = try? InterventionMatrix.measure(model: model, baseCodes: codes, on: team,
                                                               progress: progress) else { return next }
            next.interventions = next.interventions ?? MetricsDisplay.InterventionFigures(bases: matrix.bases, changes: matrix.changes)
            return next
        }
        return MetricsJob(samples: samples, work: work, followUp: quantized ? interventions : nil)
    }
}
