import QLXCore

/// The reference's StyleImageDecoder: a learned constant input map (0.1), dense blocks
/// (linear → ReLU) giving w, style blocks (convT → leaky ReLU 0.2 → instance norm without
/// affine → x·scale + bias, with [scale, bias] = ReLU(linear(w)) split per channel, scale
/// first) on the input map, and a 3×3 conv to logits.
/// The first block's convT, activation and norm see only the constant map, so they run once
/// for the whole batch (and, for decoding, once per parameter set: `constants`).
struct StyleImageDecoder: DecoderNetwork {
    struct Block: Sendable {
        let convT: ConvTranspose2d
        let weight: String
        let conditioning: LinearModule

        /// [scale | bias] (N, 2C) = ReLU(linear(w)).
        func condition(_ w: Tensor, _ p: ParameterSet) -> Tensor {
            var condition = conditioning.forward(w, p)
            Activation.relu(&condition.data)
            return condition
        }
    }
    let inputMap: String
    let inputMapShape: MapShape
    let dense: DenseStack
    let blocks: [Block]
    let output: OutputConv
    let image: ImageShape

    static let referenceClassName = "StyleImageDecoder"

    /// The constant input map gets as many channels as the first block.
    static func custom(denseWidths: [Int], blocks: ConvStackConfig) -> DecoderConfig {
        DecoderConfig(kind: .styleImage, preset: "custom", denseWidths: denseWidths, convTranspose: blocks,
                      inputChannels: blocks.widths.first)
    }

    static func summary(_ config: DecoderConfig, image: ImageShape) -> [String] {
        denseSummary(config) + ["input map of \(config.inputChannels ?? 0) channels", config.convTranspose.summary(blocks: "style"), "3×3 conv"]
    }

    static func blockLayout(_ config: QLAEConfig) -> DecoderBlockLayout? {
        DecoderBlockLayout(inputChannels: config.decoder.inputChannels ?? 0, firstBlockCached: true, modulated: true,
                           outputKernel: 3)
    }

    init(config d: DecoderConfig, latentCount: Int, image: ImageShape, encoderMap: MapShape, at path: ModulePath,
         _ tree: inout ModuleTreeBuilder) throws {
        guard let inputChannels = d.inputChannels, inputChannels > 0 else {
            throw ModelError.invalidConfig(path: nil, reason: "style_image decoder needs input channels ≥ 1, found \(d.inputChannels.map(String.init) ?? "none")")
        }
        guard !d.convTranspose.widths.isEmpty else {
            throw ModelError.invalidConfig(path: nil, reason: "style_image decoder needs at least one conv-transpose block, found none")
        }
        self.image = image
        inputMapShape = MapShape(channels: inputChannels, height: encoderMap.height, width: encoderMap.width)
        inputMap = tree.parameter(path.child("input_map", ".input_map"),
                                  [inputChannels, encoderMap.height, encoderMap.width], .constant(0.1), decayed: true)
        dense = DenseStack(inFeatures: latentCount, widths: d.denseWidths, layerNorm: false,
                           at: path.child("dense", ".dense"), &tree)
        let (layers, map) = try QLAEArchitecture.transposes(d.convTranspose, from: inputMapShape, to: image)
        let stylePath = path.child("style", ".style_conv_transpose")
        var blocks: [Block] = []
        for (i, convT) in layers.enumerated() {
            let block = stylePath.child("\(i)", ".blocks[\(i)]")
            let weight = tree.parameter(block.child(nil, ".forward_block.layers[0]").child("weight", ".weight"), convT.weightShape,
                                        .uniform(fanIn: convT.inChannels * convT.kernel * convT.kernel), decayed: true,
                                        stored: .transposedKernel)
            let conditioning = LinearModule(inFeatures: dense.outFeatures, outFeatures: 2 * convT.outChannels,
                                            at: block.child("conditioning", ".conditioning.layers[0]"), &tree)
            blocks.append(Block(convT: convT, weight: weight, conditioning: conditioning))
        }
        self.blocks = blocks
        output = OutputConv(Conv2d(inChannels: map.channels, outChannels: image.channels, kernel: 3, stride: 1, padding: 1),
                            at: path.child("conv", ".conv"), &tree)
    }

