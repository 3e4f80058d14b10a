import QLXCore

/// A quantized-latent autoencoder: an image or dense encoder → per-latent scalar codebooks →
/// an image, style or dense decoder (see docs/method.md). Its modules form a tree in the
/// reference's field order (`moduleTree(for:)`); parameters are held by the names their places
/// in the tree give them (see `parameterShapes(for:)`).
/// Shape key: images (N, C, H, W) in [0, 1]; latents (N, n_z).
public struct QLAE: Sendable {
    public let config: QLAEConfig
    let architecture: QLAEArchitecture
    public private(set) var parameters: [String: Tensor]
    /// The decoder's part that depends on the parameters but not on z (the style decoder's
    /// first normalised map, re-laid-out weights), so decoding reuses it.
    /// Nil after an optimizer step until `setParameters` (see `applyUpdate`).
    private(set) var decoderConstants: DecoderConstants?
    /// The encoder's conv weights packed for inference (`EncoderNetwork.packedConvWeights`);
    /// nil when decoderConstants is, for the same reason.
    private(set) var encoderPackedWeights: [PackedMatrix?]?

    /// A freshly initialised model: weights and biases uniform in ±1/√fan_in (Equinox's
    /// default), norm affines 1 and 0, codebooks linspace(−0.5, 0.5, n_v), input map 0.1.
    /// The configuration must be valid (`config.validate()`); an invalid one is a programmer error.
    public init(config: QLAEConfig, seed: UInt64) {
        let architecture: QLAEArchitecture
        do { architecture = try QLAEArchitecture(config: config) } catch {
            preconditionFailure("QLAE(config:seed:) with an invalid configuration: \(error)")
        }
        Memory.retainFreedMemory()
        self.config = config
        self.architecture = architecture
        self.parameters = QLAE.initialParameters(architecture, seed: seed)
        self.decoderConstants = DecoderConstants()
        refreshDerivedState()
    }

    /// A model with the given parameters; throws `ModelError` if the configuration is invalid,
    /// a tensor is missing, unexpected, of the wrong shape or not finite.
    public init(config: QLAEConfig, parameters: [String: Tensor]) throws {
        Memory.retainFreedMemory()
        self.config = config
        self.architecture = try QLAEArchitecture(config: config)
        self.parameters = [:]
        self.decoderConstants = DecoderConstants()
        try setParameters(parameters)
    }

    /// Parameter names and shapes in tree order; throws for an invalid configuration.
    public static func parameterShapes(for config: QLAEConfig) throws -> [(name: String, shape: [Int])] {
        try QLAEArchitecture(config: config).parameterShapes
    }

    /// The module tree of a model of `config`; throws for an invalid configuration.
    public static func moduleTree(for config: QLAEConfig) throws -> ModelTree {
        try QLAEArchitecture(config: config).tree
    }

    public var parameterCount: Int { parameters.values.reduce(0) { $0 + $1.count } }

    /// Latent j's n_v codebook values (empty when the model is not quantized).
    public var codebooks: [[Float]] {
        guard let name = architecture.codebooks, let values = parameters[name] else { return [] }
        let nv = values.shape[1]
        return (0..<values.shape[0]).map { Array(values.data[($0 * nv)..<(($0 + 1) * nv)]) }
    }

    /// Replaces every parameter after checking names, shapes and finiteness.
    public mutating func setParameters(_ p: [String: Tensor]) throws {
        let shapes = architecture.parameterShapes
        for (name, shape) in shapes {
            guard let t = p[name] else { throw ModelError.missingTensor(path: nil, name: name, expectedShape: shape) }
            guard t.shape == shape else { throw ModelError.shapeMismatch(path: nil, name: name, expected: shape, found: t.shape) }
            if let bad = t.data.firstIndex(where: { !$0.isFinite }) {
                throw ModelError.nonFinite(path: nil, name: name, index: bad)
            }
        }
        let known = Set(shapes.map(\.name))
        if let extra = p.keys.sorted().first(where: { !known.contains($0) }) {
            throw ModelError.unexpectedTensor(path: nil, name: extra)
        }
        if let name = architecture.codebooks, let codebooks = p[name] {
            try Quantizer.checkSpans(codebooks, name: name, path: nil)
        }
        parameters = p
        refreshDerivedState()
    }

