import QLXCore

/// ImageDecoder after its dense stack: transition dense (→ ReLU) to the encoder's final conv
/// shape, reshape, conv-transpose blocks (convT → instance norm with affine → leaky ReLU 0.2).
/// h (N, d) → feature map (C_last, N, H, W) for the 1×1 output conv.
extension QLAE {
    func imageDecoderMaps(_ h: Tensor, tape: inout DecoderTape?) -> FeatureMap {
        let a = architecture
        var t = a.transition!.forward(h, weight: parameter("decoder.transition.weight"), bias: parameter("decoder.transition.bias"))
        Activation.relu(&t.data)
        if tape != nil {
            tape!.transitionInput = h
            tape!.transitionOutput = t
        }
        let n = h.shape[0]
        let m = a.finalMap
        var x = FeatureMap(channels: m.channels, batch: n, height: m.height, width: m.width,
                           data: Layout.swapLeadingAxes(t.data, first: n, second: m.channels, inner: m.height * m.width))
        for (i, convT) in a.decoderTransposes.enumerated() {
            let prefix = "decoder.conv_transpose.\(i)"
            let (cache, y) = normalizedBlockForward(convT.forward(x, weight: parameter("\(prefix).weight")), prefix: prefix)
            if tape != nil {
                tape!.convInputs.append(x)
                tape!.norms.append(cache)
                tape!.convOutputs.append(y)
            }
            x = y
        }
        return x
    }

    /// dMaps (C_last, N, H, W) → dh (N, d).
    func imageDecoderMapsBackward(_ dMaps: FeatureMap, tape: DecoderTape, gradients: inout [String: Tensor]) -> Tensor {
        let a = architecture
        var dx = dMaps
        for (i, convT) in a.decoderTransposes.enumerated().reversed() {
            let prefix = "decoder.conv_transpose.\(i)"
            let dy = normalizedBlockBackward(prefix: prefix, cache: tape.norms[i], output: tape.convOutputs[i],
                                             dOutput: dx, gradients: &gradients)
            let r = convT.backward(input: tape.convInputs[i], weight: parameter("\(prefix).weight"), dOutput: dy)
            gradients["\(prefix).weight"] = r.dWeight
            dx = r.dInput!
        }
        let n = dx.batch
        var dt = Tensor(shape: [n, dx.channels * dx.planeSize],
                        data: Layout.swapLeadingAxes(dx.data, first: dx.channels, second: n, inner: dx.planeSize))
        Activation.reluBackward(output: tape.transitionOutput!.data, gradient: &dt.data)
        let r = a.transition!.backward(input: tape.transitionInput!, weight: parameter("decoder.transition.weight"), dOutput: dt)
        gradients["decoder.transition.weight"] = r.dWeight
        gradients["decoder.transition.bias"] = r.dBias
        return r.dInput!
    }
}
