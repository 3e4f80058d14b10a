import QLXCore

/// The whole description of a QLAE model: everything needed to rebuild it from a checkpoint.
/// Stored as JSON in the safetensors `__metadata__` under the key "qlx.config"
/// (see docs/checkpoint-format.md). Field names follow the reference Hydra configs.
public struct QLAEConfig: Codable, Equatable, Sendable {
    public var encoder: EncoderConfig
    public var decoder: DecoderConfig
    public var latent: LatentConfig
    public var image: ImageShape
    public var dataset: DatasetInfo
    public var training: TrainingSettings?

    public init(encoder: EncoderConfig, decoder: DecoderConfig, latent: LatentConfig,
                image: ImageShape, dataset: DatasetInfo, training: TrainingSettings? = nil) {
        self.encoder = encoder
        self.decoder = decoder
        self.latent = latent
        self.image = image
        self.dataset = dataset
        self.training = training
    }
}

/// A stack of convolutions: block i has `widths[i]` output channels, `kernelSizes[i]`,
/// `strides[i]`, `paddings[i]`.
public struct ConvStackConfig: Codable, Equatable, Sendable {
    public var widths: [Int]
    public var kernelSizes: [Int]
    public var strides: [Int]
    public var paddings: [Int]
    public init(widths: [Int], kernelSizes: [Int], strides: [Int], paddings: [Int]) {
        self.widths = widths
        self.kernelSizes = kernelSizes
        self.strides = strides
        self.paddings = paddings
    }

    /// No blocks (a dense encoder's or decoder's).
    public static let empty = ConvStackConfig(widths: [], kernelSizes: [], strides: [], paddings: [])

    /// "4 conv blocks 64,128,256,512 (kernel 4, stride 2, padding 1)"; per-block lists when
    /// the blocks differ.
    public func summary(blocks: String) -> String {
        func setting(_ name: String, _ values: [Int]) -> String {
            Set(values).count <= 1 ? "\(name) \(values.first.map(String.init) ?? "-")" : "\(name)s \(Self.list(values))"
        }
        let settings = [setting("kernel", kernelSizes), setting("stride", strides), setting("padding", paddings)]
        let plural = widths.count == 1 ? "" : "s"
        return "\(widths.count) \(blocks) block\(plural) \(Self.list(widths)) (\(settings.joined(separator: ", ")))"
    }

    /// "32,64,64" (widths as flags and summaries spell them).
    public static func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
}

public enum EncoderKind: String, Codable, Equatable, Sendable, CaseIterable {
    /// conv blocks (conv, no bias → instance norm with affine → leaky ReLU 0.2), flatten,
    /// dense blocks (linear with bias → ReLU), linear head to the latent count.
    case image
    /// flatten the image, dense blocks (linear → layer norm with affine → ReLU), linear head.
    case dense
}

/// The encoder: see `EncoderKind`. A dense encoder has no conv blocks.
public struct EncoderConfig: Codable, Equatable, Sendable {
    /// Absent from the JSON of an image encoder (checkpoints written before dense encoders).
    public var kind: EncoderKind
    /// "image", "image_small" or "dense" for the reference presets, "custom" otherwise.
    public var preset: String
    public var conv: ConvStackConfig
    public var denseWidths: [Int]
    public init(kind: EncoderKind = .image, preset: String, conv: ConvStackConfig, denseWidths: [Int]) {
        self.kind = kind
        self.preset = preset
        self.conv = conv
        self.denseWidths = denseWidths
    }

    private enum CodingKeys: String, CodingKey { case kind, preset, conv, denseWidths }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(EncoderKind.self, forKey: .kind) ?? .image
        preset = try c.decode(String.self, forKey: .preset)
        conv = try c.decode(ConvStackConfig.self, forKey: .conv)
        denseWidths = try c.decode([Int].self, forKey: .denseWidths)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if kind != .image { try c.encode(kind, forKey: .kind) }
        try c.encode(preset, forKey: .preset)
        try c.encode(conv, forKey: .conv)
        try c.encode(denseWidths, forKey: .denseWidths)
    }
}

public enum DecoderKind: String, Codable, Equatable, Sendable, CaseIterable {
    /// dense → transition dense to the encoder's final conv shape → convT blocks
    /// (convT → instance norm with affine → leaky ReLU) → 1×1 conv to logits.
    case image
    /// w = dense(z); a learned constant map (0.1) → style blocks (convT → leaky ReLU →
    /// instance norm without affine → x·scale + bias from ReLU(linear(w))) → 3×3 conv to logits.
    case styleImage = "style_image"
    /// dense blocks (linear → layer norm with affine → ReLU) → linear head to C·H·W logits.
    case dense

    /// The networks of each kind (its modules, forward and backward): the one place a new
    /// kind is registered.
    var network: any DecoderNetwork.Type {
        switch self {
        case .image: return ImageDecoder.self
        case .styleImage: return StyleImageDecoder.self
        case .dense: return DenseDecoder.self
        }
    }
}

public struct DecoderConfig: Codable, Equatable, Sendable {
    public var kind: DecoderKind
    /// "image", "image_small", "style_image", "style_image_small", "dense", or "custom".
    public var preset: String
    public var denseWidths: [Int]
    public var convTranspose: ConvStackConfig
    /// Style decoder only: channels of the constant input map.
    public var inputChannels: Int?
    public init(kind: DecoderKind, preset: String, denseWidths: [Int],
                convTranspose: ConvStackConfig, inputChannels: Int? = nil) {
        self.kind = kind
        self.preset = preset
        self.denseWidths = denseWidths
        self.convTranspose = convTranspose
        self.inputChannels = inputChannels
    }
}

public struct LatentConfig: Codable, Equatable, Sendable {
    /// n_z, the number of latents.
    public var count: Int
    /// n_v, the codebook size of every latent.
    public var valuesPerLatent: Int
    /// false for the `--no-quantize` baseline: a plain autoencoder with continuous latents.
    public var quantized: Bool
    public init(count: Int, valuesPerLatent: Int, quantized: Bool = true) {
        self.count = count
        self.valuesPerLatent = valuesPerLatent
        self.quantized = quantized
    }
}