    /// Applies one optimizer step with `gradients` (from `lossAndGradients`) without the
    /// validation of `setParameters`, which a training loop does not need.
    public mutating func applyUpdate(gradients: [String: Tensor], optimizer: inout AdamW) {
        let decayed = Set(architecture.tree.leaves.filter { $0.parameter?.decayed == true }.map(\.path.name))
        optimizer.update(&parameters, gradients: gradients, isDecayed: decayed.contains)
        // Training's forward passes never use the decoder constants, so they are not remade
        // (re-laid out, packed, transformed) after every step; a decode between steps makes
        // them for itself instead.
        decoderConstants = nil
        encoderPackedWeights = nil
    }

    /// Whether a parameter is in AdamW's decayed group (weight decay and clipping): weights of
    /// convolutions, transposed convolutions and linear layers, and the style decoder's input
    /// map. Biases, norm affines and codebooks get plain Adam.
    public func isDecayed(parameterName name: String) -> Bool {
        architecture.tree.leaves.contains { $0.path.name == name && $0.parameter?.decayed == true }
    }

    private mutating func refreshDerivedState() {
        decoderConstants = architecture.decoder.constants(ParameterSet(tensors: parameters))
        encoderPackedWeights = architecture.encoder.packedConvWeights(ParameterSet(tensors: parameters))
    }

    var parameterSet: ParameterSet { ParameterSet(tensors: parameters) }

    /// The codebooks (n_z, n_v) of a quantized model.
    var codebookTensor: Tensor { parameterSet[architecture.codebooks!] }
}

/// The result of encoding N images.
public struct Encoding: Sendable {
    /// The encoder's continuous output, (N, n_z).
    public var continuous: Tensor
    /// Each latent replaced by its nearest codebook value, (N, n_z); equal to `continuous`
    /// when the model is not quantized.
    public var values: Tensor
    /// N rows of n_z codebook indices; empty (no rows) when the model is not quantized.
    public var codes: [[Int]]
}

/// The result of decoding N latent vectors.
public struct Decoding: Sendable {
    /// Per-pixel logits, (N, C, H, W).
    public var logits: Tensor
    /// sigmoid(logits), (N, C, H, W) in [0, 1].
    public var images: Tensor
}

extension QLAE {
    /// images (N, C, H, W) in [0, 1] → continuous latents, their quantized values and codes.
    public func encode(_ images: Tensor) -> Encoding {
        let image = config.image
        precondition(images.rank == 4 && images.shape[1] == image.channels && images.shape[2] == image.height
                     && images.shape[3] == image.width,
                     "encode expects (N, \(image.channels), \(image.height), \(image.width)), got \(images.shape)")
        var tape: EncoderTape? = nil
        let continuous = architecture.encoder.forward(FeatureMap(nchw: images), parameterSet,
                                                      packed: encoderPackedWeights, tape: &tape)
        guard architecture.quantized else { return Encoding(continuous: continuous, values: continuous, codes: []) }
        let q = Quantizer.quantize(continuous, codebooks: codebookTensor)
        return Encoding(continuous: continuous, values: q.values, codes: q.codes)
    }

    /// N codes of n_z codebook indices → images, in one batched pass. The model must be
    /// quantized and every index in 0..<n_v (callers validate user input).
    public func decode(codes: [[Int]]) -> Decoding {
        precondition(architecture.quantized, "decode(codes:) needs a quantized model")
        return decode(values: Quantizer.values(of: codes, codebooks: codebookTensor))
    }

    /// values (N, n_z) → images.
    public func decode(values: Tensor) -> Decoding {
        precondition(values.rank == 2 && values.shape[1] == architecture.latentCount,
                     "decode expects (N, \(architecture.latentCount)) values, got \(values.shape)")
        var tape: DecoderTape? = nil
        // OpenBLAS on one thread: decoding's products go through PackedMatrix on the task team,
        // and what is left for OpenBLAS (linear layers: matrix-vector products at batch 1) is
        // too small to split, while its idle workers would spin on the core the team's helper
        // needs.
        let logits = Gemm.withSingleThread {
            let parameters = parameterSet
            let constants = decoderConstants ?? architecture.decoder.constants(parameters)
            return architecture.decoder.forward(values, parameters, constants: constants, tape: &tape).nchw()
        }
        return Decoding(logits: logits, images: Tensor(shape: logits.shape, data: Activation.sigmoid(logits.data)))
    }
}