    /// The first style block up to its norm, on the input map (batch 1): the input, the
    /// convT's output (before the activation) and the norm's cache.
    func baseForward(_ p: ParameterSet) -> (input: FeatureMap, convOutput: FeatureMap, cache: InstanceNorm.Cache) {
        let shape = inputMapShape
        let input = FeatureMap(channels: shape.channels, batch: 1, height: shape.height, width: shape.width,
                               data: p[inputMap].data)
        let first = blocks[0]
        let y = first.convT.forward(input, weight: p[first.weight])
        return (input, y, InstanceNorm(channels: first.convT.outChannels).normalize(y, afterLeakyReLU: Activation.leakySlope))
    }

    func constants(_ p: ParameterSet) -> DecoderConstants {
        let first = baseForward(p).cache.normalized
        return DecoderConstants(map: first, convTWeights: DecoderConstants.convTWeights(
            blocks.dropFirst().map { ($0.convT, $0.weight) }, p))
    }

    func forward(_ z: Tensor, _ p: ParameterSet, constants: DecoderConstants?, tape: inout DecoderTape?) -> FeatureMap {
        let w = dense.forward(z, p, tape: &tape)
        let n = w.shape[0]
        if tape != nil { tape!.style = w }
        var x = FeatureMap(zerosChannels: 0, batch: n, height: 0, width: 0)
        for (i, block) in blocks.enumerated() {
            let convT = block.convT
            if i > 0 && tape == nil {
                // Decoding: activation, norm and modulation in one pass (nothing kept for backward).
                x = InstanceNorm(channels: convT.outChannels).leakyReLUNormalizeModulate(
                    convT.forward(x, weight: block.weight, p, constants: constants), scaleAndBias: block.condition(w, p))
                continue
            }
            let xHat: FeatureMap
            if i == 0 {
                if tape != nil || constants?.map == nil {
                    let base = baseForward(p)
                    if tape != nil {
                        tape!.convInputs.append(base.input)
                        tape!.convOutputs.append(base.convOutput)
                        tape!.norms.append(base.cache)
                    }
                    xHat = base.cache.normalized
                } else {
                    xHat = constants!.map!
                }
            } else {
                let y = convT.forward(x, weight: p[block.weight])
                let cache = InstanceNorm(channels: convT.outChannels).normalize(y, afterLeakyReLU: Activation.leakySlope)
                if tape != nil {
                    tape!.convInputs.append(x)
                    tape!.convOutputs.append(y)
                    tape!.norms.append(cache)
                }
                xHat = cache.normalized
            }
            let condition = block.condition(w, p)
            if tape != nil { tape!.conditioning.append(condition) }
            x = Self.modulate(xHat, condition: condition, batch: n)
        }
        if tape != nil { tape!.outputInput = x }
        return output.conv.forward(x, weight: p[output.weight])
    }

    func backward(_ dLogits: FeatureMap, tape: DecoderTape, _ p: ParameterSet, gradients: inout [String: Tensor]) -> Tensor {
        let out = output.conv.backward(input: tape.outputInput!, weight: p[output.weight], dOutput: dLogits)
        gradients[output.weight] = out.dWeight
        let w = tape.style!
        var dw = Tensor(zeros: w.shape)
        var dx = out.dInput!
        for (i, block) in blocks.enumerated().reversed() {
            let convT = block.convT
            let cache = tape.norms[i]
            var (dXHat, dCondition) = Self.modulateBackward(cache.normalized, condition: tape.conditioning[i], dOutput: dx)
            Activation.reluBackward(output: tape.conditioning[i].data, gradient: &dCondition.data)
            let dwPart = block.conditioning.backward(input: w, dOutput: dCondition, p, gradients: &gradients)!
            for k in 0..<dw.count { dw.data[k] += dwPart.data[k] }
            // convOutputs hold the activation's inputs, whose signs are its outputs' signs.
            let dy = InstanceNorm(channels: convT.outChannels).normalizeBackward(cache, dNormalized: dXHat,
                                                                                throughLeakyReLUOf: tape.convOutputs[i])
            let r = convT.backward(input: tape.convInputs[i], weight: p[block.weight], dOutput: dy)
            gradients[block.weight] = r.dWeight
            if i == 0 {
                gradients[inputMap] = Tensor(shape: p[inputMap].shape, data: r.dInput!.data)
            } else {
                dx = r.dInput!
            }
        }
        return dense.backward(dw, tape: tape.dense!, p, gradients: &gradients)!
    }

