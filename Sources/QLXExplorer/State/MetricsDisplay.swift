/// The figures the explorer shows, whatever produced them (the checkpoint's "qlx.metrics"
/// or the background evaluation). Kept apart from `MetricsReport` so drawing depends only on
/// what it draws.
public struct MetricsDisplay: Equatable, Sendable {
    public enum Origin: String, Sendable { case checkpoint, computed }

    public struct Reconstruction: Equatable, Sendable {
        public var bce: Double
        public var mse: Double
        public var psnr: Double
        public init(bce: Double, mse: Double, psnr: Double) {
            self.bce = bce
            self.mse = mse
            self.psnr = psnr
        }
    }

    public var factorNames: [String]
    /// Sources × latents, each in [0, 1].
    public var nmi: [[Double]]
    public var activeLatents: [Bool]
    /// For each latent, the factor it mainly encodes (argmax NMI), nil when inactive.
    public var latentFactor: [Int?]
    public var infoM: Double
    public var infoE: Double
    public var infoC: Double
    public var mig: Double?
    public var reconstruction: Reconstruction?
    /// Per latent, how often each value index was chosen over the evaluation samples.
    public var usageCounts: [[Int]]?
    public var perplexity: [Double]?
    public var samples: Int
    public var origin: Origin

    public init(factorNames: [String], nmi: [[Double]], activeLatents: [Bool], latentFactor: [Int?],
                infoM: Double, infoE: Double, infoC: Double, mig: Double? = nil,
                reconstruction: Reconstruction? = nil, usageCounts: [[Int]]? = nil,
                perplexity: [Double]? = nil, samples: Int, origin: Origin) {
        self.factorNames = factorNames
        self.nmi = nmi
        self.activeLatents = activeLatents
        self.latentFactor = latentFactor
        self.infoM = infoM
        self.infoE = infoE
        self.infoC = infoC
        self.mig = mig
        self.reconstruction = reconstruction
        self.usageCounts = usageCounts
        self.perplexity = perplexity
        self.samples = samples
        self.origin = origin
    }

    /// The NMI of latent `latent` with the factor it mainly encodes.
    public func mainNMI(of latent: Int) -> (factor: Int, nmi: Double)? {
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
