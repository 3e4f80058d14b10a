/// Instance normalisation = group norm with one group per channel: every (image, channel)
/// plane is shifted to mean 0 and scaled to variance 1 (biased variance, `epsilon` 1e-6), then
/// optionally mapped through a per-channel affine y = γ·x̂ + β (weight γ [C], bias β [C]).
/// Works on channel-major `FeatureMap`s, where each plane is contiguous.
public struct InstanceNorm: Sendable, Equatable {
    public var channels: Int
    public var epsilon: Float

    public init(channels: Int, epsilon: Float = 1e-6) {
        self.channels = channels
        self.epsilon = epsilon
    }

    /// What backward needs: the normalised planes x̂ and 1/σ per plane (index c·N + n).
    public struct Cache: Sendable {
        public var normalized: FeatureMap
        public var inverseStd: [Float]
    }

    /// x (C, N, H, W) → x̂ with the same shape, per-plane mean 0 and variance ≈ 1. With
    /// `leakySlope`, normalises leakyReLU(x) instead, in the same pass over each plane (the
    /// style blocks' activation then norm).
    public func normalize(_ x: FeatureMap, afterLeakyReLU leakySlope: Float? = nil) -> Cache {
        precondition(x.channels == channels, "instance norm expects \(channels) channels, got \(x.channels)")
        let planes = x.channels * x.batch
        let size = x.planeSize
        var inverseStd = [Float](repeating: 0, count: planes)
        let out = [Float](unsafeUninitializedCapacity: x.count) { y, n in
            x.data.withUnsafeBufferPointer { src in
                inverseStd.withUnsafeMutableBufferPointer { rstd in
                    Parallel.forEach(count: planes, minimumPerThread: max(1, 4096 / max(size, 1))) { plane in
                        var p = src.baseAddress! + plane * size
                        let q = y.baseAddress! + plane * size
                        if let leakySlope {
                            for i in 0..<size {
                                let v = p[i]
                                q[i] = v * (v > 0 ? 1 : leakySlope)
                            }
                            p = UnsafePointer(q)
                        }
                        let mean = Reduce.sum(p, count: size) / Float(size)
                        let squares = Reduce.squaredDeviations(p, count: size, around: mean)
                        let r = 1 / (squares / Float(size) + epsilon).squareRoot()
                        rstd[plane] = r
                        for i in 0..<size { q[i] = (p[i] - mean) * r }
                    }
                }
            }
            n = x.count
        }
        return Cache(normalized: FeatureMap(channels: x.channels, batch: x.batch, height: x.height, width: x.width, data: out),
                     inverseStd: inverseStd)
    }

    /// dInput from dx̂: dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), per plane. With
    /// `leakyInput` (what `normalize(_:afterLeakyReLU:)` was given) and its slope, also back
    /// through the activation, in the same pass.
    public func normalizeBackward(_ cache: Cache, dNormalized: FeatureMap,
                                  throughLeakyReLUOf leakyInput: FeatureMap? = nil,
                                  slope: Float = Activation.leakySlope) -> FeatureMap {
        let xHat = cache.normalized
        precondition(dNormalized.count == xHat.count && (leakyInput?.count ?? xHat.count) == xHat.count)
        let planes = xHat.channels * xHat.batch
        let size = xHat.planeSize
        let out = [Float](unsafeUninitializedCapacity: xHat.count) { dx, n in
            xHat.data.withUnsafeBufferPointer { xh in
                dNormalized.data.withUnsafeBufferPointer { g in
                    Parallel.forEach(count: planes, minimumPerThread: max(1, 4096 / max(size, 1))) { plane in
                        let a = xh.baseAddress! + plane * size
                        let b = g.baseAddress! + plane * size
                        let (sumG, sumGX) = Reduce.sumAndDot(b, a, count: size)
                        let meanG = sumG / Float(size), meanGX = sumGX / Float(size)
                        let r = cache.inverseStd[plane]
                        let d = dx.baseAddress! + plane * size
                        for i in 0..<size { d[i] = r * (b[i] - meanG - a[i] * meanGX) }
                        if let leakyInput {
                            leakyInput.data.withUnsafeBufferPointer { input in
                                let y = input.baseAddress! + plane * size
                                for i in 0..<size { d[i] *= (y[i] > 0 ? 1 : slope) }
                            }
                        }
                    }
                }
            }
            n = xHat.count
        }
        return FeatureMap(channels: xHat.channels, batch: xHat.batch, height: xHat.height, width: xHat.width, data: out)
    }

