import QLXCore

/// ImageEncoder: conv blocks (conv without bias → instance norm with affine → leaky ReLU 0.2),
/// flatten (C·H·W per image), dense blocks (linear → ReLU), linear head to n_z.
/// Forward: images (C, N, H, W) channel-major → continuous latents (N, n_z).
struct EncoderTape {
    var convInputs: [FeatureMap] = []
    var norms: [InstanceNorm.Cache] = []
    var convOutputs: [FeatureMap] = []
    var denseInputs: [Tensor] = []
    var denseOutputs: [Tensor] = []
    var headInput: Tensor? = nil
}

extension QLAE {
    func encoderForward(_ images: FeatureMap, tape: EncoderTape?) -> Tensor {
        var tape = tape
        return encoderForward(images, tape: &tape)
    }

    /// Records into `tape` what the backward pass needs when `tape` is non-nil.
    func encoderForward(_ images: FeatureMap, tape: inout EncoderTape?) -> Tensor {
        let a = architecture
        var x = images
        for (i, conv) in a.encoderConvs.enumerated() {
            let prefix = "encoder.conv.\(i)"
            let (cache, y) = normalizedBlockForward(conv.forward(x, weight: parameter("\(prefix).weight")), prefix: prefix)
            if tape != nil {
                tape!.convInputs.append(x)
                tape!.norms.append(cache)
                tape!.convOutputs.append(y)
            }
            x = y
        }
        var h = Tensor(shape: [x.batch, x.channels * x.planeSize],
                       data: Layout.swapLeadingAxes(x.data, first: x.channels, second: x.batch, inner: x.planeSize))
        for (i, layer) in a.encoderDense.enumerated() {
            var y = layer.forward(h, weight: parameter("encoder.dense.\(i).weight"), bias: parameter("encoder.dense.\(i).bias"))
            Activation.relu(&y.data)
            if tape != nil {
                tape!.denseInputs.append(h)
                tape!.denseOutputs.append(y)
            }
            h = y
        }
        if tape != nil { tape!.headInput = h }
        return a.head.forward(h, weight: parameter("encoder.head.weight"), bias: parameter("encoder.head.bias"))
    }

    /// Backpropagates dLatents (N, n_z) through the encoder, adding parameter gradients to
    /// `gradients`. The encoder's input gradient is not needed and not computed.
    func encoderBackward(_ dLatents: Tensor, tape: EncoderTape, gradients: inout [String: Tensor]) {
        let a = architecture
        let head = a.head.backward(input: tape.headInput!, weight: parameter("encoder.head.weight"), dOutput: dLatents)
        gradients["encoder.head.weight"] = head.dWeight
        gradients["encoder.head.bias"] = head.dBias
        var dh = head.dInput!
        for (i, layer) in a.encoderDense.enumerated().reversed() {
            Activation.reluBackward(output: tape.denseOutputs[i].data, gradient: &dh.data)
            let r = layer.backward(input: tape.denseInputs[i], weight: parameter("encoder.dense.\(i).weight"), dOutput: dh)
            gradients["encoder.dense.\(i).weight"] = r.dWeight
            gradients["encoder.dense.\(i).bias"] = r.dBias
            dh = r.dInput!
        }
        guard !a.encoderConvs.isEmpty else { return }
        let m = a.finalMap
        let n = dLatents.shape[0]
        var dx = FeatureMap(channels: m.channels, batch: n, height: m.height, width: m.width,
                            data: Layout.swapLeadingAxes(dh.data, first: n, second: m.channels, inner: m.height * m.width))
        for (i, conv) in a.encoderConvs.enumerated().reversed() {
            let prefix = "encoder.conv.\(i)"
            let dy = normalizedBlockBackward(prefix: prefix, cache: tape.norms[i], output: tape.convOutputs[i],
                                             dOutput: dx, gradients: &gradients)
            let r = conv.backward(input: tape.convInputs[i], weight: parameter("\(prefix).weight"), dOutput: dy,
                                  computeInputGradient: i > 0)
            gradients["\(prefix).weight"] = r.dWeight
            if let d = r.dInput { dx = d }
        }
    }
}
