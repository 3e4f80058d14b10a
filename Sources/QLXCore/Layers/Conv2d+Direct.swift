/// Direct (im2col-free) convolution for layers with very few output channels, such as the
/// decoders' final conv to 1–3 image channels. There im2col would write and re-read a
/// columns matrix of Cin·k·k × N·H·W floats (94 MB for the paper decoder at batch 10) to feed
/// a matrix product with a single row; shifted multiply-adds over cache-resident planes do
/// the same arithmetic without that traffic.
extension Conv2d {
    /// Layers with at most this many output channels take the direct path.
    public static let directOutputChannelLimit = 4

    var prefersDirect: Bool { outChannels <= Conv2d.directOutputChannelLimit && !isPointwise }

    /// input (Cin, N, H, W) channel-major → output (Cout, N, Ho, Wo), without im2col.
    public func forwardDirect(_ input: FeatureMap, weight: Tensor) -> FeatureMap {
        precondition(input.channels == inChannels && weight.shape == weightShape)
        let g = geometry(input)
        let (h, w, ho, wo, n) = (input.height, input.width, g.outHeight, g.outWidth, input.batch)
        precondition(ho > 0 && wo > 0, "conv output would be empty for a \(h)×\(w) input")
        let outCount = outChannels * n * ho * wo
        let out = [Float](unsafeUninitializedCapacity: outCount) { y, count in
            input.data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { wt in
                    Parallel.forEach(count: outChannels * n) { task in
                        let (co, b) = (task / n, task % n)
                        let dst = y.baseAddress! + (co * n + b) * ho * wo
                        dst.initialize(repeating: 0, count: ho * wo)
                        for ci in 0..<inChannels {
                            let src = x.baseAddress! + (ci * n + b) * h * w
                            for kh in 0..<kernel {
                                let ys = g.validRange(offset: kh, size: h, outSize: ho)
                                for kw in 0..<kernel {
                                    let xs = g.validRange(offset: kw, size: w, outSize: wo)
                                    let v = wt[((co * inChannels + ci) * kernel + kh) * kernel + kw]
                                    for oy in ys {
                                        let row = src + (oy * stride - padding + kh) * w - padding + kw
                                        let o = dst + oy * wo
                                        if stride == 1 {
                                            for ox in xs { o[ox] += v * row[ox] }
                                        } else {
                                            for ox in xs { o[ox] += v * row[ox * stride] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            count = outCount
        }
        return FeatureMap(channels: outChannels, batch: n, height: ho, width: wo, data: out)
    }

    /// Gradients of `forwardDirect` (identical to those of `forward`), without im2col.
    public func backwardDirect(input: FeatureMap, weight: Tensor, dOutput: FeatureMap,
                               computeInputGradient: Bool = true) -> (dInput: FeatureMap?, dWeight: Tensor) {
        let g = geometry(input)
        let (h, w, ho, wo, n) = (input.height, input.width, g.outHeight, g.outWidth, input.batch)
        precondition(dOutput.channels == outChannels && dOutput.batch == n && dOutput.height == ho && dOutput.width == wo)
        var dWeight = [Float](repeating: 0, count: weight.count)
        let kk = kernel * kernel
        input.data.withUnsafeBufferPointer { x in
            dOutput.data.withUnsafeBufferPointer { dy in
                dWeight.withUnsafeMutableBufferPointer { dw in
                    // dW[co, ci, kh, kw] = Σ_n Σ_(oy,ox) dy[co, n, oy, ox]·x[ci, n, oy·s − p + kh, ox·s − p + kw]
                    Parallel.forEach(count: outChannels * inChannels) { task in
                        let (co, ci) = (task / inChannels, task % inChannels)
                        for kh in 0..<kernel {
                            let ys = g.validRange(offset: kh, size: h, outSize: ho)
                            for kw in 0..<kernel {
                                let xs = g.validRange(offset: kw, size: w, outSize: wo)
                                var sum: Float = 0
                                for b in 0..<n {
                                    let src = x.baseAddress! + (ci * n + b) * h * w
                                    let grad = dy.baseAddress! + (co * n + b) * ho * wo
                                    for oy in ys {
                                        let row = src + (oy * stride - padding + kh) * w - padding + kw
                                        let gr = grad + oy * wo
                                        if stride == 1 {
                                            sum += Reduce.dot(gr + xs.lowerBound, row + xs.lowerBound, count: xs.count)
                                        } else {
                                            for ox in xs { sum += gr[ox] * row[ox * stride] }
                                        }
                                    }
                                }
                                dw[task * kk + kh * kernel + kw] = sum
                            }
                        }
                    }
                }
            }
        }
        guard computeInputGradient else { return (nil, Tensor(shape: weightShape, data: dWeight)) }
        let inCount = input.count
        let dInput = [Float](unsafeUninitializedCapacity: inCount) { dx, count in
            dOutput.data.withUnsafeBufferPointer { dy in
                weight.data.withUnsafeBufferPointer { wt in
                    // dx[ci, n] += W[co, ci, kh, kw]·dy[co, n] placed back where each tap read from.
                    Parallel.forEach(count: inChannels * n) { task in
                        let (ci, b) = (task / n, task % n)
                        let dst = dx.baseAddress! + (ci * n + b) * h * w
                        dst.initialize(repeating: 0, count: h * w)
                        for co in 0..<outChannels {
                            let grad = dy.baseAddress! + (co * n + b) * ho * wo
                            for kh in 0..<kernel {
                                let ys = g.validRange(offset: kh, size: h, outSize: ho)
                                for kw in 0..<kernel {
                                    let xs = g.validRange(offset: kw, size: w, outSize: wo)
                                    let v = wt[((co * inChannels + ci) * kernel + kh) * kernel + kw]
                                    for oy in ys {
                                        let row = dst + (oy * stride - padding + kh) * w - padding + kw
                                        let gr = grad + oy * wo
                                        if stride == 1 {
                                            for ox in xs { row[ox] += v * gr[ox] }
                                        } else {
                                            for ox in xs { row[ox * stride] += v * gr[ox] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            count = inCount
        }
        return (FeatureMap(channels: inChannels, batch: n, height: h, width: w, data: dInput),
                Tensor(shape: weightShape, data: dWeight))
    }
}