    /// y = γ_c·x̂ + β_c.
    public func affine(_ xHat: FeatureMap, weight: Tensor, bias: Tensor) -> FeatureMap {
        precondition(weight.shape == [channels] && bias.shape == [channels])
        var y = xHat
        let size = xHat.batch * xHat.planeSize
        y.data.withUnsafeMutableBufferPointer { p in
            Parallel.forEach(count: channels, minimumPerThread: max(1, 8192 / max(size, 1))) { c in
                let (g, b) = (weight.data[c], bias.data[c])
                let q = p.baseAddress! + c * size
                for i in 0..<size { q[i] = q[i] * g + b }
            }
        }
        return y
    }

    /// Gradients of `affine`: dx̂ = γ_c·dy, dγ_c = Σ dy·x̂, dβ_c = Σ dy.
    public func affineBackward(_ xHat: FeatureMap, weight: Tensor, dOutput: FeatureMap)
        -> (dNormalized: FeatureMap, dWeight: Tensor, dBias: Tensor) {
        var dWeight = [Float](repeating: 0, count: channels)
        var dBias = [Float](repeating: 0, count: channels)
        var dx = dOutput
        let size = xHat.batch * xHat.planeSize
        xHat.data.withUnsafeBufferPointer { xh in
            dx.data.withUnsafeMutableBufferPointer { g in
                dWeight.withUnsafeMutableBufferPointer { dw in
                    dBias.withUnsafeMutableBufferPointer { db in
                        Parallel.forEach(count: channels, minimumPerThread: max(1, 8192 / max(size, 1))) { c in
                            let a = xh.baseAddress! + c * size
                            let b = g.baseAddress! + c * size
                            let (sb, sw) = Reduce.sumAndDot(b, a, count: size)
                            let gamma = weight.data[c]
                            for i in 0..<size { b[i] *= gamma }
                            dw[c] = sw
                            db[c] = sb
                        }
                    }
                }
            }
        }
        return (dx, Tensor(shape: [channels], data: dWeight), Tensor(shape: [channels], data: dBias))
    }

    /// y = leakyReLU(γ_c·x̂ + β_c) in one pass (the conv blocks' norm → activation).
    public func affineLeakyReLU(_ xHat: FeatureMap, weight: Tensor, bias: Tensor,
                                slope: Float = Activation.leakySlope) -> FeatureMap {
        precondition(weight.shape == [channels] && bias.shape == [channels])
        let size = xHat.batch * xHat.planeSize
        let out = [Float](unsafeUninitializedCapacity: xHat.count) { y, n in
            xHat.data.withUnsafeBufferPointer { x in
                Parallel.forEach(count: channels, minimumPerThread: max(1, 8192 / max(size, 1))) { c in
                    let (g, b) = (weight.data[c], bias.data[c])
                    let p = x.baseAddress! + c * size, q = y.baseAddress! + c * size
                    for i in 0..<size {
                        let v = p[i] * g + b
                        q[i] = v * (v > 0 ? 1 : slope)
                    }
                }
            }
            n = xHat.count
        }
        return FeatureMap(channels: xHat.channels, batch: xHat.batch, height: xHat.height, width: xHat.width, data: out)
    }