    /// The first block's convT runs once per parameter set, so it is not counted.
    var multiplyAddsPerImage: Int {
        var total = dense.multiplyAdds + blocks.reduce(0) { $0 + $1.conditioning.layer.inFeatures * $1.conditioning.layer.outFeatures }
        var (h, w) = (inputMapShape.height, inputMapShape.width)
        for (i, block) in blocks.enumerated() {
            let t = block.convT
            if i > 0 { total += t.inChannels * t.outChannels * t.kernel * t.kernel * h * w }
            (h, w) = t.outputSize(height: h, width: w)
        }
        let c = output.conv
        return total + c.outChannels * c.inChannels * c.kernel * c.kernel * h * w
    }

    var trainingFloatsPerImage: Double {
        dense.outputFloats + blocks.reduce(0) { $0 + Double($1.conditioning.layer.outFeatures) }
            + QLAEArchitecture.transposeFloats(blocks.map(\.convT), from: inputMapShape)
            + convolutionFloats(output.conv, outputHeight: image.height, outputWidth: image.width)
    }

    /// out[c, n] = x̂[c, n]·scale[n, c] + bias[n, c], with condition (N, 2C) = [scale | bias].
    /// x̂ may have batch 1 (the first block), in which case it is shared by all N images.
    static func modulate(_ xHat: FeatureMap, condition: Tensor, batch n: Int) -> FeatureMap {
        let c = xHat.channels, size = xHat.planeSize
        precondition(xHat.batch == n || xHat.batch == 1)
        precondition(condition.shape == [n, 2 * c])
        let shared = xHat.batch == 1
        let out = [Float](unsafeUninitializedCapacity: c * n * size) { out, count in
            xHat.data.withUnsafeBufferPointer { src in
                condition.data.withUnsafeBufferPointer { cond in
                    Parallel.forEach(count: c, minimumPerThread: max(1, 8192 / max(n * size, 1))) { ch in
                        for b in 0..<n {
                            let scale = cond[b * 2 * c + ch], bias = cond[b * 2 * c + c + ch]
                            let p = src.baseAddress! + (shared ? ch : ch * n + b) * size
                            let q = out.baseAddress! + (ch * n + b) * size
                            for k in 0..<size { q[k] = p[k] * scale + bias }
                        }
                    }
                }
            }
            count = c * n * size
        }
        return FeatureMap(channels: c, batch: n, height: xHat.height, width: xHat.width, data: out)
    }

    /// Gradients of `modulate`: dx̂ (summed over the batch when x̂ is shared) and dCondition (N, 2C).
    static func modulateBackward(_ xHat: FeatureMap, condition: Tensor, dOutput: FeatureMap)
        -> (dXHat: FeatureMap, dCondition: Tensor) {
        let c = xHat.channels, size = xHat.planeSize, n = dOutput.batch
        let shared = xHat.batch == 1 && n > 1
        var dXHat = FeatureMap(zerosChannels: c, batch: xHat.batch, height: xHat.height, width: xHat.width)
        var dCondition = Tensor(zeros: [n, 2 * c])
        xHat.data.withUnsafeBufferPointer { src in
            dOutput.data.withUnsafeBufferPointer { g in
                dXHat.data.withUnsafeMutableBufferPointer { dx in
                    dCondition.data.withUnsafeMutableBufferPointer { dc in
                        Parallel.forEach(count: c, minimumPerThread: max(1, 8192 / max(n * size, 1))) { ch in
                            for b in 0..<n {
                                let scale = condition.data[b * 2 * c + ch]
                                let p = src.baseAddress! + (shared ? ch : ch * n + b) * size
                                let d = dx.baseAddress! + (shared ? ch : ch * n + b) * size
                                let q = g.baseAddress! + (ch * n + b) * size
                                let (sumBias, sumScale) = Reduce.sumAndDot(q, p, count: size)
                                for k in 0..<size { d[k] += q[k] * scale }
                                dc[b * 2 * c + ch] = sumScale
                                dc[b * 2 * c + c + ch] = sumBias
                            }
                        }
                    }
                }
            }
        }
        return (dXHat, dCondition)
    }
}
