import QLXIO
import QLXModel

/// The reference model families qlx opens (`model_partial._target_`).
public enum ReferenceFamily: String, Sendable, CaseIterable {
    case quantizedAE = "QuantizedAE"
    case ae = "AE"
    case vae = "VAE"
    case quantizedInfoGAN = "QuantizedInfoGAN"

    /// Quantized latents (codes) rather than continuous ones.
    public var isQuantized: Bool { self == .quantizedAE || self == .quantizedInfoGAN }

    var latentTarget: String {
        switch self {
        case .quantizedAE, .quantizedInfoGAN: return "QuantizedLatent"
        case .ae: return "ContinuousLatent"
        case .vae: return "DiagonalGaussianLatent"
        }
    }
}

/// What a reference config describes: the family and the architecture as a `QLAEConfig`
/// (VAE: the encoder head keeps only the mean rows, so `latent.count` is n_z).
public struct ReferenceModelSpec: Sendable {
    public let family: ReferenceFamily
    public let config: QLAEConfig
    /// The encoder head's outputs in the checkpoint (2·n_z for a VAE: mean, then σ parameter).
    let headOutputs: Int
    /// Whether `num_values_per_latent` is stored as n_z int leaves: an int in the config
    /// becomes a Python list of ints; a list stays Hydra's ListConfig, which JAX does not
    /// flatten and Equinox does not store.
    let storesValueCounts: Bool

    public init(config c: ReferenceConfig) throws {
        let target = try c.string("model_partial._target_")
        guard let family = ReferenceFamily(rawValue: Self.className(target)) else {
            throw ReferenceError.unsupported(path: c.path, what: quoted(target))
        }
        self.family = family

        let dataName = try c.string("data.name")
        guard let data = ReferenceDatasets.info(named: dataName) else {
            throw ReferenceError.unsupported(path: c.path, what: "data.name \(quoted(dataName))")
        }

        // Latent
        let latentTarget = try c.string("model_partial.latent_partial._target_")
        guard Self.className(latentTarget) == family.latentTarget else {
            throw ReferenceError.unsupported(path: c.path, what: "\(quoted(latentTarget)) in \(quoted(target))")
        }
        let count: Int
        if case .string("twice_sources")? = c.value("model_partial.latent_partial.num_latents") {
            guard let n = ReferenceDatasets.twiceSources(dataName) else {
                throw ReferenceError.badConfigValue(path: c.path, key: "model_partial.latent_partial.num_latents",
                                                    expected: "an integer", found: "twice_sources for \(dataName)")
            }
            count = n
        } else {
            count = try c.int("model_partial.latent_partial.num_latents")
        }
        // Continuous models keep 10 as the number of steps `qlx traverse` takes through a latent.
        var values = 10
        var storesValueCounts = family.isQuantized
        if family.isQuantized {
            let key = "model_partial.latent_partial.num_values_per_latent"
            if case .list = c.value(key) {
                storesValueCounts = false
                let list = try c.ints(key)
                guard let first = list.first, list.allSatisfy({ $0 == first }), list.count == count else {
                    throw ReferenceError.unsupported(path: c.path, what: "codebooks of different sizes \(list)")
                }
                values = first
            } else {
                values = try c.int(key)
            }
        }
        headOutputs = family == .vae ? 2 * count : count
        self.storesValueCounts = storesValueCounts

        let encoder = try Self.encoder(c)
        let decoder = try Self.decoder(c)
        config = QLAEConfig(encoder: encoder, decoder: decoder,
                            latent: LatentConfig(count: count, valuesPerLatent: values, quantized: family.isQuantized),
                            image: data.image, dataset: data.dataset)
        do { try config.validate() } catch {
            throw ReferenceError.invalidModel(path: c.path, reason: "\(error)")
        }
    }

    /// The same model with `count` latents: what a checkpoint that does not fit its config
    /// is tried against, to name the latent count it holds.
    func withLatentCount(_ count: Int) -> ReferenceModelSpec {
        var config = config
        config.latent.count = count
        return ReferenceModelSpec(family: family, config: config, headOutputs: family == .vae ? 2 * count : count,
                                  storesValueCounts: storesValueCounts)
    }

    private init(family: ReferenceFamily, config: QLAEConfig, headOutputs: Int, storesValueCounts: Bool) {
        self.family = family
        self.config = config
        self.headOutputs = headOutputs
        self.storesValueCounts = storesValueCounts
    }

    static func className(_ target: String) -> String {
        String(target.split(separator: ".").last ?? Substring(target))
    }

