import QLXCore
import QLXIO

extension QLAEConfig {
    /// Checks that the configuration describes a buildable model: consistent list lengths,
    /// positive sizes, feature maps that never vanish, and a decoder whose output has exactly
    /// the image's size. Throws `ModelError.invalidConfig` naming the first problem.
    /// Sizes are checked first, with bounded arithmetic (`Checkpoint.checkBounds`), and the
    /// parameters (with their gradients and AdamW moments) against `SizeLimit.memoryLimit`.
    public func validate() throws {
        try Checkpoint.checkBounds(self, path: nil)
        let architecture = try QLAEArchitecture(config: self)
        var count: Int? = 0
        for (_, shape) in architecture.parameterShapes {
            guard let total = count, let n = SizeLimit.product(shape) else { count = nil; break }
            let (sum, overflow) = total.addingReportingOverflow(n)
            count = overflow ? nil : sum
        }
        do {
            try SizeLimit.check([count ?? -1], bytesEach: 16,
                                what: "the model (\(count.map(String.init) ?? "more than 2⁶³") parameters with their gradients and AdamW moments, 16 bytes each)")
        } catch let error as SizeError {
            throw ModelError.invalidConfig(path: nil, reason: error.description)
        }
    }
}

/// Every module of a QLAE with its sizes, derived from (and validating) a `QLAEConfig`, and
/// the module tree they form: encoder, latent codebooks, decoder.
struct QLAEArchitecture: Sendable {
    let latentCount: Int
    let valuesPerLatent: Int
    let quantized: Bool
    let image: ImageShape
    let encoder: EncoderNetwork
    /// The codebooks' parameter (n_z, n_v); nil when the model is not quantized.
    let codebooks: String?
    let decoder: any DecoderNetwork
    let tree: ModelTree

    init(config: QLAEConfig) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfig(path: nil, reason: reason) }
        let img = config.image
        guard img.channels > 0, img.height > 0, img.width > 0 else {
            throw fail("image shape must be positive, found \(img.channels)×\(img.height)×\(img.width)")
        }
        guard config.latent.count > 0 else { throw fail("latent count must be ≥ 1, found \(config.latent.count)") }
        if config.latent.quantized {
            guard config.latent.valuesPerLatent >= 1 else {
                throw fail("values per latent must be ≥ 1, found \(config.latent.valuesPerLatent)")
            }
        }
        latentCount = config.latent.count
        valuesPerLatent = config.latent.valuesPerLatent
        quantized = config.latent.quantized
        image = img

        var encoderTree = ModuleTreeBuilder()
        encoder = try EncoderNetwork(config: config.encoder, image: img, latentCount: latentCount,
                                     at: ModulePath(name: "encoder"), &encoderTree)
        var latentTree = ModuleTreeBuilder()
        codebooks = quantized
            ? latentTree.parameter(ModulePath(name: "latent.values", reference: "._values_per_latent"),
                                   [latentCount, valuesPerLatent], .codebook, decayed: false)
            : nil
        var decoderTree = ModuleTreeBuilder()
        try Self.checkDense(config.decoder.denseWidths, "decoder dense")
        try Self.checkStack(config.decoder.convTranspose, "decoder conv-transpose")
        decoder = try config.decoder.kind.network.init(config: config.decoder, latentCount: latentCount, image: img,
                                                       encoderMap: encoder.finalMap, at: ModulePath(name: "decoder"),
                                                       &decoderTree)
        tree = ModelTree(encoder: encoderTree.leaves, latent: latentTree.leaves.first, decoder: decoderTree.leaves,
                         encoderHead: [encoder.head.weight, encoder.head.bias])
    }

    /// Every parameter name and shape, in tree order.
    var parameterShapes: [(name: String, shape: [Int])] {
        tree.leaves.compactMap { leaf in leaf.parameter.map { (leaf.path.name, $0.shape) } }
    }

    static func checkStack(_ s: ConvStackConfig, _ what: String) throws {
        let n = s.widths.count
        guard s.kernelSizes.count == n, s.strides.count == n, s.paddings.count == n else {
            throw ModelError.invalidConfig(path: nil, reason: "\(what): widths, kernel sizes, strides and paddings need the same length, found \(n), \(s.kernelSizes.count), \(s.strides.count), \(s.paddings.count)")
        }
        for i in 0..<n {
            guard s.widths[i] > 0, s.kernelSizes[i] > 0, s.strides[i] > 0, s.paddings[i] >= 0 else {
                throw ModelError.invalidConfig(path: nil, reason: "\(what) block \(i): width, kernel and stride must be positive and padding ≥ 0")
            }
        }
    }

    static func checkDense(_ widths: [Int], _ what: String) throws {
        if let bad = widths.firstIndex(where: { $0 <= 0 }) {
            throw ModelError.invalidConfig(path: nil, reason: "\(what) width \(bad) must be positive, found \(widths[bad])")
        }
    }

    /// The decoder's transposed convolutions from `map`; their output must be the image's size.
    /// Returns them with the last map.
    static func transposes(_ s: ConvStackConfig, from map: MapShape, to image: ImageShape) throws
        -> (layers: [ConvTranspose2d], map: MapShape) {
        var map = map
        var layers: [ConvTranspose2d] = []
        for i in s.widths.indices {
            let t = ConvTranspose2d(inChannels: map.channels, outChannels: s.widths[i], kernel: s.kernelSizes[i],
                                    stride: s.strides[i], padding: s.paddings[i])
            (map.height, map.width) = t.outputSize(height: map.height, width: map.width)
            guard map.height > 0, map.width > 0 else {
                throw ModelError.invalidConfig(path: nil, reason: "decoder conv-transpose block \(i): output map would be empty")
            }
            map.channels = t.outChannels
            layers.append(t)
        }
        guard map.height == image.height, map.width == image.width else {
            throw ModelError.invalidConfig(path: nil, reason: "decoder produces \(map.height)×\(map.width) images but the image is \(image.height)×\(image.width)")
        }
        return (layers, map)
    }

    /// Training floats per image of transposed convolutions from `map`: each one's im2col
    /// columns on its input and its output map.
    static func transposeFloats(_ layers: [ConvTranspose2d], from map: MapShape) -> Double {
        var floats = 0.0
        var (h, w) = (map.height, map.width)
        for t in layers {
            floats += Double(h) * Double(w) * Double(t.inChannels * t.kernel * t.kernel)
            (h, w) = t.outputSize(height: h, width: w)
            floats += Double(h) * Double(w) * Double(t.outChannels)
        }
        return floats
    }
}

/// A model's module tree: the encoder's and the decoder's leaves (reference paths below each
/// module), and the codebooks between them; `leaves` walks all three in order.
public struct ModelTree: Sendable {
    public let encoder: [ModuleLeaf]
    /// qlx's codebooks "latent.values" (n_z, n_v); nil when the model is not quantized.
    public let latent: ModuleLeaf?
    public let decoder: [ModuleLeaf]
    /// The encoder head's weight and bias names (a VAE's head has twice the rows elsewhere).
    public let encoderHead: [String]

    public var leaves: [ModuleLeaf] { encoder + (latent.map { [$0] } ?? []) + decoder }
}
