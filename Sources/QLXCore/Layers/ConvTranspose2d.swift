/// 2-D transposed convolution without bias, PyTorch semantics (no output padding):
/// input (N, Cin, H, W) → output (N, Cout, Ho, Wo) with Ho = (H − 1)·s − 2p + k;
/// weight [Cin, Cout, k, k]; output[n, co, y·s − p + kh, x·s − p + kw] += input[n, ci, y, x]·W[ci, co, kh, kw].
/// It is the adjoint of a `Conv2d` from Cout to Cin channels with the same weight tensor, so
/// the fast path is one sgemm columns[Cout·k·k, N·H·W] = Wᵀ × input[Cin, N·H·W] and a col2im.
public struct ConvTranspose2d: Sendable, Equatable {
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

    public var weightShape: [Int] { [inChannels, outChannels, kernel, kernel] }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height - 1) * stride - 2 * padding + kernel, (width - 1) * stride - 2 * padding + kernel)
    }

    /// The output seen as the input of the adjoint convolution.
    func geometry(batch: Int, inputHeight: Int, inputWidth: Int) -> WindowGeometry {
        let (ho, wo) = outputSize(height: inputHeight, width: inputWidth)
        let g = WindowGeometry(channels: outChannels, batch: batch, height: ho, width: wo,
                               kernel: kernel, stride: stride, padding: padding)
        precondition(g.outHeight == inputHeight && g.outWidth == inputWidth)
        return g
    }

    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    /// Most floats of stride-phase columns `forward` holds at once (64 MB): larger batches go
    /// through in slices of images. A reference decode at batch 10 stays whole; a 100-image
    /// traversal of a small decoder would otherwise allocate and stream 105 MB of columns.
    public static let defaultColumnsBudget = 16 << 20

    /// input (Cin, N, H, W) channel-major → output (Cout, N, Ho, Wo) channel-major: the
    /// stride-phase form where it is the faster (`prefersPhases(height:width:)`, see
    /// ConvTranspose2d+Phases.swift), else `forwardFolded`.
    public func forward(_ input: FeatureMap, weight: Tensor, columnsBudget: Int = defaultColumnsBudget) -> FeatureMap {
        guard prefersPhases(height: input.height, width: input.width) else {
            return forwardFolded(input, weight: weight, columnsBudget: min(columnsBudget, Conv2d.columnsBudget))
        }
        return forward(input, phased: phasedWeights(weight), columnsBudget: columnsBudget)
    }

    /// `forward` as sgemm into columns [Cout·k·k, N·H·W] and their col2im fold, in slices of
    /// images whose columns fit `columnsBudget` floats. The fold re-reads what the product
    /// wrote, so `forward` passes at most `Conv2d.columnsBudget` (1 MB, still in cache).
    public func forwardFolded(_ input: FeatureMap, weight: Tensor, columnsBudget: Int = Conv2d.columnsBudget) -> FeatureMap {
        precondition(input.channels == inChannels, "convT expects \(inChannels) input channels, got \(input.channels)")
        precondition(weight.shape == weightShape, "convT weight shape \(weight.shape), expected \(weightShape)")
        let (ho, wo) = outputSize(height: input.height, width: input.width)
        precondition(ho > 0 && wo > 0, "convT output would be empty for a \(input.height)×\(input.width) input")
        let g = geometry(batch: input.batch, inputHeight: input.height, inputWidth: input.width)
        let outCount = outChannels * input.batch * ho * wo
        let output = [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            input.data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    if isPointwise {
                        Gemm.multiply(w.baseAddress!, transposeA: true, x.baseAddress!, into: out.baseAddress!,
                                      m: g.rows, n: g.columns, k: inChannels)
                        return
                    }
                    // Columns are k²·Cout/Cin times the input: slice large batches by image.
                    let planeIn = input.height * input.width, planeOut = ho * wo
                    let sliceImages = Im2col.imagesPerSlice(batch: input.batch, floatsPerImage: g.rows * planeIn, budget: columnsBudget)
                    let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.rows * sliceImages * planeIn)
                    defer { columns.deallocate() }
                    for first in Swift.stride(from: 0, to: input.batch, by: sliceImages) {
                        let count = min(sliceImages, input.batch - first)
                        Gemm.multiply(w.baseAddress!, transposeA: true, x.baseAddress! + first * planeIn,
                                      into: columns, m: g.rows, n: count * planeIn, k: inChannels,
                                      ldb: input.batch * planeIn)
                        let slice = geometry(batch: count, inputHeight: input.height, inputWidth: input.width)
                        Im2col.fold(columns, geometry: slice, into: out.baseAddress! + first * planeOut,
                                    channelStride: input.batch * planeOut)
                    }
                }
            }
            initialized = outCount
        }
        return FeatureMap(channels: outChannels, batch: input.batch, height: ho, width: wo, data: output)
    }

    /// Gradients of `forward` given the gradient of its output: the output gradient's im2col
    /// columns (`Conv2d.columnSlices` of the adjoint convolution) a slice of images at a time.
    public func backward(input: FeatureMap, weight: Tensor, dOutput: FeatureMap,
                         computeInputGradient: Bool = true) -> (dInput: FeatureMap?, dWeight: Tensor) {
        let g = geometry(batch: input.batch, inputHeight: input.height, inputWidth: input.width)
        precondition(dOutput.channels == outChannels && dOutput.batch == input.batch
                     && dOutput.height == g.height && dOutput.width == g.width)
        let planeIn = input.height * input.width
        var dWeight = [Float](repeating: 0, count: weight.count)
        let conv = Conv2d(inChannels: outChannels, outChannels: inChannels, kernel: kernel, stride: stride, padding: padding)
        let dInputData = Conv2d.withOptionalOutput(count: computeInputGradient ? input.count : nil) { dx in
            input.data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    conv.columnSlices(of: dOutput, geometry: g) { first, slice, dColumns, ldColumns in
                        // dWeight[Cin, Cout·k·k] += input[Cin, images·H·W] × dColumnsᵀ
                        dWeight.withUnsafeMutableBufferPointer { dw in
                            Gemm.multiply(x.baseAddress! + first * planeIn, dColumns, transposeB: true, into: dw.baseAddress!,
                                          m: inChannels, n: g.rows, k: slice.columns, beta: first == 0 ? 0 : 1,
                                          lda: g.columns, ldb: ldColumns)
                        }
                        // dInput[Cin, images·H·W] = W[Cin, Cout·k·k] × dColumns
                        guard let dx else { return }
                        Gemm.multiply(w.baseAddress!, dColumns, into: dx + first * planeIn,
                                      m: inChannels, n: slice.columns, k: g.rows, ldb: ldColumns, ldc: g.columns)
                    }
                }
            }
        }
        let dInput = dInputData.map {
            FeatureMap(channels: inChannels, batch: input.batch, height: input.height, width: input.width, data: $0)
        }
        return (dInput, Tensor(shape: weightShape, data: dWeight))
    }

    // MARK: (N, C, H, W) tensors

    /// input (N, Cin, H, W) → (N, Cout, Ho, Wo).
    public func forward(_ input: Tensor, weight: Tensor, columnsBudget: Int = defaultColumnsBudget) -> Tensor {
        forward(FeatureMap(nchw: input), weight: weight, columnsBudget: columnsBudget).nchw()
    }

    public func backward(input: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor) {
        let result = backward(input: FeatureMap(nchw: input), weight: weight, dOutput: FeatureMap(nchw: dOutput))
        return (result.dInput!.nchw(), result.dWeight)
    }

    // MARK: Plain-loop reference (Double accumulation), for tests

    public func referenceForward(_ input: Tensor, weight: Tensor) -> Tensor {
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let (ho, wo) = outputSize(height: h, width: w)
        var out = [Double](repeating: 0, count: n * outChannels * ho * wo)
        for b in 0..<n { for ci in 0..<inChannels { for y in 0..<h { for x in 0..<w {
            let v = Double(input.data[((b * inChannels + ci) * h + y) * w + x])
            for co in 0..<outChannels { for kh in 0..<kernel { for kw in 0..<kernel {
                let oy = y * stride - padding + kh, ox = x * stride - padding + kw
                guard oy >= 0, oy < ho, ox >= 0, ox < wo else { continue }
                out[((b * outChannels + co) * ho + oy) * wo + ox]
                    += v * Double(weight.data[((ci * outChannels + co) * kernel + kh) * kernel + kw])
            } } }
        } } } }
        return Tensor(shape: [n, outChannels, ho, wo], data: out.map(Float.init))
    }

    public func referenceBackward(input: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor) {
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let (ho, wo) = outputSize(height: h, width: w)
        var dIn = [Double](repeating: 0, count: input.count)
        var dW = [Double](repeating: 0, count: weight.count)
        for b in 0..<n { for ci in 0..<inChannels { for y in 0..<h { for x in 0..<w {
            let xi = ((b * inChannels + ci) * h + y) * w + x
            for co in 0..<outChannels { for kh in 0..<kernel { for kw in 0..<kernel {
                let oy = y * stride - padding + kh, ox = x * stride - padding + kw
                guard oy >= 0, oy < ho, ox >= 0, ox < wo else { continue }
                let g = Double(dOutput.data[((b * outChannels + co) * ho + oy) * wo + ox])
                let wi = ((ci * outChannels + co) * kernel + kh) * kernel + kw
                dIn[xi] += g * Double(weight.data[wi])
                dW[wi] += g * Double(input.data[xi])
            } } }
        } } } }
        return (Tensor(shape: input.shape, data: dIn.map(Float.init)), Tensor(shape: weight.shape, data: dW.map(Float.init)))
    }
}
