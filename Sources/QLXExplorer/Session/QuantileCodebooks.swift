import QLXCore
import QLXData
import QLXModel

/// Continuous baselines (AE, VAE means, qlx's --no-quantize) in the explorer: each latent gets
/// a stand-in codebook of the quantiles of its encoded values over a dataset sample, so the
/// explorer steps it through values the encoder actually produces. Codes then index those
/// quantiles; samples snap to the nearest one.
///
/// Encoding the sample takes seconds on the reference models, so the explorer starts from the
/// quantiles of its first `provisionalSamples` images and refines them in the background
/// (`Refinement`).
public enum QuantileCodebooks {
    /// Images encoded for the quantiles (fewer when the dataset has fewer).
    public static let samples = 2_000
    /// Images encoded before the first frame, for codebooks to start from.
    public static let provisionalSamples = 8

    /// Latent j's `values` quantiles at (k + ½)/values, k = 0..<values, of column j of
    /// `latents` (N, n_z), linearly interpolated between order statistics; ascending.
    public static func quantiles(of latents: Tensor, values: Int) -> [[Float]] {
        precondition(latents.rank == 2 && latents.shape[0] > 0 && values > 0)
        let (n, nz) = (latents.shape[0], latents.shape[1])
        return (0..<nz).map { j in
            let column = (0..<n).map { latents.data[$0 * nz + j] }.sorted()
            return (0..<values).map { k in
                let position = (Double(k) + 0.5) / Double(values) * Double(n - 1)
                let lower = Int(position.rounded(.down)), upper = min(lower + 1, n - 1)
                let t = Float(position - Double(lower))
                return column[lower] + t * (column[upper] - column[lower])
            }
        }
    }

    /// The images the quantiles are taken over: `samples` of the dataset (at most all of it).
    public static func sample(of dataset: any FactorDataset, samples: Int = QuantileCodebooks.samples, seed: UInt64) -> [Int] {
        drawSample(count: min(samples, dataset.count), of: dataset.count, seed: seed)
    }

    /// The continuous latents of `indices`, row by row, encoded 64 at a time; `progress` gets
    /// the rows done after each batch.
    static func encode(_ model: QLAE, dataset: any FactorDataset, indices: ArraySlice<Int>,
                       progress: (Int) -> Void = { _ in }) throws -> [Float] {
        var continuous: [Float] = []
        for start in stride(from: indices.startIndex, to: indices.endIndex, by: 64) {
            let batch = Array(indices[start..<min(indices.endIndex, start + 64)])
            continuous += model.encode(try dataset.images(at: batch)).continuous.data
            progress(start + batch.count - indices.startIndex)
        }
        return continuous
    }

    /// `model` with `table` (latent j → its values) as its codebooks: for a continuous model,
    /// a quantized one the explorer can step through; for such a stand-in, new quantiles.
    public static func model(_ model: QLAE, codebooks table: [[Float]]) throws -> QLAE {
        precondition(table.count == model.config.latent.count)
        let nz = model.config.latent.count, values = table[0].count
        var config = model.config
        config.latent = LatentConfig(count: nz, valuesPerLatent: values, quantized: true)
        var parameters = model.parameters
        guard let codebooks = try QLAE.moduleTree(for: config).latent else { preconditionFailure("a quantized config has codebooks") }
        parameters[codebooks.path.name] = Tensor(shape: [nz, values], data: Array(table.joined()))
        return try QLAE(config: config, parameters: parameters)
    }

    /// `model` (continuous latents) with the quantiles of `samples` encoded images of
    /// `dataset` as its codebooks, all computed now.
    public static func model(_ model: QLAE, dataset: any FactorDataset, values: Int, samples: Int = QuantileCodebooks.samples,
                             seed: UInt64) throws -> QLAE {
        let indices = sample(of: dataset, samples: samples, seed: seed)
        let continuous = try encode(model, dataset: dataset, indices: indices[...])
        let table = quantiles(of: Tensor(shape: [indices.count, model.config.latent.count], data: continuous), values: values)
        return try self.model(model, codebooks: table)
    }

    /// A continuous model's codebooks in two steps: the quantiles of the sample's first images,
    /// now, and work for a background job that encodes the rest and gives the quantiles of the
    /// whole sample (what `model(_:dataset:values:samples:seed:)` computes at once).
    public struct Refinement: Sendable {
        /// The model with provisional codebooks.
        public let provisional: QLAE
        /// Images the whole sample has.
        public let samples: Int
        /// The codebooks of the whole sample; reports progress 0…1.
        public let work: BackgroundJob<[[Float]]>.Work

        public init(_ model: QLAE, dataset: any FactorDataset, values: Int, samples: Int = QuantileCodebooks.samples, seed: UInt64) throws {
            let indices = QuantileCodebooks.sample(of: dataset, samples: samples, seed: seed)
            let nz = model.config.latent.count
            let head = min(provisionalSamples, indices.count)
            let first = try encode(model, dataset: dataset, indices: indices[..<head])
            provisional = try QuantileCodebooks.model(model, codebooks: quantiles(of: Tensor(shape: [head, nz], data: first), values: values))
            self.samples = indices.count
            work = { progress in
                let rest = try encode(model, dataset: dataset, indices: indices[head...]) { done in
                    progress(Double(head + done) / Double(indices.count))
                }
                return quantiles(of: Tensor(shape: [indices.count, nz], data: first + rest), values: values)
            }
        }
    }
}
