import QLXCore

/// What the decoders' backward passes need from their forward pass.
struct DecoderTape {
    var denseInputs: [Tensor] = []
    var denseOutputs: [Tensor] = []
    // Image decoder
    var transitionInput: Tensor? = nil
    var transitionOutput: Tensor? = nil
    var convInputs: [FeatureMap] = []
    var norms: [InstanceNorm.Cache] = []
    /// Image decoder: post-activation block outputs; style decoder: leaky-ReLU outputs before the norm.
    var convOutputs: [FeatureMap] = []
    // Style decoder
    var style: Tensor? = nil
    var conditioning: [Tensor] = []
    var outputInput: FeatureMap? = nil
}

extension QLAE {
    func decoderForward(_ z: Tensor, tape: DecoderTape?) -> FeatureMap {
        var tape = tape
        return decoderForward(z, tape: &tape)
    }

    /// z (N, n_z) → logits (C, N, H, W) channel-major.
    func decoderForward(_ z: Tensor, tape: inout DecoderTape?) -> FeatureMap {
        var h = z
        for (i, layer) in architecture.decoderDense.enumerated() {
            var y = layer.forward(h, weight: parameter("decoder.dense.\(i).weight"), bias: parameter("decoder.dense.\(i).bias"))
            Activation.relu(&y.data)
            if tape != nil {
                tape!.denseInputs.append(h)
                tape!.denseOutputs.append(y)
            }
            h = y
        }
        let x = architecture.kind == .image ? imageDecoderMaps(h, tape: &tape) : styleDecoderMaps(h, tape: &tape)
        if tape != nil { tape!.outputInput = x }
        return architecture.outputConv.forward(x, weight: parameter("decoder.conv.weight"))
    }

    /// Backpropagates dLogits (C, N, H, W) through the decoder, adding parameter gradients to
    /// `gradients`; returns dz (N, n_z).
    func decoderBackward(_ dLogits: FeatureMap, tape: DecoderTape, gradients: inout [String: Tensor]) -> Tensor {
        let out = architecture.outputConv.backward(input: tape.outputInput!, weight: parameter("decoder.conv.weight"),
                                                   dOutput: dLogits)
        gradients["decoder.conv.weight"] = out.dWeight
        var dh = architecture.kind == .image
            ? imageDecoderMapsBackward(out.dInput!, tape: tape, gradients: &gradients)
            : styleDecoderMapsBackward(out.dInput!, tape: tape, gradients: &gradients)
        for (i, layer) in architecture.decoderDense.enumerated().reversed() {
            Activation.reluBackward(output: tape.denseOutputs[i].data, gradient: &dh.data)
            let r = layer.backward(input: tape.denseInputs[i], weight: parameter("decoder.dense.\(i).weight"), dOutput: dh)
            gradients["decoder.dense.\(i).weight"] = r.dWeight
            gradients["decoder.dense.\(i).bias"] = r.dBias
            dh = r.dInput!
        }
        return dh
    }
}