    /// Gradients of `affineLeakyReLU` given its output: dx̂, dγ, dβ.
    public func affineLeakyReLUBackward(_ xHat: FeatureMap, weight: Tensor, output: FeatureMap, dOutput: FeatureMap,
                                        slope: Float = Activation.leakySlope)
        -> (dNormalized: FeatureMap, dWeight: Tensor, dBias: Tensor) {
        precondition(output.count == xHat.count && dOutput.count == xHat.count)
        var dWeight = [Float](repeating: 0, count: channels)
        var dBias = [Float](repeating: 0, count: channels)
        let size = xHat.batch * xHat.planeSize
        let dx = [Float](unsafeUninitializedCapacity: xHat.count) { d, n in
            xHat.data.withUnsafeBufferPointer { xh in
                output.data.withUnsafeBufferPointer { y in
                    dOutput.data.withUnsafeBufferPointer { g in
                        dWeight.withUnsafeMutableBufferPointer { dw in
                            dBias.withUnsafeMutableBufferPointer { db in
                                Parallel.forEach(count: channels, minimumPerThread: max(1, 8192 / max(size, 1))) { c in
                                    let a = xh.baseAddress! + c * size, o = y.baseAddress! + c * size
                                    let b = g.baseAddress! + c * size, q = d.baseAddress! + c * size
                                    let gamma = weight.data[c]
                                    var sw: Float = 0, sb: Float = 0
                                    for i in 0..<size {
                                        let dv = b[i] * (o[i] > 0 ? 1 : slope)   // through the activation
                                        sw += dv * a[i]
                                        sb += dv
                                        q[i] = dv * gamma
                                    }
                                    dw[c] = sw
                                    db[c] = sb
                                }
                            }
                        }
                    }
                }
            }
            n = xHat.count
        }
        return (FeatureMap(channels: xHat.channels, batch: xHat.batch, height: xHat.height, width: xHat.width, data: dx),
                Tensor(shape: [channels], data: dWeight), Tensor(shape: [channels], data: dBias))
    }

    // MARK: (N, C, H, W) tensors and the plain-loop reference

    /// x (N, C, H, W) → y (N, C, H, W); weight and bias are both given or both nil.
    public func forward(_ x: Tensor, weight: Tensor?, bias: Tensor?) -> Tensor {
        let cache = normalize(FeatureMap(nchw: x))
        guard let weight, let bias else { return cache.normalized.nchw() }
        return affine(cache.normalized, weight: weight, bias: bias).nchw()
    }

    public func backward(input x: Tensor, weight: Tensor?, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor?, dBias: Tensor?) {
        let cache = normalize(FeatureMap(nchw: x))
        var dNormalized = FeatureMap(nchw: dOutput)
        var dWeight: Tensor? = nil, dBias: Tensor? = nil
        if let weight {
            let r = affineBackward(cache.normalized, weight: weight, dOutput: dNormalized)
            (dNormalized, dWeight, dBias) = (r.dNormalized, r.dWeight, r.dBias)
        }
        return (normalizeBackward(cache, dNormalized: dNormalized).nchw(), dWeight, dBias)
    }

    public func referenceForward(_ x: Tensor, weight: Tensor?, bias: Tensor?) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let size = x.shape[2] * x.shape[3]
        var out = x
        for b in 0..<n {
            for ch in 0..<c {
                let base = (b * c + ch) * size
                var mean = 0.0
                for i in 0..<size { mean += Double(x.data[base + i]) }
                mean /= Double(size)
                var variance = 0.0
                for i in 0..<size { variance += (Double(x.data[base + i]) - mean) * (Double(x.data[base + i]) - mean) }
                variance /= Double(size)
                let r = 1 / (variance + Double(epsilon)).squareRoot()
                for i in 0..<size {
                    var v = (Double(x.data[base + i]) - mean) * r
                    if let weight, let bias { v = v * Double(weight.data[ch]) + Double(bias.data[ch]) }
                    out.data[base + i] = Float(v)
                }
            }
        }
        return out
    }
}
