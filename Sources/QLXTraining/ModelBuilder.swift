import Foundation
import QLXData
import QLXModel

/// Builds the `QLAEConfig` of a new model from `qlx train`'s architecture flags: a reference
/// preset by name, or explicit widths of kernel-4, stride-2, padding-1 blocks (each halves or
/// doubles the map, so the encoder and decoder need the same number of blocks).
public enum ModelBuilder {
    /// `qlx train`'s architecture when no flags name one: image_small's shape (4 halving
    /// blocks, mirrored decoder) at widths this 2-core CPU can train in about an hour.
    public static let defaultEncoderWidths = [16, 32, 32, 64]
    public static let defaultDenseWidths = [128]
    /// A style decoder (the paper's choice): on sprites it reached InfoM 0.51 after 1,000 steps
    /// where the plain image decoder stayed at 0.35 after 8,000 (assets/README.md).
    public static let defaultDecoderKind = DecoderKind.styleImage

    /// The default architecture for `dataset`, with n_z = 2 × its factor count and n_v = 10.
    public static func defaultConfig(dataset: any FactorDataset) throws -> QLAEConfig {
        try config(encoder: customEncoder(widths: defaultEncoderWidths, denseWidths: defaultDenseWidths),
                   decoder: customDecoder(widths: defaultEncoderWidths.reversed(), denseWidths: defaultDenseWidths, kind: defaultDecoderKind),
                   latents: 2 * dataset.factorNames.count, valuesPerLatent: 10, quantized: true, dataset: dataset)
    }

    /// Encoder conv blocks of kernel 4, stride 2, padding 1 with `widths`, then `denseWidths`.
    public static func customEncoder(widths: [Int], denseWidths: [Int]) -> EncoderConfig {
        EncoderConfig(preset: "custom", conv: halvingStack(widths), denseWidths: denseWidths)
    }

    /// Decoder transposed-conv blocks of kernel 4, stride 2, padding 1 with `widths` (unused by
    /// a kind without them); the kind fills in its own settings (`DecoderKind.custom`).
    public static func customDecoder(widths: [Int], denseWidths: [Int], kind: DecoderKind) -> DecoderConfig {
        kind.custom(denseWidths: denseWidths, blocks: halvingStack(widths))
    }

    public static func config(encoder: EncoderConfig, decoder: DecoderConfig, latents: Int, valuesPerLatent: Int,
                              quantized: Bool, dataset: any FactorDataset) throws -> QLAEConfig {
        let config = QLAEConfig(encoder: encoder, decoder: decoder,
                                latent: LatentConfig(count: latents, valuesPerLatent: valuesPerLatent, quantized: quantized),
                                image: dataset.imageShape, dataset: dataset.info)
        try config.validate()
        return config
    }

    private static func halvingStack(_ widths: [Int]) -> ConvStackConfig {
        ConvStackConfig(widths: widths, kernelSizes: widths.map { _ in 4 }, strides: widths.map { _ in 2 },
                        paddings: widths.map { _ in 1 })
    }
}

extension ModelBuilder {
    /// "32,64,64,128" → [32, 64, 64, 128]; throws naming `flag` (the caller's name for the
    /// list) for anything else.
    public static func parseWidths(_ text: String, flag: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let widths = parts.compactMap { Int($0) }
        guard !text.isEmpty, widths.count == parts.count, widths.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
            throw TrainingError.invalidWidths(name: flag, found: text)
        }
        return widths
    }
}
