import QLXCore

/// The reference's ImageDecoder, a `Sequential`: dense blocks (linear → ReLU), a transition
/// dense (→ ReLU) to the encoder's final map, reshape, conv-transpose blocks (convT → instance
/// norm with affine → leaky ReLU 0.2), a 1×1 conv to logits; then its `transition_shape`.
struct ImageDecoder: DecoderNetwork {
    let dense: DenseStack
    let transition: LinearModule
    let finalMap: MapShape
    let blocks: [ConvTransposeBlock]
    let output: OutputConv
    let image: ImageShape

    static let referenceClassName = "ImageDecoder"

    static func custom(denseWidths: [Int], blocks: ConvStackConfig) -> DecoderConfig {
        DecoderConfig(kind: .image, preset: "custom", denseWidths: denseWidths, convTranspose: blocks)
    }

    static func summary(_ config: DecoderConfig, image: ImageShape) -> [String] {
        denseSummary(config) + [config.convTranspose.summary(blocks: "conv-transpose"), "1×1 conv"]
    }

    static func blockLayout(_ config: QLAEConfig) -> DecoderBlockLayout? {
        DecoderBlockLayout(inputChannels: config.encoder.conv.widths.last ?? config.image.channels, firstBlockCached: false,
                           modulated: false, outputKernel: 1)
    }

    init(config d: DecoderConfig, latentCount: Int, image: ImageShape, encoderMap: MapShape, at path: ModulePath,
         _ tree: inout ModuleTreeBuilder) throws {
        dense = DenseStack(inFeatures: latentCount, widths: d.denseWidths, layerNorm: false,
                           at: path.child("dense", ".layers[0]"), &tree)
        finalMap = encoderMap
        self.image = image
        transition = LinearModule(inFeatures: dense.outFeatures, outFeatures: encoderMap.count,
                                  at: path.child("transition", ".layers[1].layers[0]"), &tree)
        let (layers, map) = try QLAEArchitecture.transposes(d.convTranspose, from: encoderMap, to: image)
        let blockPath = path.child("conv_transpose", ".layers[3]")
        blocks = layers.enumerated().map { ConvTransposeBlock($1, at: blockPath.item("layers", $0), &tree) }
        output = OutputConv(Conv2d(inChannels: map.channels, outChannels: image.channels, kernel: 1),
                            at: path.child("conv", ".layers[4]"), &tree)
        tree.ints(path.child(nil, ".transition_shape"), [encoderMap.channels, encoderMap.height, encoderMap.width])
    }

    func constants(_ p: ParameterSet) -> DecoderConstants {
        DecoderConstants(convTWeights: DecoderConstants.convTWeights(blocks.map { ($0.convT, $0.weight) }, p))
    }

    func forward(_ z: Tensor, _ p: ParameterSet, constants: DecoderConstants?, tape: inout DecoderTape?) -> FeatureMap {
        let h = dense.forward(z, p, tape: &tape)
        var t = transition.forward(h, p)
        Activation.relu(&t.data)
        if tape != nil {
            tape!.transitionInput = h
            tape!.transitionOutput = t
        }
        let n = h.shape[0]
        let m = finalMap
        var x = FeatureMap(channels: m.channels, batch: n, height: m.height, width: m.width,
                           data: Layout.swapLeadingAxes(t.data, first: n, second: m.channels, inner: m.height * m.width))
        for block in blocks {
            let y = block.convT.forward(x, weight: block.weight, p, constants: constants)
            guard tape != nil else {
                // Decoding: norm, affine and activation in one pass (nothing kept for backward).
                x = block.norm.fusedInstanceNormLeakyReLU(y, p)
                continue
            }
            let (cache, activated) = block.norm.instanceNormLeakyReLU(y, p)
            tape!.convInputs.append(x)
            tape!.norms.append(cache)
            tape!.convOutputs.append(activated)
            x = activated
        }
        if tape != nil { tape!.outputInput = x }
        return output.conv.forward(x, weight: p[output.weight])
    }

    func backward(_ dLogits: FeatureMap, tape: DecoderTape, _ p: ParameterSet, gradients: inout [String: Tensor]) -> Tensor {
        let out = output.conv.backward(input: tape.outputInput!, weight: p[output.weight], dOutput: dLogits)
        gradients[output.weight] = out.dWeight
        var dx = out.dInput!
        for (i, block) in blocks.enumerated().reversed() {
            let dy = block.norm.instanceNormLeakyReLUBackward(cache: tape.norms[i], output: tape.convOutputs[i],
                                                              dOutput: dx, p, gradients: &gradients)
            let r = block.convT.backward(input: tape.convInputs[i], weight: p[block.weight], dOutput: dy)
            gradients[block.weight] = r.dWeight
            dx = r.dInput!
        }
        let n = dx.batch
        var dt = Tensor(shape: [n, dx.channels * dx.planeSize],
                        data: Layout.swapLeadingAxes(dx.data, first: dx.channels, second: n, inner: dx.planeSize))
        Activation.reluBackward(output: tape.transitionOutput!.data, gradient: &dt.data)
        let dh = transition.backward(input: tape.transitionInput!, dOutput: dt, p, gradients: &gradients)!
        return dense.backward(dh, tape: tape.dense!, p, gradients: &gradients)!
    }

    var multiplyAddsPerImage: Int {
        var total = dense.multiplyAdds + transition.layer.inFeatures * transition.layer.outFeatures
        var (h, w) = (finalMap.height, finalMap.width)
        for block in blocks {
            let t = block.convT
            total += t.inChannels * t.outChannels * t.kernel * t.kernel * h * w
            (h, w) = t.outputSize(height: h, width: w)
        }
        let c = output.conv
        return total + c.outChannels * c.inChannels * c.kernel * c.kernel * h * w
    }

    var trainingFloatsPerImage: Double {
        dense.outputFloats + Double(transition.layer.outFeatures)
            + QLAEArchitecture.transposeFloats(blocks.map(\.convT), from: finalMap)
            + convolutionFloats(output.conv, outputHeight: image.height, outputWidth: image.width)
    }
}
