/// Inference-only fusions of the decoders' element-wise passes: one parallel pass over the
/// (channel, image) planes instead of two or three passes, each with its own thread hand-off
/// and its own full-size buffer. Per plane the work stays in cache: activation into the
/// output, mean, squared deviations, then the normalised and mapped values in place. The
/// arithmetic is that of the separate passes, in the same order. Training keeps the separate
/// passes, whose intermediates the backward pass needs.
extension InstanceNorm {
    /// leakyReLU(γ_c·x̂ + β_c) with x̂ the instance-normalised x: `normalize` then `affineLeakyReLU`.
    public func normalizeAffineLeakyReLU(_ x: FeatureMap, weight: Tensor, bias: Tensor,
                                         slope: Float = Activation.leakySlope) -> FeatureMap {
        precondition(weight.shape == [channels] && bias.shape == [channels])
        return mapPlanes(x, activateFirst: false) { c, _ in
            (weight.data[c], bias.data[c], slope)
        }
    }

    /// x̂·scale[n, c] + bias[n, c] with x̂ the instance-normalised leakyReLU(x), and
    /// `scaleAndBias` (N, 2C) holding the scales first: the style blocks' activation, norm and
    /// modulation.
    public func leakyReLUNormalizeModulate(_ x: FeatureMap, scaleAndBias: Tensor,
                                           slope: Float = Activation.leakySlope) -> FeatureMap {
        precondition(scaleAndBias.shape == [x.batch, 2 * channels])
        return scaleAndBias.data.withUnsafeBufferPointer { sb in
            let sb = sb.baseAddress!
            return mapPlanes(x, activateFirst: true, slope: slope) { c, n in
                (sb[n * 2 * channels + c], sb[n * 2 * channels + channels + c], 1)
            }
        }
    }

    /// Per plane (c, n): a = x or leakyReLU(x); x̂ = (a − mean)/σ; out = g·x̂ + b, then
    /// out·(out > 0 ? 1 : outSlope) (outSlope 1: no activation), with (g, b, outSlope) = map(c, n).
    private func mapPlanes(_ x: FeatureMap, activateFirst: Bool, slope: Float = Activation.leakySlope,
                           _ map: (Int, Int) -> (Float, Float, Float)) -> FeatureMap {
        precondition(x.channels == channels, "instance norm expects \(channels) channels, got \(x.channels)")
        let size = x.planeSize, n = x.batch
        let out = [Float](unsafeUninitializedCapacity: x.count) { y, count in
            x.data.withUnsafeBufferPointer { src in
                Parallel.forEach(count: channels * n, minimumPerThread: max(1, 16_384 / max(size, 1))) { plane in
                    let p = src.baseAddress! + plane * size, q = y.baseAddress! + plane * size
                    let a: UnsafePointer<Float>
                    if activateFirst {
                        for i in 0..<size {
                            let v = p[i]
                            q[i] = v * (v > 0 ? 1 : slope)
                        }
                        a = UnsafePointer(q)
                    } else {
                        a = p
                    }
                    let mean = Reduce.sum(a, count: size) / Float(size)
                    let r = 1 / (Reduce.squaredDeviations(a, count: size, around: mean) / Float(size) + epsilon).squareRoot()
                    let (g, b, outSlope) = map(plane / n, plane % n)
                    if outSlope == 1 {
                        for i in 0..<size { q[i] = ((a[i] - mean) * r) * g + b }
                    } else {
                        for i in 0..<size {
                            let v = ((a[i] - mean) * r) * g + b
                            q[i] = v * (v > 0 ? 1 : outSlope)
                        }
                    }
                }
            }
            count = x.count
        }
        return FeatureMap(channels: x.channels, batch: n, height: x.height, width: x.width, data: out)
    }
}
