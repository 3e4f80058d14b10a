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

/// The reference's leaf order for a model spec: qlx's module tree (`QLAE.moduleTree(for:)`)
/// mirrors the reference's encoder and decoder modules field by field, so their leaves come
/// from it as they are; this adds what the reference's model families wrap around them (the
/// latent's fields, a GAN's critic, `inference`, a VAE's settings).
enum ReferenceLayout {
    static func leaves(for spec: ReferenceModelSpec) throws -> [ReferenceLeaf] {
        let config = spec.config
        let family = spec.family
        let tree = try QLAE.moduleTree(for: config)
        let nz = config.latent.count
        var out: [ReferenceLeaf] = []
        func scalarInts(_ path: String, _ values: [Int]) {
            for (i, v) in values.enumerated() { out.append(.init(path: "\(path)[\(i)]", record: .int(value: v), target: .none)) }
        }
        func reference(_ leaf: ModuleLeaf, under root: String) -> ReferenceLeaf {
            let path = root + leaf.path.reference
            let name = leaf.path.name
            guard let parameter = leaf.parameter else {
                if case .int(let value) = leaf.value { return .init(path: path, record: .int(value: value), target: .none) }
                preconditionFailure("unknown leaf \(leaf)")
            }
            let shape = parameter.shape
            switch parameter.stored {
            case .transposedKernel:
                return .init(path: path, record: .float32(shape: [shape[1], shape[0]] + shape[2...]), target: .transposed(name))
            case .same where tree.encoderHead.contains(name) && spec.headOutputs != nz:
                var stored = shape
                stored[0] = spec.headOutputs
                return .init(path: path, record: .float32(shape: stored), target: .leadingRows(name, rows: nz))
            case .same:
                return .init(path: path, record: .float32(shape: shape), target: .parameter(name))
            }
        }

        // Encoder (a GAN's critic wraps it as `base`, beside its value head).
        let encoder = family == .quantizedInfoGAN ? ".encoder.base" : ".encoder"
        out += tree.encoder.map { reference($0, under: encoder) }
        if family == .quantizedInfoGAN {
            let features = tree.encoder.first { $0.path.name == tree.encoderHead[0] }?.parameter?.shape[1] ?? 0
            out.append(.init(path: ".encoder.critic.weight", record: .float32(shape: [1, features]), target: .none))
            out.append(.init(path: ".encoder.critic.bias", record: .float32(shape: [1]), target: .none))
        }

        // Latent: Latent's is_continuous, num_latents, num_inputs, then the subclass's fields;
        // qlx's codebooks (n_z, n_v) are one record per latent.
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
        let decoderLeaves = tree.decoder.map { reference($0, under: family == .quantizedInfoGAN ? ".generator" : ".decoder") }
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