    private static func expect(_ c: ReferenceConfig, _ key: String, _ allowed: String) throws {
        let found = try c.string(key)
        guard found == allowed else { throw ReferenceError.unsupported(path: c.path, what: "\(key) \(quoted(found)) (qlx has \(allowed))") }
    }

    private static func stack(_ c: ReferenceConfig, _ prefix: String) throws -> ConvStackConfig {
        ConvStackConfig(widths: try c.ints("\(prefix).widths"), kernelSizes: try c.ints("\(prefix).kernel_sizes"),
                        strides: try c.ints("\(prefix).strides"), paddings: try c.ints("\(prefix).paddings"))
    }

    private static func encoder(_ c: ReferenceConfig) throws -> EncoderConfig {
        let p = "model_partial.encoder_partial"
        let target = try c.string("\(p)._target_")
        var e: EncoderConfig
        switch className(target) {
        case "ImageEncoder":
            try expect(c, "\(p).conv_partial.activation", "leaky_relu")
            try expect(c, "\(p).conv_partial.norm", "instance_norm")
            try expect(c, "\(p).dense_partial.activation", "relu")
            try expect(c, "\(p).dense_partial.norm", "none")
            e = EncoderConfig(preset: "custom", conv: try stack(c, "\(p).conv_partial"),
                              denseWidths: try c.ints("\(p).dense_partial.widths"))
        case "DenseEncoder":
            try expect(c, "\(p).dense_partial.activation", "relu")
            try expect(c, "\(p).dense_partial.norm", "layer_norm")
            e = EncoderConfig(kind: .dense, preset: "custom", conv: ConvStackConfig.empty,
                              denseWidths: try c.ints("\(p).dense_partial.widths"))
        default:
            throw ReferenceError.unsupported(path: c.path, what: "encoder \(quoted(target))")
        }
        for name in ArchitecturePreset.encoderNames {
            if var preset = ArchitecturePreset.encoder(named: name) {
                preset.preset = e.preset
                if preset == e { e.preset = name }
            }
        }
        return e
    }

    private static func decoder(_ c: ReferenceConfig) throws -> DecoderConfig {
        let p = "model_partial.decoder_partial"
        let target = try c.string("\(p)._target_")
        var d: DecoderConfig
        switch DecoderKind(referenceClassName: className(target)) {
        case .image:
            try expect(c, "\(p).transition_partial.activation", "relu")
            try expect(c, "\(p).transition_partial.norm", "none")
            try expect(c, "\(p).conv_transpose_partial.activation", "leaky_relu")
            try expect(c, "\(p).conv_transpose_partial.norm", "instance_norm")
            try expectConv(c, p, kernel: 1, padding: 0)
            d = DecoderConfig(kind: .image, preset: "custom", denseWidths: try c.ints("\(p).dense_partial.widths"),
                              convTranspose: try stack(c, "\(p).conv_transpose_partial"))
        case .styleImage:
            try expect(c, "\(p).style_conv_transpose_partial.activation", "leaky_relu")
            try expect(c, "\(p).style_conv_transpose_partial.norm", "none")
            try expectConv(c, p, kernel: 3, padding: 1)
            d = DecoderConfig(kind: .styleImage, preset: "custom", denseWidths: try c.ints("\(p).dense_partial.widths"),
                              convTranspose: try stack(c, "\(p).style_conv_transpose_partial"),
                              inputChannels: try c.int("\(p).input_channels"))
        case .dense:
            d = DecoderConfig(kind: .dense, preset: "custom", denseWidths: try c.ints("\(p).dense_partial.widths"),
                              convTranspose: ConvStackConfig.empty)
        default:
            throw ReferenceError.unsupported(path: c.path, what: "decoder \(quoted(target))")
        }
        try expect(c, "\(p).dense_partial.activation", "relu")
        try expect(c, "\(p).dense_partial.norm", d.kind == .dense ? "layer_norm" : "none")
        for name in ArchitecturePreset.decoderNames {
            if var preset = ArchitecturePreset.decoder(named: name) {
                preset.preset = d.preset
                if preset == d { d.preset = name }
            }
        }
        return d
    }

    private static func expectConv(_ c: ReferenceConfig, _ p: String, kernel: Int, padding: Int) throws {
        let k = try c.int("\(p).conv_partial.kernel_size"), s = try c.int("\(p).conv_partial.stride")
        let pad = try c.int("\(p).conv_partial.padding")
        guard k == kernel, s == 1, pad == padding else {
            throw ReferenceError.unsupported(path: c.path, what: "output conv kernel \(k) stride \(s) padding \(pad) (qlx has kernel \(kernel) stride 1 padding \(padding))")
        }
        try expect(c, "\(p).conv_partial.activation", "none")
        try expect(c, "\(p).conv_partial.norm", "none")
    }
}
