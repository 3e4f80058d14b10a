import QLXCore
import QLXData
import QLXModel

/// Continuous baselines (AE, VAE means, qlx's --no-quantize) in the explorer: each latent gets
/// a stand-in codebook of the quantiles of its encoded values over a dataset sample, so the
/// explorer steps it through values the encoder actually produces. Codes then index those
/// quantiles; samples snap to the nearest one.
public enum QuantileCodebooks {
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

    /// `model` (continuous latents) with the quantiles of `samples` encoded images of
    /// `dataset` as its codebooks: a quantized model the explorer can step through.
    public static func model(_ model: QLAE, dataset: any FactorDataset, values: Int, samples: Int, seed: UInt64) throws -> QLAE {
        precondition(!model.config.latent.quantized)
        let indices = sampleIndices(count: samples, of: dataset.count, seed: seed)
        var continuous: [Float] = []
        for start in stride(from: 0, to: indices.count, by: 64) {
            let batch = Array(indices[start..<min(indices.count, start + 64)])
            continuous += model.encode(try dataset.images(at: batch)).continuous.data
        }
        let nz = model.config.latent.count
        let table = quantiles(of: Tensor(shape: [indices.count, nz], data: continuous), values: values)
        var config = model.config
        config.latent = LatentConfig(count: nz, valuesPerLatent: values, quantized: true)
        var parameters = model.parameters
        guard let codebooks = try QLAE.moduleTree(for: config).latent else { preconditionFailure("a quantized config has codebooks") }
        parameters[codebooks.path.name] = Tensor(shape: [nz, values], data: Array(table.joined()))
        return try QLAE(config: config, parameters: parameters)
    }
}
