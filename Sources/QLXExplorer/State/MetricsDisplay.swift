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
