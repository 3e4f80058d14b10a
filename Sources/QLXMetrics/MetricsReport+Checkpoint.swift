import Foundation
import QLXModel

/// The report a checkpoint stores in its metadata: written at the end of `qlx train`, read by
/// `qlx info`, `qlx traverse` and the explorer, all through `stored(in:)`.
extension MetricsReport {
    /// The metadata key of the stored report (a `MetricsReport` as JSON).
    public static let metadataKey = "qlx.metrics"

    /// What a checkpoint's metadata says about its metrics.
    public struct Stored: Sendable {
        /// The report, when there is one that describes this model's latents.
        public var report: MetricsReport?
        /// Why an entry that is present was ignored, for the caller to show where it can
        /// (commands on stderr, the explorer in its status line); nil when nothing was ignored.
        public var warning: String?
    }

    /// The one policy for a stored report: absent, it is simply missing; present but not a
    /// whole report for this model's latent count, it is ignored with a warning. Never a
    /// partial report: figures from a report about other latents would label them wrongly.
    public static func stored(in checkpoint: Checkpoint) -> Stored {
        guard let json = checkpoint.metadata[metadataKey] else { return Stored() }
        let latents = checkpoint.config.latent.count
        guard let report = try? JSONDecoder().decode(MetricsReport.self, from: Data(json.utf8)),
              report.activeLatents.count == latents, report.latentFactor.count == latents,
              report.nmi.count == report.factorNames.count, report.nmi.allSatisfy({ $0.count == latents }),
              report.dci.map({ $0.importance.count == latents && $0.importance.allSatisfy { $0.count == report.factorNames.count } }) ?? true,
              report.valueMeanings.map({ $0.latentCount == latents }) ?? true,
              report.interventions.map({ $0.latentCount == latents }) ?? true
        else {
            return Stored(warning: "ignoring the checkpoint's \(metadataKey) (not a metrics report for \(latents) latents)")
        }
        return Stored(report: report)
    }

    /// The metadata entry that stores this report in a checkpoint (keys sorted, so the same
    /// report always gives the same bytes).
    public func metadataEntry() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [Self.metadataKey: String(decoding: try encoder.encode(self), as: UTF8.self)]
    }
}
