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

/// A step in a learning-rate schedule: from `step` optimizer steps done on, the rate is `rate`.
public struct LearningRateDrop: Codable, Equatable, Sendable {
    public var step: Int
    public var rate: Double
    public init(step: Int, rate: Double) {
        self.step = step
        self.rate = rate
    }
}

/// How the model was trained (informational; `qlx train --resume` reads it back).
public struct TrainingSettings: Codable, Equatable, Sendable {
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Double
    /// Later rates of a step schedule (nil in checkpoints written before schedules existed).
    public var learningRateDrops: [LearningRateDrop]?
    public var weightDecay: Double
    public var quantizationWeight: Double
    public var commitmentWeight: Double
    public var seed: UInt64
    public var stepsDone: Int
    public init(steps: Int, batchSize: Int, learningRate: Double, weightDecay: Double,
                quantizationWeight: Double, commitmentWeight: Double, seed: UInt64, stepsDone: Int,
                learningRateDrops: [LearningRateDrop]? = nil) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.learningRateDrops = learningRateDrops
        self.weightDecay = weightDecay
        self.quantizationWeight = quantizationWeight
        self.commitmentWeight = commitmentWeight
        self.seed = seed
        self.stepsDone = stepsDone
    }
}
