import QLXCore

// The building blocks the encoders and decoders are made of. Each one is built at a place in
// the module tree, records its leaves there in the reference's field order, and keeps the
// names of its parameters for the forward and backward passes.

/// A linear layer with bias (Equinox `Linear`: weight, bias).
struct LinearModule: Sendable {
    let layer: Linear
    let weight: String
    let bias: String

    init(inFeatures: Int, outFeatures: Int, at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        layer = Linear(inFeatures: inFeatures, outFeatures: outFeatures)
        weight = tree.parameter(path.child("weight", ".weight"), layer.weightShape, .uniform(fanIn: inFeatures), decayed: true)
        bias = tree.parameter(path.child("bias", ".bias"), [outFeatures], .uniform(fanIn: inFeatures), decayed: false)
    }

    func forward(_ x: Tensor, _ p: ParameterSet) -> Tensor { layer.forward(x, weight: p[weight], bias: p[bias]) }

    /// Stores dWeight and dBias; returns dInput (nil when not asked for).
    func backward(input: Tensor, dOutput: Tensor, _ p: ParameterSet, gradients: inout [String: Tensor],
                  computeInputGradient: Bool = true) -> Tensor? {
        let r = layer.backward(input: input, weight: p[weight], dOutput: dOutput, computeInputGradient: computeInputGradient)
        gradients[weight] = r.dWeight
        gradients[bias] = r.dBias
        return r.dInput
    }
}

/// A norm's affine γ, β (Equinox `GroupNorm` or `LayerNorm`: weight, bias), at qlx's "norm".
struct NormAffine: Sendable {
    let weight: String
    let bias: String

    init(shape: [Int], at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        weight = tree.parameter(path.child("weight", ".weight"), shape, .constant(1), decayed: false)
        bias = tree.parameter(path.child("bias", ".bias"), shape, .constant(0), decayed: false)
    }
}

/// A conv block (the reference's `Sequential` of conv without bias, instance norm with affine,
/// leaky ReLU 0.2): qlx "<i>.weight", "<i>.norm.*".
struct ConvBlock: Sendable {
    let conv: Conv2d
    let weight: String
    let norm: NormAffine

    init(_ conv: Conv2d, at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        self.conv = conv
        weight = tree.parameter(path.child(nil, ".layers[0]").child("weight", ".weight"), conv.weightShape,
                                .uniform(fanIn: conv.inChannels * conv.kernel * conv.kernel), decayed: true)
        norm = NormAffine(shape: [conv.outChannels], at: path.child("norm", ".layers[1]"), &tree)
    }
}

/// A transposed-conv block of the image decoder (convT without bias, instance norm with
/// affine, leaky ReLU 0.2).
struct ConvTransposeBlock: Sendable {
    let convT: ConvTranspose2d
    let weight: String
    let norm: NormAffine

    init(_ convT: ConvTranspose2d, at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        self.convT = convT
        weight = tree.parameter(path.child(nil, ".layers[0]").child("weight", ".weight"), convT.weightShape,
                                .uniform(fanIn: convT.inChannels * convT.kernel * convT.kernel), decayed: true,
                                stored: .transposedKernel)
        norm = NormAffine(shape: [convT.outChannels], at: path.child("norm", ".layers[1]"), &tree)
    }
}

/// A conv without bias or norm, alone in the reference's `Sequential` (the decoders' output conv).
struct OutputConv: Sendable {
    let conv: Conv2d
    let weight: String

    init(_ conv: Conv2d, at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        self.conv = conv
        weight = tree.parameter(path.child(nil, ".layers[0]").child("weight", ".weight"), conv.weightShape,
                                .uniform(fanIn: conv.inChannels * conv.kernel * conv.kernel), decayed: true)
    }
}

/// What a dense stack's backward pass needs from its forward pass.
struct DenseStackTape: Sendable {
    var inputs: [Tensor] = []
    var norms: [LayerNorm.Cache] = []
    var outputs: [Tensor] = []
}

/// The reference's `DenseBlocks`: blocks of linear → (layer norm with affine) → ReLU, qlx
/// "<i>.weight", "<i>.bias", "<i>.norm.*".
struct DenseStack: Sendable {
    struct Block: Sendable {
        let linear: LinearModule
        let norm: LayerNorm?
        let affine: NormAffine?
    }
    let blocks: [Block]
    let outFeatures: Int

    init(inFeatures: Int, widths: [Int], layerNorm: Bool, at path: ModulePath, _ tree: inout ModuleTreeBuilder) {
        var features = inFeatures
        var blocks: [Block] = []
        for (i, width) in widths.enumerated() {
            let block = path.item("layers", i)
            let linear = LinearModule(inFeatures: features, outFeatures: width, at: block.child(nil, ".layers[0]"), &tree)
            let affine = layerNorm ? NormAffine(shape: [width], at: block.child("norm", ".layers[1]"), &tree) : nil
            blocks.append(Block(linear: linear, norm: layerNorm ? LayerNorm(features: width) : nil, affine: affine))
            features = width
        }
        self.blocks = blocks
        outFeatures = features
    }

    var multiplyAdds: Int { blocks.reduce(0) { $0 + $1.linear.layer.inFeatures * $1.linear.layer.outFeatures } }
    /// Floats of the blocks' outputs, per input row.
    var outputFloats: Double { blocks.reduce(0) { $0 + Double($1.linear.layer.outFeatures) } }

    /// x (N, in) → (N, out); records into `tape` when it is non-nil.
    func forward(_ x: Tensor, _ p: ParameterSet, tape: inout DenseStackTape?) -> Tensor {
        var h = x
        for block in blocks {
            var y = block.linear.forward(h, p)
            var cache: LayerNorm.Cache? = nil
            if let norm = block.norm, let affine = block.affine {
                let r = norm.forward(y, weight: p[affine.weight], bias: p[affine.bias])
                cache = r.cache
                y = r.output
            }
            Activation.relu(&y.data)
            if tape != nil {
                tape!.inputs.append(h)
                if let cache { tape!.norms.append(cache) }
                tape!.outputs.append(y)
            }
            h = y
        }
        return h
    }

    /// dOutput (N, out) → dInput (N, in), storing the blocks' parameter gradients; the first
    /// block's input gradient is skipped unless `computeInputGradient`.
    func backward(_ dOutput: Tensor, tape: DenseStackTape, _ p: ParameterSet, gradients: inout [String: Tensor],
                  computeInputGradient: Bool = true) -> Tensor? {
        var dh: Tensor? = dOutput
        for (i, block) in blocks.enumerated().reversed() {
            var dy = dh!
            Activation.reluBackward(output: tape.outputs[i].data, gradient: &dy.data)
            if let norm = block.norm, let affine = block.affine {
                let r = norm.backward(tape.norms[i], weight: p[affine.weight], dOutput: dy)
                gradients[affine.weight] = r.dWeight
                gradients[affine.bias] = r.dBias
                dy = r.dInput
            }
            dh = block.linear.backward(input: tape.inputs[i], dOutput: dy, p, gradients: &gradients,
                                       computeInputGradient: i > 0 || computeInputGradient)
        }
        return dh
    }
}
