import Foundation
import QLXData
import QLXMetrics
import QLXModel

/// The disentanglement report stored in a finished checkpoint under "qlx.metrics".
public enum FinalMetrics {
    public static let metadataKey = "qlx.metrics"

    /// Metadata entries to add to the final checkpoint; `report` receives progress lines.
    public static func metadata(for trainer: Trainer, samples: Int, report: (String) -> Void) throws -> [String: String] {
        report("disentanglement metrics are not available in this build; skipping qlx.metrics")
        return [:]
    }
}
