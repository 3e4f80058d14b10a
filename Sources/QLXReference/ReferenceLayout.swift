import QLXModel

/// One leaf a reference checkpoint stores, in file order: its PyTree path (as
/// `jax.tree_util.keystr` prints it), what the record must hold, and where its values go.
struct ReferenceLeaf: Sendable, Equatable {
    enum Record: Sendable, Equatable {
        case float32(shape: [Int])
        /// A Python int field; `value` is checked when the config determines it.
        case int(value: Int?)
        case bool(value: Bool?)
    }

    enum Target: Sendable, Equatable {
        /// Copied as is into qlx's parameter `name`.
        case parameter(String)
        /// A transposed-conv weight: Equinox's [out, in, kH, kW] → qlx's [in, out, kH, kW],
        /// kernel rotated by 180°.
        case transposed(String)
        /// Row `latent` of qlx's `latent.values`.
        case codebook(latent: Int)
        /// The first `rows` rows of a VAE head (the mean; the σ parameter rows are dropped).
        case leadingRows(String, rows: Int)
        /// Checked, not used (scalars, a critic's value head).
        case none
    }

    let path: String
    let record: Record
    let target: Target
}

/// The reference's leaf order for a model spec, derived from qlx's own ordered parameter list
/// (`QLAE.parameterShapes(for:)`): qlx keeps the reference's module order, so each qlx
/// parameter maps to one reference path, with the reference's Python scalars (shapes,
/// counts, flags) inserted where its modules declare them. The one reordering: the style
/// decoder's input map comes first.
enum ReferenceLayout {
    static func leaves(for spec: ReferenceModelSpec) throws -> [ReferenceLeaf] {
        let config = spec.config
        let family = spec.family
        let parameters = try QLAE.parameterShapes(for: config)
        let encoder = family == .quantizedInfoGAN ? ".encoder.base" : ".encoder"
        let decoder = family == .quantizedInfoGAN ? ".generator" : ".decoder"
        let nz = config.latent.count
        let map = finalMap(config)
        var out: [ReferenceLeaf] = []
        func scalarInts(_ path: String, _ values: [Int]) {
            for (i, v) in values.enumerated() { out.append(.init(path: "\(path)[\(i)]", record: .int(value: v), target: .none)) }
        }

        // Encoder: Encoder.transition_shape is declared first, then the ImageEncoder fields.
        scalarInts("\(encoder).transition_shape", [map.c, map.h, map.w])
        let encoderParameters = parameters.filter { $0.name.hasPrefix("encoder.") }
        for (name, shape) in encoderParameters {
            let path = encoder + reference(name)
            if name.hasPrefix("encoder.head."), spec.headOutputs != nz {
                var stored = shape
                stored[0] = spec.headOutputs
                out.append(.init(path: path, record: .float32(shape: stored), target: .leadingRows(name, rows: nz)))
            } else {
                out.append(.init(path: path, record: .float32(shape: shape), target: .parameter(name)))
            }
        }
        if family == .quantizedInfoGAN {
            let features = config.encoder.denseWidths.last ?? map.c * map.h * map.w
            out.append(.init(path: ".encoder.critic.weight", record: .float32(shape: [1, features]), target: .none))
            out.append(.init(path: ".encoder.critic.bias", record: .float32(shape: [1]), target: .none))
        }

        // Latent: Latent's is_continuous, num_latents, num_inputs, then the subclass's fields.
        out.append(.init(path: ".latent.is_continuous", record: .bool(value: !family.isQuantized), target: .none))
        out.append(.init(path: ".latent.num_latents", record: .int(value: nz), target: .none))
        out.append(.init(path: ".latent.num_inputs", record: .int(value: spec.headOutputs), target: .none))
        if family.isQuantized {
            let nv = config.latent.valuesPerLatent
            if spec.storesValueCounts { scalarInts(".latent.num_values_per_latent", Array(repeating: nv, count: nz)) }
            for j in 0..<nz {
                out.append(.init(path: ".latent._values_per_latent[\(j)]", record: .float32(shape: [nv]),
                                 target: .codebook(latent: j)))
            }
            out.append(.init(path: ".latent.optimize_values", record: .bool(value: nil), target: .none))
        }

        // Decoder (the GAN's generator comes after Model.inference, as InfoGAN declares it).
        // StyleImageDecoder declares input_map before its dense stack; qlx lists it after.
        var decoderParameters = parameters.filter { $0.name.hasPrefix("decoder.") }
        if let i = decoderParameters.firstIndex(where: { $0.name == "decoder.input_map" }) {
            decoderParameters.insert(decoderParameters.remove(at: i), at: 0)
        }
        var decoderLeaves: [ReferenceLeaf] = []
        for (name, shape) in decoderParameters {
            let path = decoder + reference(name, kind: config.decoder.kind)
            // decoder.conv_transpose.{i}.weight and decoder.style.{i}.weight (not norms, not conditioning).
            let isTransposed = (name.hasPrefix("decoder.conv_transpose.") || name.hasPrefix("decoder.style."))
                && name.split(separator: ".").count == 4
            if isTransposed {
                decoderLeaves.append(.init(path: path, record: .float32(shape: [shape[1], shape[0]] + shape[2...]),
                                           target: .transposed(name)))
            } else {
                decoderLeaves.append(.init(path: path, record: .float32(shape: shape), target: .parameter(name)))
            }
        }
        if config.decoder.kind == .image {
            for (i, v) in [map.c, map.h, map.w].enumerated() {
                decoderLeaves.append(.init(path: "\(decoder).transition_shape[\(i)]", record: .int(value: v), target: .none))
            }
        }
        let inference = ReferenceLeaf(path: ".inference", record: .bool(value: nil), target: .none)
        if family == .quantizedInfoGAN {
            out.append(inference)
            out += decoderLeaves
        } else {
            out += decoderLeaves
            out.append(inference)
        }
        if family == .vae {
            let image = config.image
            out.append(.init(path: ".x_dim", record: .int(value: image.channels * image.height * image.width), target: .none))
            out.append(.init(path: ".z_dim", record: .int(value: nz), target: .none))
            out.append(.init(path: ".anneal", record: .bool(value: nil), target: .none))
            out.append(.init(path: ".anneal_duration", record: .int(value: nil), target: .none))
        }
        return out
    }

