/// 2-D convolution without bias, PyTorch semantics (cross-correlation, zero padding).
/// Shapes: input (N, Cin, H, W) → output (N, Cout, Ho, Wo) with Ho = (H + 2p − k)/s + 1;
/// weight [Cout, Cin, k, k]. The fast path works on channel-major `FeatureMap`s: im2col of
/// the whole batch, then one sgemm W[Cout, Cin·k·k] × columns[Cin·k·k, N·Ho·Wo].
public struct Conv2d: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var weightShape: [Int] { [outChannels, inChannels, kernel, kernel] }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    func geometry(_ x: FeatureMap) -> WindowGeometry {
        WindowGeometry(channels: x.channels, batch: x.batch, height: x.height, width: x.width,
                       kernel: kernel, stride: stride, padding: padding)
    }

    /// A 1×1, stride-1, unpadded convolution needs no unfolding: the input is its own columns.
    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    /// input (Cin, N, H, W) channel-major → output (Cout, N, Ho, Wo) channel-major.
    /// Layers with very few output channels use `forwardDirect`, the others `forwardIm2col`.
    public func forward(_ input: FeatureMap, weight: Tensor) -> FeatureMap {
        prefersDirect ? forwardDirect(input, weight: weight) : forwardIm2col(input, weight: weight)
    }

    /// Gradients of `forward` given the gradient of its output. `dInput` is nil unless asked for
    /// (the first layer of a network does not need it).
    public func backward(input: FeatureMap, weight: Tensor, dOutput: FeatureMap,
                         computeInputGradient: Bool = true) -> (dInput: FeatureMap?, dWeight: Tensor) {
        prefersDirect
            ? backwardDirect(input: input, weight: weight, dOutput: dOutput, computeInputGradient: computeInputGradient)
            : backwardIm2col(input: input, weight: weight, dOutput: dOutput, computeInputGradient: computeInputGradient)
    }

    /// `forward` through im2col and sgemm, a slice of images at a time (`columnSlices`).
    public func forwardIm2col(_ input: FeatureMap, weight: Tensor) -> FeatureMap {
        precondition(weight.shape == weightShape, "conv weight shape \(weight.shape), expected \(weightShape)")
        return weight.data.withUnsafeBufferPointer { w in
            forwardIm2col(input) { columns, n, ldColumns, out, ldOut in
                Gemm.multiply(w.baseAddress!, columns, into: out, m: outChannels, n: n, k: inChannels * kernel * kernel,
                              ldb: ldColumns, ldc: ldOut)
            }
        }
    }

    /// The weight [Cout, Cin·k·k] packed for `forward(_:packed:)`; nil for a layer that takes
    /// the direct path (few output channels), which has no product to pack for.
    public func packedWeight(_ weight: Tensor) -> PackedMatrix? {
        precondition(weight.shape == weightShape, "conv weight shape \(weight.shape), expected \(weightShape)")
        if prefersDirect { return nil }
        return PackedMatrix(rowMajor: weight.data, rows: outChannels, columns: inChannels * kernel * kernel)
    }

    /// `forward` with the weight packed once (`packedWeight`): inference's products are thin
    /// (Cout rows), where OpenBLAS would re-pack the weight and the columns on every call.
    public func forward(_ input: FeatureMap, packed weight: PackedMatrix) -> FeatureMap {
        precondition(weight.rows == outChannels && weight.columns == inChannels * kernel * kernel,
                     "packed conv weight \(weight.rows)×\(weight.columns), expected \(outChannels)×\(inChannels * kernel * kernel)")
        if prefersDirect { preconditionFailure("forward(_:packed:) is for layers of more than \(Conv2d.directOutputChannelLimit) output channels") }
        return forwardIm2col(input) { columns, n, ldColumns, out, ldOut in
            weight.multiply(columns, ldb: ldColumns, n: n, into: out, ldc: ldOut)
        }
    }

    /// im2col a slice of images at a time, each slice's product by `multiply(columns, n,
    /// ldColumns, output, ldOutput)` (output[Cout, n] = W · columns).
    private func forwardIm2col(_ input: FeatureMap,
                               multiply: (UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void) -> FeatureMap {
        precondition(input.channels == inChannels, "conv expects \(inChannels) input channels, got \(input.channels)")
        let g = geometry(input)
        let (ho, wo) = (g.outHeight, g.outWidth)
        precondition(ho > 0 && wo > 0, "conv output would be empty for a \(input.height)×\(input.width) input")
        let outCount = outChannels * g.columns
        let planeOut = ho * wo
        let output = [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            columnSlices(of: input, geometry: g) { first, slice, columns, ldColumns in
                multiply(columns, slice.columns, ldColumns, out.baseAddress! + first * planeOut, g.columns)
            }
            initialized = outCount
        }
        return FeatureMap(channels: outChannels, batch: input.batch, height: ho, width: wo, data: output)
    }

    /// Gradients of `forwardIm2col`, a slice of images at a time.
    public func backwardIm2col(input: FeatureMap, weight: Tensor, dOutput: FeatureMap,
                               computeInputGradient: Bool = true) -> (dInput: FeatureMap?, dWeight: Tensor) {
        let g = geometry(input)
        precondition(dOutput.channels == outChannels && dOutput.batch == input.batch
                     && dOutput.height == g.outHeight && dOutput.width == g.outWidth)
        let (planeIn, planeOut) = (input.height * input.width, g.outHeight * g.outWidth)
        var dWeight = [Float](repeating: 0, count: weight.count)
        let dColumns = UnsafeMutablePointer<Float>.allocate(capacity: isPointwise ? 0 : g.rows * columnSliceImages(g) * planeOut)
        defer { dColumns.deallocate() }
        let dInputData = Self.withOptionalOutput(count: computeInputGradient ? input.count : nil) { dx in
            dOutput.data.withUnsafeBufferPointer { dy in
                weight.data.withUnsafeBufferPointer { w in
                    columnSlices(of: input, geometry: g) { first, slice, columns, ldColumns in
                        let dySlice = dy.baseAddress! + first * planeOut
                        // dWeight[Cout, Cin·k·k] += dOutput[Cout, images·Ho·Wo] × columnsᵀ
                        dWeight.withUnsafeMutableBufferPointer { dw in
                            Gemm.multiply(dySlice, columns, transposeB: true, into: dw.baseAddress!,
                                          m: outChannels, n: g.rows, k: slice.columns, beta: first == 0 ? 0 : 1,
                                          lda: g.columns, ldb: ldColumns)
                        }
                        // dColumns[Cin·k·k, images·Ho·Wo] = Wᵀ × dOutput, folded back onto the input.
                        guard let dx else { return }
                        if isPointwise {
                            Gemm.multiply(w.baseAddress!, transposeA: true, dySlice, into: dx,
                                          m: g.rows, n: g.columns, k: outChannels)
                            return
                        }
                        Gemm.multiply(w.baseAddress!, transposeA: true, dySlice, into: dColumns,
                                      m: g.rows, n: slice.columns, k: outChannels, ldb: g.columns)
                        Im2col.fold(dColumns, geometry: slice, into: dx + first * planeIn,
                                    channelStride: input.batch * planeIn)
                    }
                }
            }
        }
        let dInput = dInputData.map {
            FeatureMap(channels: inChannels, batch: input.batch, height: input.height, width: input.width, data: $0)
        }
        return (dInput, Tensor(shape: weightShape, data: dWeight))
    }

    /// Most floats of im2col columns held at once (1 MB): the batch goes through in slices of
    /// images, so each slice's columns are still in cache when the products read them. A
    /// training shard of 8 images would otherwise write and re-read up to 8 MB per layer
    /// (batch 64, default architecture: 413–483 → 525–541 images/s, interleaved runs).
    public static let columnsBudget = 1 << 18

    /// Images per slice of `columnSlices`.
    func columnSliceImages(_ g: WindowGeometry) -> Int {
        Im2col.imagesPerSlice(batch: g.batch, floatsPerImage: g.rows * g.outHeight * g.outWidth, budget: Conv2d.columnsBudget)
    }

    /// Calls `body(first, slice, columns, ldColumns)` for consecutive slices of the images of
    /// `input`: `slice` is the geometry of images first..<first + slice.batch and `columns` its
    /// im2col columns ([rows, slice.columns], leading dimension `ldColumns`). A 1×1
    /// convolution's columns are the input itself, in one slice.
    func columnSlices(of input: FeatureMap, geometry g: WindowGeometry,
                      _ body: (_ first: Int, _ slice: WindowGeometry, _ columns: UnsafePointer<Float>, _ ldColumns: Int) -> Void) {
        if isPointwise {
            input.data.withUnsafeBufferPointer { body(0, g, $0.baseAddress!, g.columns) }
            return
        }
        let sliceImages = columnSliceImages(g)
        let plane = g.height * g.width
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.rows * sliceImages * g.outHeight * g.outWidth)
        defer { columns.deallocate() }
        input.data.withUnsafeBufferPointer { x in
            for first in Swift.stride(from: 0, to: g.batch, by: sliceImages) {
                var slice = g
                slice.batch = min(sliceImages, g.batch - first)
                Im2col.unfold(x.baseAddress! + first * plane, geometry: slice, into: columns, channelStride: g.batch * plane)
                body(first, slice, columns, slice.columns)
            }
        }
    }

    /// Runs `body` with an uninitialised buffer of `count` floats that it fills, and returns
    /// the buffer as an array; with nil (no input gradient wanted) runs it with nil.
    static func withOptionalOutput(count: Int?, _ body: (UnsafeMutablePointer<Float>?) -> Void) -> [Float]? {
        guard let count else {
            body(nil)
            return nil
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer.baseAddress!)
            initialized = count
        }
    }

    // MARK: (N, C, H, W) tensors

    /// input (N, Cin, H, W) → (N, Cout, Ho, Wo).
    public func forward(_ input: Tensor, weight: Tensor) -> Tensor {
        forward(FeatureMap(nchw: input), weight: weight).nchw()
    }

    public func backward(input: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor) {
        let result = backward(input: FeatureMap(nchw: input), weight: weight, dOutput: FeatureMap(nchw: dOutput))
        return (result.dInput!.nchw(), result.dWeight)
    }

    // MARK: Plain-loop reference (Double accumulation), for tests

    public func referenceForward(_ input: Tensor, weight: Tensor) -> Tensor {
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let (ho, wo) = outputSize(height: h, width: w)
        var out = Tensor(zeros: [n, outChannels, ho, wo])
        for b in 0..<n { for co in 0..<outChannels { for oy in 0..<ho { for ox in 0..<wo {
            var sum = 0.0
            for ci in 0..<inChannels { for kh in 0..<kernel { for kw in 0..<kernel {
                let iy = oy * stride - padding + kh, ix = ox * stride - padding + kw
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                sum += Double(input.data[((b * inChannels + ci) * h + iy) * w + ix])
                    * Double(weight.data[((co * inChannels + ci) * kernel + kh) * kernel + kw])
            } } }
            out.data[((b * outChannels + co) * ho + oy) * wo + ox] = Float(sum)
        } } } }
        return out
    }

    public func referenceBackward(input: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor) {
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let (ho, wo) = outputSize(height: h, width: w)
        var dIn = [Double](repeating: 0, count: input.count)
        var dW = [Double](repeating: 0, count: weight.count)
        for b in 0..<n { for co in 0..<outChannels { for oy in 0..<ho { for ox in 0..<wo {
            let g = Double(dOutput.data[((b * outChannels + co) * ho + oy) * wo + ox])
            for ci in 0..<inChannels { for kh in 0..<kernel { for kw in 0..<kernel {
                let iy = oy * stride - padding + kh, ix = ox * stride - padding + kw
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                let xi = ((b * inChannels + ci) * h + iy) * w + ix
                let wi = ((co * inChannels + ci) * kernel + kh) * kernel + kw
                dIn[xi] += g * Double(weight.data[wi])
                dW[wi] += g * Double(input.data[xi])
            } } }
        } } } }
        return (Tensor(shape: input.shape, data: dIn.map(Float.init)), Tensor(shape: weight.shape, data: dW.map(Float.init)))
    }
}
