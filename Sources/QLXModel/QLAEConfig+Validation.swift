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

/// Every layer of a QLAE with its sizes, derived from (and validating) a `QLAEConfig`.
struct QLAEArchitecture: Sendable {
    let kind: DecoderKind
    let latentCount: Int
    let valuesPerLatent: Int
    let quantized: Bool
    let image: ImageShape

    // Encoder
    let encoderConvs: [Conv2d]
    /// Channels, height and width of the encoder's final conv map.
    let finalMap: (channels: Int, height: Int, width: Int)
    let encoderDense: [Linear]
    let head: Linear

    // Decoder (both kinds)
    let decoderDense: [Linear]
    let decoderTransposes: [ConvTranspose2d]
    let outputConv: Conv2d
    // Image decoder
    let transition: Linear?
    // Style decoder
    let inputMapShape: [Int]?
    let conditioning: [Linear]

    var flatFeatures: Int { finalMap.channels * finalMap.height * finalMap.width }
    /// Width of w, the output of the decoder's dense stack.
    var styleFeatures: Int { decoderDense.last?.outFeatures ?? latentCount }

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
        kind = config.decoder.kind
        latentCount = config.latent.count
        valuesPerLatent = config.latent.valuesPerLatent
        quantized = config.latent.quantized
        image = img

        func checkStack(_ s: ConvStackConfig, _ what: String) throws {
            let n = s.widths.count
            guard s.kernelSizes.count == n, s.strides.count == n, s.paddings.count == n else {
                throw fail("\(what): widths, kernel sizes, strides and paddings need the same length, found \(n), \(s.kernelSizes.count), \(s.strides.count), \(s.paddings.count)")
            }
            for i in 0..<n {
                guard s.widths[i] > 0, s.kernelSizes[i] > 0, s.strides[i] > 0, s.paddings[i] >= 0 else {
                    throw fail("\(what) block \(i): width, kernel and stride must be positive and padding ≥ 0")
                }
            }
        }
        func checkDense(_ widths: [Int], _ what: String) throws {
            if let bad = widths.firstIndex(where: { $0 <= 0 }) {
                throw fail("\(what) width \(bad) must be positive, found \(widths[bad])")
            }
        }

        // Encoder convolutions
        let e = config.encoder
        try checkStack(e.conv, "encoder conv")
        try checkDense(e.denseWidths, "encoder dense")
        var convs: [Conv2d] = []
        var (c, h, w) = (img.channels, img.height, img.width)
        for i in e.conv.widths.indices {
            let conv = Conv2d(inChannels: c, outChannels: e.conv.widths[i], kernel: e.conv.kernelSizes[i],
                              stride: e.conv.strides[i], padding: e.conv.paddings[i])
            guard h + 2 * conv.padding >= conv.kernel, w + 2 * conv.padding >= conv.kernel else {
                throw fail("encoder conv block \(i): kernel \(conv.kernel) does not fit a \(h)×\(w) map with padding \(conv.padding)")
            }
            (h, w) = conv.outputSize(height: h, width: w)
            c = conv.outChannels
            convs.append(conv)
        }
        encoderConvs = convs
        finalMap = (c, h, w)
        var features = c * h * w
        var dense: [Linear] = []
        for width in e.denseWidths {
            dense.append(Linear(inFeatures: features, outFeatures: width))
            features = width
        }
        encoderDense = dense
        head = Linear(inFeatures: features, outFeatures: config.latent.count)

        // Decoder
        let d = config.decoder
        try checkStack(d.convTranspose, "decoder conv-transpose")
        try checkDense(d.denseWidths, "decoder dense")
        features = config.latent.count
        dense = []
        for width in d.denseWidths {
            dense.append(Linear(inFeatures: features, outFeatures: width))
            features = width
        }
        decoderDense = dense
        switch d.kind {
        case .image:
            transition = Linear(inFeatures: features, outFeatures: c * h * w)
            inputMapShape = nil
        case .styleImage:
            guard let inputChannels = d.inputChannels, inputChannels > 0 else {
                throw fail("style_image decoder needs input channels ≥ 1, found \(d.inputChannels.map(String.init) ?? "none")")
            }
            guard !d.convTranspose.widths.isEmpty else {
                throw fail("style_image decoder needs at least one conv-transpose block, found none")
            }
            transition = nil
            inputMapShape = [inputChannels, h, w]
            c = inputChannels
        }
        var transposes: [ConvTranspose2d] = []
        var conditioning: [Linear] = []
        for i in d.convTranspose.widths.indices {
            let t = ConvTranspose2d(inChannels: c, outChannels: d.convTranspose.widths[i],
                                    kernel: d.convTranspose.kernelSizes[i], stride: d.convTranspose.strides[i],
                                    padding: d.convTranspose.paddings[i])
            (h, w) = t.outputSize(height: h, width: w)
            guard h > 0, w > 0 else { throw fail("decoder conv-transpose block \(i): output map would be empty") }
            c = t.outChannels
            transposes.append(t)
            if d.kind == .styleImage { conditioning.append(Linear(inFeatures: features, outFeatures: 2 * c)) }
        }
        decoderTransposes = transposes
        self.conditioning = conditioning
        guard h == img.height, w == img.width else {
            throw fail("decoder produces \(h)×\(w) images but the image is \(img.height)×\(img.width)")
        }
        outputConv = d.kind == .image
            ? Conv2d(inChannels: c, outChannels: img.channels, kernel: 1)
            : Conv2d(inChannels: c, outChannels: img.channels, kernel: 3, stride: 1, padding: 1)
    }

    /// Every parameter name and shape, in canonical order.
    var parameterShapes: [(name: String, shape: [Int])] {
        var out: [(name: String, shape: [Int])] = []
        for (i, conv) in encoderConvs.enumerated() {
            out.append(("encoder.conv.\(i).weight", conv.weightShape))
            out.append(("encoder.conv.\(i).norm.weight", [conv.outChannels]))
            out.append(("encoder.conv.\(i).norm.bias", [conv.outChannels]))
        }
        for (i, layer) in encoderDense.enumerated() {
            out.append(("encoder.dense.\(i).weight", layer.weightShape))
            out.append(("encoder.dense.\(i).bias", [layer.outFeatures]))
        }
        out.append(("encoder.head.weight", head.weightShape))
        out.append(("encoder.head.bias", [head.outFeatures]))
        if quantized { out.append(("latent.values", [latentCount, valuesPerLatent])) }
        for (i, layer) in decoderDense.enumerated() {
            out.append(("decoder.dense.\(i).weight", layer.weightShape))
            out.append(("decoder.dense.\(i).bias", [layer.outFeatures]))
        }
        switch kind {
        case .image:
            out.append(("decoder.transition.weight", transition!.weightShape))
            out.append(("decoder.transition.bias", [transition!.outFeatures]))
            for (i, t) in decoderTransposes.enumerated() {
                out.append(("decoder.conv_transpose.\(i).weight", t.weightShape))
                out.append(("decoder.conv_transpose.\(i).norm.weight", [t.outChannels]))
                out.append(("decoder.conv_transpose.\(i).norm.bias", [t.outChannels]))
            }
        case .styleImage:
            out.append(("decoder.input_map", inputMapShape!))
            for (i, t) in decoderTransposes.enumerated() {
                out.append(("decoder.style.\(i).weight", t.weightShape))
                out.append(("decoder.style.\(i).conditioning.weight", conditioning[i].weightShape))
                out.append(("decoder.style.\(i).conditioning.bias", [conditioning[i].outFeatures]))
            }
        }
        out.append(("decoder.conv.weight", outputConv.weightShape))
        return out
    }
}
