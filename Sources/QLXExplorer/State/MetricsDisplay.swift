import QLXCore
import QLXMetrics

/// The figures the explorer shows: a `MetricsReport` (the checkpoint's "qlx.metrics" or the
/// background evaluation's), read through as its own (`metrics.infoM`), and where it came from.
public struct MetricsDisplay: Embedding, Equatable, Sendable {
    public static var embedded: WritableKeyPath<MetricsDisplay, MetricsReport> { \.report }
    public enum Origin: String, Sendable { case checkpoint, computed }

    public var report: MetricsReport
    public var origin: Origin
    /// DCI's disentanglement, completeness and informativeness.
    public var dci: DCIFigures?
    /// meanings[latent][value]: what the samples coded to that value mostly have, for the
    /// latent's own factor; nil entries for values no sample takes.
    public var valueMeanings: [[ValueMeaning?]]?
    public var interventions: InterventionFigures?
    /// Interventions are still being measured in the background.
    public var interventionsPending = false

    public struct DCIFigures: Equatable, Sendable {
        public var disentanglement: Double
        public var completeness: Double
        public var informativeness: Double
        public init(disentanglement: Double, completeness: Double, informativeness: Double) {
            self.disentanglement = disentanglement
            self.completeness = completeness
            self.informativeness = informativeness
        }
    }

    /// "412 samples, objectHue 7 (88%)".
    public struct ValueMeaning: Equatable, Sendable {
        public var samples: Int
        public var factor: Int
        public var valueName: String
        public var share: Double
        /// RGB in 0…1 when the factor is a colour (a swatch instead of the name).
        public var colour: [Float]?
        public init(samples: Int, factor: Int, valueName: String, share: Double, colour: [Float]? = nil) {
            self.samples = samples
            self.factor = factor
            self.valueName = valueName
            self.share = share
            self.colour = colour
        }
    }

    public struct InterventionFigures: Equatable, Sendable {
        public var bases: Int
        /// changes[j][k]: share of interventions on z_j that change z_k (k = j: z_j did not hold).
        public var changes: [[Double]]
        public init(bases: Int, changes: [[Double]]) {
            self.bases = bases
            self.changes = changes
        }
    }

    /// The report's figures; `colour` gives a colour factor's value its swatch (the dataset's).
    public init(report: MetricsReport, origin: Origin,
                colour: (_ factor: Int, _ value: Int) -> [Float]? = { _, _ in nil }) {
        self.report = report
        self.origin = origin
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
                    return ValueMeaning(samples: entry.samples, factor: factor, valueName: meanings.name(factor: factor, value: mode.value),
                                        share: mode.share, colour: colour(factor, mode.value))
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

    /// Per latent, how often each value index was chosen over the evaluation samples.
    public var usageCounts: [[Int]]? { report.codebookUsage?.map(\.counts) }
    public var perplexity: [Double]? { report.codebookUsage?.map(\.perplexity) }

    /// The NMI of latent `latent` with the factor it mainly encodes.
    public func mainNMI(of latent: Int) -> (factor: Int, nmi: Double)? {
        let latentFactor = report.latentFactor, nmi = report.nmi
        guard latent < latentFactor.count, let factor = latentFactor[latent],
              factor < nmi.count, latent < nmi[factor].count else { return nil }
        return (factor, nmi[factor][latent])
    }
}

/// Where the background evaluation stands.
public enum MetricsProgress: Equatable, Sendable {
    case notStarted
    case running(fraction: Double, samples: Int)
    case finished(seconds: Double)
    case failed(String)
}
