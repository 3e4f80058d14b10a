import Foundation
import QLXCore
import QLXData
import QLXMetrics
import QLXModel

/// Reconstruction and codebook figures of a model on a fixed held-out sample.
public struct HeldOutEvaluation: Codable, Equatable, Sendable {
    public var step: Int
    public var samples: Int
    /// Mean per-pixel sigmoid binary cross-entropy (the training loss's first term).
    public var bce: Double
    /// Mean squared error of sigmoid(logits) against the image.
    public var mse: Double
    /// 10·log10(1 / mse) in dB (pixel range 1), as `ReconstructionMetrics` floors it.
    public var psnr: Double
    /// Per latent: how often each codebook value was chosen (empty when not quantized).
    public var codeCounts: [[Int]]
    /// Per latent: exp(entropy of the code distribution), 1…n_v.
    public var perplexity: [Double]
    /// InfoMEC of the held-out codes (values for an unquantized model) against their factors;
    /// nil when it cannot be computed (e.g. no active latent).
    public var infoM: Double?
    public var infoE: Double?
    public var infoC: Double?

    /// Mean perplexity over latents (0 when not quantized).
    public var meanPerplexity: Double { perplexity.isEmpty ? 0 : perplexity.reduce(0, +) / Double(perplexity.count) }
    /// Per latent: number of codebook values used at least once.
    public var usedValues: [Int] { codeCounts.map { $0.filter { $0 > 0 }.count } }

    /// Encodes and reconstructs `indices` of `dataset` in chunks of `chunk` images. The figures
    /// are QLXMetrics' (`ReconstructionAccumulator`, `CodebookUsage`, `InfoMEC`), as `qlx metrics`
    /// reports them.
    public static func measure(model: QLAE, dataset: any FactorDataset, indices: [Int], step: Int,
                               chunk: Int = 250) throws -> HeldOutEvaluation {
        precondition(!indices.isEmpty)
        let latentCount = model.config.latent.count
        let quantized = model.config.latent.quantized
        var reconstruction = ReconstructionAccumulator()
        var allCodes: [[Int]] = [], allValues: [[Double]] = []
        for start in stride(from: 0, to: indices.count, by: chunk) {
            let images = try dataset.images(at: Array(indices[start..<min(indices.count, start + chunk)]))
            let encoding = model.encode(images)
            reconstruction.add(logits: model.decode(values: encoding.values).logits, targets: images)
            allCodes += encoding.codes
            if !quantized {
                for i in 0..<encoding.values.shape[0] {
                    allValues.append((0..<latentCount).map { Double(encoding.values.data[i * latentCount + $0]) })
                }
            }
        }
        let usage = quantized ? CodebookUsage.perLatent(codes: allCodes, codebookSize: model.config.latent.valuesPerLatent) : []
        let factors = dataset.factors(at: indices)
        let info = quantized ? try? InfoMEC.discrete(sources: factors, codes: allCodes)
                             : try? InfoMEC.continuous(sources: factors, latents: allValues)
        let figures = reconstruction.result!
        return HeldOutEvaluation(step: step, samples: indices.count, bce: figures.bce, mse: figures.mse, psnr: figures.psnr,
                                 codeCounts: usage.map(\.counts), perplexity: usage.map(\.perplexity),
                                 infoM: info?.infoM, infoE: info?.infoE, infoC: info?.infoC)
    }

    /// One line for the log: "eval step 500: BCE 0.0312, PSNR 21.4 dB, perplexity 6.1, values used 8.7/10".
    public var summary: String {
        var line = String(format: "eval step %ld (%ld held-out images): BCE %.5f, PSNR %.2f dB", step, samples, bce, psnr)
        if !perplexity.isEmpty {
            let used = Double(usedValues.reduce(0, +)) / Double(usedValues.count)
            line += String(format: ", perplexity %.2f, values used %.1f/%d", meanPerplexity, used, codeCounts[0].count)
        }
        if let infoM, let infoE, let infoC {
            line += String(format: ", InfoM %.3f InfoE %.3f InfoC %.3f", infoM, infoE, infoC)
        }
        return line
    }
}
