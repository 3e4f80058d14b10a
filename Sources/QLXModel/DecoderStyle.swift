import QLXCore

/// StyleImageDecoder after its dense stack: w (N, d) modulates style blocks applied to a
/// learned constant input map: convT → leaky ReLU 0.2 → instance norm (no affine) →
/// x·scale + bias, with [scale, bias] = ReLU(linear(w)) split per channel (scale first).
/// The first block's convT, activation and norm see only the constant map, so they run once
/// for the whole batch (and, for decoding, once per parameter set: `styleBase`).
extension QLAE {
    /// The first style block up to its norm, on the input map (batch 1).
    func styleBaseForward() -> (input: FeatureMap, activated: FeatureMap, cache: InstanceNorm.Cache) {
        let shape = architecture.inputMapShape!
        let input = FeatureMap(channels: shape[0], batch: 1, height: shape[1], width: shape[2],
                               data: parameter("decoder.input_map").data)
        let convT = architecture.decoderTransposes.first!
        var y = convT.forward(input, weight: parameter("decoder.style.0.weight"))
        Activation.leakyReLU(&y.data)
        return (input, y, InstanceNorm(channels: convT.outChannels).normalize(y))
    }

    func styleDecoderMaps(_ w: Tensor, tape: inout DecoderTape?) -> FeatureMap {
        let a = architecture
        let n = w.shape[0]
        if tape != nil { tape!.style = w }
        var x = FeatureMap(zerosChannels: 0, batch: n, height: 0, width: 0)
        for (i, convT) in a.decoderTransposes.enumerated() {
            let xHat: FeatureMap
            if i == 0 {
                if tape != nil {
                    let base = styleBaseForward()
                    tape!.convInputs.append(base.input)
                    tape!.convOutputs.append(base.activated)
                    tape!.norms.append(base.cache)
                    xHat = base.cache.normalized
                } else {
                    xHat = styleBase!
                }
            } else {
                var y = convT.forward(x, weight: parameter("decoder.style.\(i).weight"))
                Activation.leakyReLU(&y.data)
                let cache = InstanceNorm(channels: convT.outChannels).normalize(y)
                if tape != nil {
                    tape!.convInputs.append(x)
                    tape!.convOutputs.append(y)
                    tape!.norms.append(cache)
                }
                xHat = cache.normalized
            }
            var condition = a.conditioning[i].forward(w, weight: parameter("decoder.style.\(i).conditioning.weight"),
                                                      bias: parameter("decoder.style.\(i).conditioning.bias"))
            Activation.relu(&condition.data)
            if tape != nil { tape!.conditioning.append(condition) }
            x = Self.modulate(xHat, condition: condition, batch: n)
        }
        return x
    }

    /// dMaps (C_last, N, H, W) → dw (N, d).
    func styleDecoderMapsBackward(_ dMaps: FeatureMap, tape: DecoderTape, gradients: inout [String: Tensor]) -> Tensor {
        let a = architecture
        let w = tape.style!
        var dw = Tensor(zeros: w.shape)
        var dx = dMaps
        for (i, convT) in a.decoderTransposes.enumerated().reversed() {
            let prefix = "decoder.style.\(i)"
            let cache = tape.norms[i]
            var (dXHat, dCondition) = Self.modulateBackward(cache.normalized, condition: tape.conditioning[i], dOutput: dx)
            Activation.reluBackward(output: tape.conditioning[i].data, gradient: &dCondition.data)
            let c = a.conditioning[i].backward(input: w, weight: parameter("\(prefix).conditioning.weight"), dOutput: dCondition)
            gradients["\(prefix).conditioning.weight"] = c.dWeight
            gradients["\(prefix).conditioning.bias"] = c.dBias
            for k in 0..<dw.count { dw.data[k] += c.dInput!.data[k] }
            var dy = InstanceNorm(channels: convT.outChannels).normalizeBackward(cache, dNormalized: dXHat)
            Activation.leakyReLUBackward(output: tape.convOutputs[i].data, gradient: &dy.data)
            let r = convT.backward(input: tape.convInputs[i], weight: parameter("\(prefix).weight"), dOutput: dy)
            gradients["\(prefix).weight"] = r.dWeight
            if i == 0 {
                gradients["decoder.input_map"] = Tensor(shape: a.inputMapShape!, data: r.dInput!.data)
            } else {
                dx = r.dInput!
            }
        }
        return dw
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
