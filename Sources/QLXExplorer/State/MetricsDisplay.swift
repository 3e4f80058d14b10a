import QLXCore
import QLXMetrics

/// The figures the explorer shows: a `MetricsReport` (the checkpoint's "qlx.metrics" or the
/// background evaluation's), read through as its own (`metrics.infoM`), and where it came from.
public struct MetricsDisplay: Embedding, Equatable, Sendable {
    public static var embedded: WritableKeyPath<MetricsDisplay, MetricsReport> { \.report }
    public enum Origin: String, Sendable { case checkpoint, computed }

    public var report: MetricsReport
    public var origin: Origin

    public init(report: MetricsReport, origin: Origin) {
        self.report = report
        self.origin = origin
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
