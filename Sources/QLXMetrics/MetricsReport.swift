import Foundation
import QLXCore

/// Everything `qlx metrics` reports about a model (or a pair of arrays), as JSON in a
/// checkpoint's "qlx.metrics" metadata and on `--json`. The InfoMEC figures are one
/// `InfoMECResult`, read through as if they were the report's own (`report.infoM`) and
/// written as top-level JSON keys beside the rest.
public struct MetricsReport: Embedding, Codable, Sendable, Equatable {
    public static var embedded: WritableKeyPath<MetricsReport, InfoMECResult> { \.infoMEC }
    public enum LatentKind: String, Codable, Sendable { case discrete, continuous }

    /// One name per source (ground-truth factor).
    public var factorNames: [String]
    /// NMI, mutual information, entropies, active latents, InfoM/InfoE/InfoC, MIG.
    public var infoMEC: InfoMECResult
    public var latentKind: LatentKind
    public var reconstruction: ReconstructionMetrics?
    /// Per latent; nil for continuous latents.
    public var codebookUsage: [CodebookUsage]?
    public var samples: Int
    /// The same figures for the latents with their rows shuffled (`qlx metrics --chance`).
    public var chance: ChanceLevel?

    public init(factorNames: [String], infoMEC r: InfoMECResult, latentKind: LatentKind, samples: Int,
                reconstruction: ReconstructionMetrics? = nil, codebookUsage: [CodebookUsage]? = nil) throws {
        guard factorNames.count == r.nmi.count else {
            throw MetricsError.factorNameCount(expected: r.nmi.count, found: factorNames.count)
        }
        self.factorNames = factorNames
        infoMEC = r
        self.latentKind = latentKind
        self.samples = samples
        self.reconstruction = reconstruction
        self.codebookUsage = codebookUsage
    }

    public var latentCount: Int { infoMEC.activeLatents.count }
    public var activeLatentCount: Int { infoMEC.activeLatents.filter { $0 }.count }

    private enum CodingKeys: String, CodingKey {
        case factorNames, latentKind, reconstruction, codebookUsage, samples, chance
    }

    public init(from decoder: Decoder) throws {
        infoMEC = try InfoMECResult(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factorNames = try c.decode([String].self, forKey: .factorNames)
        latentKind = try c.decode(LatentKind.self, forKey: .latentKind)
        reconstruction = try c.decodeIfPresent(ReconstructionMetrics.self, forKey: .reconstruction)
        codebookUsage = try c.decodeIfPresent([CodebookUsage].self, forKey: .codebookUsage)
        samples = try c.decode(Int.self, forKey: .samples)
        chance = try c.decodeIfPresent(ChanceLevel.self, forKey: .chance)
    }

    public func encode(to encoder: Encoder) throws {
        try infoMEC.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(factorNames, forKey: .factorNames)
        try c.encode(latentKind, forKey: .latentKind)
        try c.encodeIfPresent(reconstruction, forKey: .reconstruction)
        try c.encodeIfPresent(codebookUsage, forKey: .codebookUsage)
        try c.encode(samples, forKey: .samples)
        try c.encodeIfPresent(chance, forKey: .chance)
    }
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
