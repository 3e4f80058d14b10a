import QLXCore

/// A decoder kind's network: its modules (built into the module tree in the reference's field
/// order), forward and backward passes and costs, and how it describes itself (its reference
/// class, the config a custom one gets, a summary for `qlx info`, its blocks' layout for the
/// benchmarks). A new kind is one file conforming to this, registered in `DecoderKind.network`,
/// plus its preset in `ArchitecturePreset`.
protocol DecoderNetwork: Sendable {
    /// The class the reference code names in a Hydra decoder config's `_target_`.
    static var referenceClassName: String { get }
    /// A decoder of this kind with `denseWidths` and the transposed-convolution `blocks`
    /// (unused by kinds without them), the kind's own settings derived from those.
    static func custom(denseWidths: [Int], blocks: ConvStackConfig) -> DecoderConfig
    /// The network step by step, for `qlx info`.
    static func summary(_ config: DecoderConfig, image: ImageShape) -> [String]
    /// How its transposed-convolution blocks run; nil for a kind without them.
    static func blockLayout(_ config: QLAEConfig) -> DecoderBlockLayout?

    /// Builds the modules decoding n_z latents into `image`; `encoderMap` is the encoder's
    /// final map (the reference's `transition_shape`). Throws `ModelError.invalidConfig`.
    init(config: DecoderConfig, latentCount: Int, image: ImageShape, encoderMap: MapShape, at path: ModulePath,
         _ tree: inout ModuleTreeBuilder) throws
    /// What decoding can reuse from the parameters alone, made once per parameter set and
    /// passed back to `forward`.
    func constants(_ p: ParameterSet) -> DecoderConstants
    /// z (N, n_z) → logits (C, N, H, W) channel-major; records into `tape` when it is non-nil
    /// (and then does not use `constants`).
    func forward(_ z: Tensor, _ p: ParameterSet, constants: DecoderConstants?, tape: inout DecoderTape?) -> FeatureMap
    /// dLogits (C, N, H, W) → dz (N, n_z), storing every parameter's gradient.
    func backward(_ dLogits: FeatureMap, tape: DecoderTape, _ p: ParameterSet, gradients: inout [String: Tensor]) -> Tensor
    /// Multiply-adds of the matrix work to decode one image (cached constant parts excluded).
    var multiplyAddsPerImage: Int { get }
    /// Floats one image of a training batch keeps (layer outputs, im2col columns), forward only.
    var trainingFloatsPerImage: Double { get }
}

extension DecoderNetwork {
    func constants(_ p: ParameterSet) -> DecoderConstants { DecoderConstants() }

    /// The summary's first step: "dense 256,256" (with `note`), none without dense layers.
    static func denseSummary(_ config: DecoderConfig, note: String = "") -> [String] {
        config.denseWidths.isEmpty ? [] : ["dense " + ConvStackConfig.list(config.denseWidths) + note]
    }
}

/// How a decoder's transposed-convolution blocks run, for benchmarks that time them one by one.
public struct DecoderBlockLayout: Sendable, Equatable {
    /// Channels into block 0.
    public var inputChannels: Int
    /// Block 0 sees only a constant map, so decoding computes it once per parameter set.
    public var firstBlockCached: Bool
    /// Blocks scale and shift each image by its own modulation (leaky ReLU → normalise →
    /// modulate) instead of one affine norm (normalise → affine → leaky ReLU).
    public var modulated: Bool
    /// The output convolution's kernel (padded to keep the map's size).
    public var outputKernel: Int
}

/// What each kind's network says about itself, for code outside QLXModel.
extension DecoderKind {
    /// The kind whose reference class is `name` (`ImageDecoder`), if qlx has it.
    public init?(referenceClassName name: String) {
        guard let kind = DecoderKind.allCases.first(where: { $0.network.referenceClassName == name }) else { return nil }
        self = kind
    }

    public var referenceClassName: String { network.referenceClassName }

    /// A custom decoder of this kind (`qlx train --decoder`, the benchmarks' candidates).
    public func custom(denseWidths: [Int], blocks: ConvStackConfig) -> DecoderConfig {
        network.custom(denseWidths: denseWidths, blocks: blocks)
    }

    /// "dense 256,256 → 4 conv-transpose blocks … → 1×1 conv" for `config` decoding `image`.
    public func summary(_ config: DecoderConfig, image: ImageShape) -> String {
        network.summary(config, image: image).joined(separator: " → ")
    }

    public func blockLayout(_ config: QLAEConfig) -> DecoderBlockLayout? { network.blockLayout(config) }
}

/// The part of decoding that depends on the parameters but not on z, made once per parameter
/// set (at load) instead of on every call; after an optimizer step, each decode makes its own
/// until the parameters are set again (`QLAE.applyUpdate`).
struct DecoderConstants: Sendable {
    /// The style decoder's first normalised map (C0, 1, H0, W0).
    var map: FeatureMap? = nil
    /// Transposed-convolution weights as decoding prepares them (re-laid out by stride phase and
    /// packed, and Winograd-transformed where the layer has that form), by weight parameter name,
    /// for every layer that has a stride-phase form (`ConvTranspose2d.decodingWeights`).
    /// A layer without them runs as training does (`ConvTranspose2d.forward(_:weight:)`).
    var convTWeights: [String: ConvTranspose2d.DecodingWeights] = [:]

    /// Decoding weights for every layer of `layers` (convT, weight parameter) that has them.
    static func convTWeights(_ layers: [(ConvTranspose2d, String)], _ p: ParameterSet)
        -> [String: ConvTranspose2d.DecodingWeights] {
        var prepared: [String: ConvTranspose2d.DecodingWeights] = [:]
        for (convT, weight) in layers {
            if let weights = convT.decodingWeights(p[weight]) { prepared[weight] = weights }
        }
        return prepared
    }
}

extension ConvTranspose2d {
    /// The layer on `x`, through decoding weights in `constants` when there are some for `weight`.
    func forward(_ x: FeatureMap, weight: String, _ p: ParameterSet, constants: DecoderConstants?) -> FeatureMap {
        if let prepared = constants?.convTWeights[weight] { return forward(x, decoding: prepared) }
        return forward(x, weight: p[weight])
    }
}

/// What the decoders' backward passes need from their forward pass.
struct DecoderTape {
    var dense: DenseStackTape? = DenseStackTape()
    /// Image decoder: the transition's input and output; dense decoder: the head's input.
    var transitionInput: Tensor? = nil
    var transitionOutput: Tensor? = nil
    var convInputs: [FeatureMap] = []
    var norms: [InstanceNorm.Cache] = []
    /// Image decoder: post-activation block outputs; style decoder: the convT outputs, inputs of
    /// the leaky ReLU before the norm (their signs are its outputs' signs, all backward needs).
    var convOutputs: [FeatureMap] = []
    // Style decoder
    var style: Tensor? = nil
    var conditioning: [Tensor] = []
    var outputInput: FeatureMap? = nil
}

extension DenseStack {
    /// Runs the stack with the tape's dense part.
    func forward(_ x: Tensor, _ p: ParameterSet, tape: inout DecoderTape?) -> Tensor {
        var denseTape = tape?.dense
        let h = forward(x, p, tape: &denseTape)
        if tape != nil { tape!.dense = denseTape }
        return h
    }
}

/// Floats of a conv's output map and its im2col columns, per image.
func convolutionFloats(_ conv: Conv2d, outputHeight h: Int, outputWidth w: Int) -> Double {
    Double(h) * Double(w) * (Double(conv.outChannels) + Double(conv.inChannels) * Double(conv.kernel * conv.kernel))
}
