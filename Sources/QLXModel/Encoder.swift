import QLXCore

/// The encoder, as the reference builds it: its `transition_shape` (the map the dense stack
/// flattens: the last conv map, or the image itself), then for `image` conv blocks (conv
/// without bias → instance norm with affine → leaky ReLU 0.2), flatten (C·H·W per image), dense
/// blocks (linear → [layer norm, `dense` only] → ReLU) and a linear head to n_z.
/// Forward: images (C, N, H, W) channel-major → continuous latents (N, n_z).
struct EncoderNetwork: Sendable {
    let convs: [ConvBlock]
    /// The encoder's final conv map (the image for a dense encoder).
    let finalMap: MapShape
    let dense: DenseStack
    let head: LinearModule

    init(config e: EncoderConfig, image: ImageShape, latentCount: Int, at path: ModulePath,
         _ tree: inout ModuleTreeBuilder) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfig(path: nil, reason: reason) }
        try QLAEArchitecture.checkStack(e.conv, "encoder conv")
        try QLAEArchitecture.checkDense(e.denseWidths, "encoder dense")
        if e.kind == .dense, !e.conv.widths.isEmpty {
            throw fail("a dense encoder has no conv blocks, found \(e.conv.widths.count)")
        }
        var layers: [Conv2d] = []
        var map = MapShape(channels: image.channels, height: image.height, width: image.width)
        for i in e.conv.widths.indices {
            let conv = Conv2d(inChannels: map.channels, outChannels: e.conv.widths[i], kernel: e.conv.kernelSizes[i],
                              stride: e.conv.strides[i], padding: e.conv.paddings[i])
            guard map.height + 2 * conv.padding >= conv.kernel, map.width + 2 * conv.padding >= conv.kernel else {
                throw fail("encoder conv block \(i): kernel \(conv.kernel) does not fit a \(map.height)×\(map.width) map with padding \(conv.padding)")
            }
            (map.height, map.width) = conv.outputSize(height: map.height, width: map.width)
            map.channels = conv.outChannels
            layers.append(conv)
        }
        finalMap = map
        tree.ints(path.child(nil, ".transition_shape"), [map.channels, map.height, map.width])
        let convPath = path.child("conv", ".conv")
        convs = layers.enumerated().map { ConvBlock($1, at: convPath.item("layers", $0), &tree) }
        dense = DenseStack(inFeatures: map.count, widths: e.denseWidths, layerNorm: e.kind == .dense,
                           at: path.child("dense", ".dense"), &tree)
        head = LinearModule(inFeatures: dense.outFeatures, outFeatures: latentCount, at: path.child("head", ".head"), &tree)
    }
}

/// What the encoder's backward pass needs from its forward pass.
struct EncoderTape {
    var convInputs: [FeatureMap] = []
    var norms: [InstanceNorm.Cache] = []
    var convOutputs: [FeatureMap] = []
    var dense: DenseStackTape? = DenseStackTape()
    var headInput: Tensor? = nil
}

extension EncoderNetwork {
    /// The conv weights packed for inference (`Conv2d.packedWeight`), one per conv block (nil
    /// for a block on the direct path).
    func packedConvWeights(_ p: ParameterSet) -> [PackedMatrix?] {
        convs.map { $0.conv.packedWeight(p[$0.weight]) }
    }

    /// Records into `tape` what the backward pass needs when `tape` is non-nil. `packed`
    /// (from `packedConvWeights`) runs the convs through their packed weights.
    func forward(_ images: FeatureMap, _ p: ParameterSet, packed: [PackedMatrix?]? = nil, tape: inout EncoderTape?) -> Tensor {
        var x = images
        for (i, block) in convs.enumerated() {
            let conv = if let weight = packed?[i] { block.conv.forward(x, packed: weight) }
                       else { block.conv.forward(x, weight: p[block.weight]) }
            let (cache, y) = block.norm.instanceNormLeakyReLU(conv, p)
            if tape != nil {
                tape!.convInputs.append(x)
                tape!.norms.append(cache)
                tape!.convOutputs.append(y)
            }
            x = y
        }
        let flat = Tensor(shape: [x.batch, x.channels * x.planeSize],
                          data: Layout.swapLeadingAxes(x.data, first: x.channels, second: x.batch, inner: x.planeSize))
        var denseTape = tape?.dense
        let h = dense.forward(flat, p, tape: &denseTape)
        if tape != nil {
            tape!.dense = denseTape
            tape!.headInput = h
        }
        return head.forward(h, p)
    }

    /// Backpropagates dLatents (N, n_z) through the encoder, adding parameter gradients to
    /// `gradients`. The encoder's input gradient is not needed and not computed.
    func backward(_ dLatents: Tensor, tape: EncoderTape, _ p: ParameterSet, gradients: inout [String: Tensor]) {
        let dh = head.backward(input: tape.headInput!, dOutput: dLatents, p, gradients: &gradients)!
        guard let dFlat = dense.backward(dh, tape: tape.dense!, p, gradients: &gradients,
                                         computeInputGradient: !convs.isEmpty) else { return }
        guard !convs.isEmpty else { return }
        let m = finalMap
        let n = dLatents.shape[0]
        var dx = FeatureMap(channels: m.channels, batch: n, height: m.height, width: m.width,
                            data: Layout.swapLeadingAxes(dFlat.data, first: n, second: m.channels, inner: m.height * m.width))
        for (i, block) in convs.enumerated().reversed() {
            let dy = block.norm.instanceNormLeakyReLUBackward(cache: tape.norms[i], output: tape.convOutputs[i],
                                                              dOutput: dx, p, gradients: &gradients)
            let r = block.conv.backward(input: tape.convInputs[i], weight: p[block.weight], dOutput: dy,
                                        computeInputGradient: i > 0)
            gradients[block.weight] = r.dWeight
            if let d = r.dInput { dx = d }
        }
    }
}
