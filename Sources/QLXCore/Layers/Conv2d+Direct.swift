import CDirectConv

/// Direct (im2col-free) convolution for layers with very few output channels, such as the
/// decoders' final conv to 1–3 image channels. There im2col would write and re-read a
/// columns matrix of Cin·k·k × N·H·W floats (94 MB for the paper decoder at batch 10) to feed
/// a matrix product with a single row; shifted multiply-adds over cache-resident planes do
/// the same arithmetic without that traffic. Stride-1 layers (all the decoders' output convs)
/// run CDirectConv's vectorised kernels on zero-padded copies of the planes; other strides
/// run the plain loops below.
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
        if hasPaddedKernels {
            let padded = Self.padded(input, by: padding)
            let planeStride = n * padded.planeSize
            let out = [Float](unsafeUninitializedCapacity: outCount) { y, count in
                padded.data.withUnsafeBufferPointer { x in
                    weight.data.withUnsafeBufferPointer { wt in
                        Parallel.forEach(count: outChannels * n) { task in
                            let (co, b) = (task / n, task % n)
                            qlx_direct_conv_plane(x.baseAddress! + b * padded.planeSize, inChannels, planeStride, kernel, ho, wo,
                                                  wt.baseAddress! + co * inChannels * kernel * kernel,
                                                  y.baseAddress! + (co * n + b) * ho * wo)
                        }
                    }
                }
                count = outCount
            }
            return FeatureMap(channels: outChannels, batch: n, height: ho, width: wo, data: out)
        }
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
        if hasPaddedKernels {
            return backwardPadded(input: input, weight: weight, dOutput: dOutput, computeInputGradient: computeInputGradient)
        }
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

extension Conv2d {
    /// Whether the direct path runs CDirectConv's kernels: stride 1, and padding small enough
    /// that the input gradient is the same kernel over the output gradient padded by k − 1 − p.
    var hasPaddedKernels: Bool { stride == 1 && padding <= kernel - 1 }

    /// Runs `body` with CDirectConv's baseline kernels, for tests on machines that have AVX2.
    public static func withBaselineDirectKernels<T>(_ body: () throws -> T) rethrows -> T {
        qlx_direct_conv_use_baseline(1)
        defer { qlx_direct_conv_use_baseline(0) }
        return try body()
    }

    /// Every plane of `map` with `amount` zeros around it.
    static func padded(_ map: FeatureMap, by amount: Int) -> FeatureMap {
        let (h, w) = (map.height, map.width)
        let (ph, pw) = (h + 2 * amount, w + 2 * amount)
        let planes = map.channels * map.batch
        let data = [Float](unsafeUninitializedCapacity: planes * ph * pw) { out, count in
            map.data.withUnsafeBufferPointer { src in
                Parallel.forEach(count: planes, minimumPerThread: max(1, 16_384 / (ph * pw))) { plane in
                    let dst = out.baseAddress! + plane * ph * pw
                    let from = src.baseAddress! + plane * h * w
                    dst.initialize(repeating: 0, count: amount * pw)
                    for y in 0..<h {
                        let row = dst + (y + amount) * pw
                        row.initialize(repeating: 0, count: amount)
                        (row + amount).initialize(from: from + y * w, count: w)
                        (row + amount + w).initialize(repeating: 0, count: amount)
                    }
                    (dst + (h + amount) * pw).initialize(repeating: 0, count: amount * pw)
                }
            }
            count = planes * ph * pw
        }
        return FeatureMap(channels: map.channels, batch: map.batch, height: ph, width: pw, data: data)
    }

    /// `backwardDirect` through CDirectConv (`hasPaddedKernels`).
    func backwardPadded(input: FeatureMap, weight: Tensor, dOutput: FeatureMap,
                        computeInputGradient: Bool) -> (dInput: FeatureMap?, dWeight: Tensor) {
        let (h, w, n) = (input.height, input.width, input.batch)
        let (ho, wo) = (dOutput.height, dOutput.width)
        let kk = kernel * kernel
        let paddedInput = Self.padded(input, by: padding)
        let inPlane = paddedInput.planeSize
        // dW[co, ci, kh, kw] = Σ_n Σ_(oy,ox) dy[co, n, oy, ox]·x_padded[ci, n, oy + kh, ox + kw]
        var dWeight = [Float](repeating: 0, count: weight.count)
        paddedInput.data.withUnsafeBufferPointer { x in
            dOutput.data.withUnsafeBufferPointer { dy in
                dWeight.withUnsafeMutableBufferPointer { dw in
                    Parallel.forEach(count: outChannels * inChannels) { task in
                        let (co, ci) = (task / inChannels, task % inChannels)
                        var sums = [Double](repeating: 0, count: kk)
                        for b in 0..<n {
                            qlx_direct_conv_weight_gradient(x.baseAddress! + (ci * n + b) * inPlane,
                                                            dy.baseAddress! + (co * n + b) * ho * wo, kernel, ho, wo, &sums)
                        }
                        for t in 0..<kk { dw[task * kk + t] = Float(sums[t]) }
                    }
                }
            }
        }
        guard computeInputGradient else { return (nil, Tensor(shape: weightShape, data: dWeight)) }
        // dx[ci] is the same kernel over dy padded by k − 1 − p, with the weights of ci turned
        // half a turn: flipped[ci, co, kh, kw] = W[co, ci, k − 1 − kh, k − 1 − kw].
        let paddedGradient = Self.padded(dOutput, by: kernel - 1 - padding)
        let gradientPlane = paddedGradient.planeSize
        var flipped = [Float](repeating: 0, count: weight.count)
        for co in 0..<outChannels {
            for ci in 0..<inChannels {
                for t in 0..<kk { flipped[(ci * outChannels + co) * kk + kk - 1 - t] = weight.data[(co * inChannels + ci) * kk + t] }
            }
        }
        let inCount = input.count
        let dInput = [Float](unsafeUninitializedCapacity: inCount) { dx, count in
            paddedGradient.data.withUnsafeBufferPointer { dy in
                flipped.withUnsafeBufferPointer { wt in
                    Parallel.forEach(count: inChannels * n) { task in
                        let (ci, b) = (task / n, task % n)
                        qlx_direct_conv_plane(dy.baseAddress! + b * gradientPlane, outChannels, n * gradientPlane, kernel, h, w,
                                              wt.baseAddress! + ci * outChannels * kk, dx.baseAddress! + (ci * n + b) * h * w)
                    }
                }
            }
            count = inCount
        }
        return (FeatureMap(channels: inChannels, batch: n, height: h, width: w, data: dInput),
                Tensor(shape: weightShape, data: dWeight))
    }
}
