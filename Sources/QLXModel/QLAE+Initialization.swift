import QLXCore

extension QLAE {
    /// Equinox's default initialisation: every weight and bias uniform in ±1/√fan_in, where
    /// fan_in is the layer's input features (linear) or in_channels·k·k (conv and
    /// transposed conv alike); norm affines γ = 1, β = 0; codebooks linspace(−0.5, 0.5, n_v);
    /// the style decoder's input map 0.1. Parameters are drawn in canonical order from one
    /// seeded generator, so a seed always gives the same model.
    static func initialParameters(_ a: QLAEArchitecture, seed: UInt64) -> [String: Tensor] {
        var rng = SeededGenerator(seed: seed)
        func uniform(_ shape: [Int], fanIn: Int) -> Tensor {
            let limit = 1 / Float(fanIn).squareRoot()
            let count = shape.reduce(1, *)
            var data = [Float](repeating: 0, count: count)
            for i in 0..<count { data[i] = (2 * rng.nextUnitFloat() - 1) * limit }
            return Tensor(shape: shape, data: data)
        }
        var p: [String: Tensor] = [:]
        func linear(_ name: String, _ layer: Linear) {
            p["\(name).weight"] = uniform(layer.weightShape, fanIn: layer.inFeatures)
            p["\(name).bias"] = uniform([layer.outFeatures], fanIn: layer.inFeatures)
        }
        func norm(_ name: String, channels: Int) {
            p["\(name).weight"] = Tensor(shape: [channels], repeating: 1)
            p["\(name).bias"] = Tensor(zeros: [channels])
        }
        for (i, conv) in a.encoderConvs.enumerated() {
            p["encoder.conv.\(i).weight"] = uniform(conv.weightShape, fanIn: conv.inChannels * conv.kernel * conv.kernel)
            norm("encoder.conv.\(i).norm", channels: conv.outChannels)
        }
        for (i, layer) in a.encoderDense.enumerated() { linear("encoder.dense.\(i)", layer) }
        linear("encoder.head", a.head)
        if a.quantized {
            let nv = a.valuesPerLatent
            let row = (0..<nv).map { nv == 1 ? Float(0) : Float(-0.5 + Double($0) / Double(nv - 1)) }
            p["latent.values"] = Tensor(shape: [a.latentCount, nv], data: Array((0..<a.latentCount).map { _ in row }.joined()))
        }
        for (i, layer) in a.decoderDense.enumerated() { linear("decoder.dense.\(i)", layer) }
        switch a.kind {
        case .image:
            linear("decoder.transition", a.transition!)
            for (i, t) in a.decoderTransposes.enumerated() {
                p["decoder.conv_transpose.\(i).weight"] = uniform(t.weightShape, fanIn: t.inChannels * t.kernel * t.kernel)
                norm("decoder.conv_transpose.\(i).norm", channels: t.outChannels)
            }
        case .styleImage:
            p["decoder.input_map"] = Tensor(shape: a.inputMapShape!, repeating: 0.1)
            for (i, t) in a.decoderTransposes.enumerated() {
                p["decoder.style.\(i).weight"] = uniform(t.weightShape, fanIn: t.inChannels * t.kernel * t.kernel)
                linear("decoder.style.\(i).conditioning", a.conditioning[i])
            }
        }
        let out = a.outputConv
        p["decoder.conv.weight"] = uniform(out.weightShape, fanIn: out.inChannels * out.kernel * out.kernel)
        return p
    }
}