    /// The encoder's final conv map (the reference's `transition_shape`).
    static func finalMap(_ config: QLAEConfig) -> (c: Int, h: Int, w: Int) {
        var (c, h, w) = (config.image.channels, config.image.height, config.image.width)
        let s = config.encoder.conv
        for i in s.widths.indices {
            h = (h + 2 * s.paddings[i] - s.kernelSizes[i]) / s.strides[i] + 1
            w = (w + 2 * s.paddings[i] - s.kernelSizes[i]) / s.strides[i] + 1
            c = s.widths[i]
        }
        return (c, h, w)
    }

    /// The reference module path of a qlx parameter name, after the encoder or decoder prefix.
    static func reference(_ name: String, kind: DecoderKind = .image) -> String {
        let parts = name.split(separator: ".").map(String.init)
        let leaf = parts.last!
        switch (parts[0], parts[1]) {
        case ("encoder", "conv"):
            return ".conv.layers[\(parts[2])].layers[\(parts.count == 5 ? 1 : 0)].\(leaf)"
        case ("encoder", "dense"):
            return ".dense.layers[\(parts[2])].layers[0].\(leaf)"
        case ("encoder", "head"):
            return ".head.\(leaf)"
        case ("decoder", "dense"):
            return kind == .image ? ".layers[0].layers[\(parts[2])].layers[0].\(leaf)" : ".dense.layers[\(parts[2])].layers[0].\(leaf)"
        case ("decoder", "transition"):
            return ".layers[1].layers[0].\(leaf)"
        case ("decoder", "conv_transpose"):
            return ".layers[3].layers[\(parts[2])].layers[\(parts.count == 5 ? 1 : 0)].\(leaf)"
        case ("decoder", "input_map"):
            return ".input_map"
        case ("decoder", "style"):
            return parts.count == 5
                ? ".style_conv_transpose.blocks[\(parts[2])].conditioning.layers[0].\(leaf)"
                : ".style_conv_transpose.blocks[\(parts[2])].forward_block.layers[0].\(leaf)"
        case ("decoder", "conv"):
            return kind == .image ? ".layers[4].layers[0].\(leaf)" : ".conv.layers[0].\(leaf)"
        default:
            preconditionFailure("no reference path for qlx parameter \(name)")
        }
    }
}

extension ReferenceModelSpec {
    /// Path and record shape of every leaf a checkpoint of this spec stores, in file order
    /// (scalars have shape []).
    public func storedLeaves() throws -> [(path: String, shape: [Int])] {
        try ReferenceLayout.leaves(for: self).map { leaf in
            if case .float32(let shape) = leaf.record { return (leaf.path, shape) }
            return (leaf.path, [])
        }
    }
}
