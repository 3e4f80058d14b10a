import Foundation

/// Everything `qlx metrics` reports about a model (or a pair of arrays), as JSON in a
/// checkpoint's "qlx.metrics" metadata and on `--json`.
public struct MetricsReport: Codable, Sendable, Equatable {
    public enum LatentKind: String, Codable, Sendable { case discrete, continuous }

    /// One name per source (ground-truth factor).
    public var factorNames: [String]
    /// NMI[i][j] = I(s_i; z_j) / H(s_i), sources × latents.
    public var nmi: [[Double]]
    /// I(s_i; z_j) in nats.
    public var mutualInformation: [[Double]]
    /// H(s_i) in nats.
    public var sourceEntropies: [Double]
    public var activeLatents: [Bool]
    public var infoM: Double
    public var infoE: Double
    public var infoC: Double
    public var mig: Double
    /// (H_null − CE_i) / H_null per source.
    public var explicitnessPerSource: [Double]
    /// For each latent, the source it mainly encodes (argmax_i NMI[i][j]) if active.
    public var latentFactor: [Int?]
    public var latentKind: LatentKind
    public var reconstruction: ReconstructionMetrics?
    /// Per latent; nil for continuous latents.
    public var codebookUsage: [CodebookUsage]?
    public var samples: Int
    /// The same figures for the latents with their rows shuffled (`qlx metrics --chance`).
    public var chance: ChanceLevel?
    /// DCI (Eastwood & Williams 2018) as disentanglement_lib computes it.
    public var dci: DCIResult?
    /// What each latent value means over the samples (discrete latents only).
    public var valueMeanings: ValueMeanings?
    /// What setting each latent does after a decode and re-encode (`qlx metrics --interventions`).
    public var interventions: InterventionMatrix?

    public init(factorNames: [String], infoMEC r: InfoMECResult, latentKind: LatentKind, samples: Int,
                reconstruction: ReconstructionMetrics? = nil, codebookUsage: [CodebookUsage]? = nil) throws {
        guard factorNames.count == r.nmi.count else {
            throw MetricsError.factorNameCount(expected: r.nmi.count, found: factorNames.count)
        }
        self.factorNames = factorNames
        nmi = r.nmi
        mutualInformation = r.mutualInformation
        sourceEntropies = r.sourceEntropies
        activeLatents = r.activeLatents
        infoM = r.infoM
        infoE = r.infoE
        infoC = r.infoC
        mig = r.mig
        explicitnessPerSource = r.explicitnessPerSource
        latentFactor = r.latentFactor
        self.latentKind = latentKind
        self.samples = samples
        self.reconstruction = reconstruction
        self.codebookUsage = codebookUsage
    }

    public var latentCount: Int { activeLatents.count }
    public var activeLatentCount: Int { activeLatents.filter { $0 }.count }
}

/// How well the decoder reproduces its inputs, over all pixels of all evaluated images.
public struct ReconstructionMetrics: Codable, Sendable, Equatable {
    /// Mean sigmoid binary cross-entropy of logits against pixels (the training loss term).
    public var bce: Double
    /// Mean squared error of sigmoid(logits) against pixels.
    public var mse: Double
    /// 10·log10(1 / MSE) in dB for pixels in [0, 1]; MSE is floored at 1e-10 (100 dB).
    public var psnr: Double

    public init(bce: Double, mse: Double) {
        self.bce = bce
        self.mse = mse
        psnr = 10 * log10(1 / max(mse, 1e-10))
    }
}

/// How one latent uses its codebook over the evaluated samples.
public struct CodebookUsage: Codable, Sendable, Equatable {
    /// Samples that chose each codebook value.
    public var counts: [Int]
    /// exp(entropy of the usage distribution): the effective number of values used.
    public var perplexity: Double
    /// Indices of values no sample chose.
    public var deadValues: [Int]

    /// Usage of codes in 0..<codebookSize.
    public init(codes: [Int], codebookSize: Int) {
        var counts = [Int](repeating: 0, count: codebookSize)
        for code in codes {
            precondition((0..<codebookSize).contains(code), "code \(code) outside 0..<\(codebookSize)")
            counts[code] += 1
        }
        self.init(counts: counts)
    }

    public init(counts: [Int]) {
        self.counts = counts
        let total = Double(counts.reduce(0, +))
        var entropy = 0.0
        if total > 0 {
            for count in counts where count > 0 {
                let p = Double(count) / total
                entropy -= p * log(p)
            }
        }
        perplexity = exp(entropy)
        deadValues = counts.indices.filter { counts[$0] == 0 }
    }

    /// Usage per latent of an N × n_z code table.
    public static func perLatent(codes: [[Int]], codebookSize: Int) -> [CodebookUsage] {
        guard let latents = codes.first?.count else { return [] }
        return (0..<latents).map { j in CodebookUsage(codes: codes.map { $0[j] }, codebookSize: codebookSize) }
    }
}
