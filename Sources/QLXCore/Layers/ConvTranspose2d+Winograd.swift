import CDirectConv

/// 3×3 stride-1 transposed convolutions (padding 1) by Winograd's F(2×2, 3×3).
///
/// Such a layer is a same-size 3×3 convolution with its weights flipped and Cin, Cout swapped.
/// Winograd's form splits the output into 2×2 tiles and each tile's 4×4 input patch into 16
/// transformed elements: the layer becomes 16 matrix products [Cout, Cin] × [Cin, tiles], 16
/// multiply-adds per tile and channel pair where the direct form (im2col) needs 36, between two
/// passes of additions (CDirectConv's winograd.c). The weights are transformed once
/// (`WinogradWeights`, at load) and, for decoding, packed. Rounding: each output is a sum of
/// the same products regrouped, with transforms whose coefficients are 0, ±1 and ±½; against
/// the direct form the difference stays near float32's resolution of the largest partial sums
/// (`ConvolutionTests`).
extension ConvTranspose2d {
    /// Whether the layer has a Winograd form: 3×3, stride 1, padding 1, on even-sized maps.
    public func hasWinograd(height: Int, width: Int) -> Bool {
        kernel == 3 && stride == 1 && padding == 1 && height % 2 == 0 && width % 2 == 0
    }

    /// Whether decoding takes the Winograd form on `batch` images of `height`×`width`: where
    /// there are enough tiles for the 16 products to use their 16 transformed weight matrices
    /// (16/9 of the layer's weights) on more than a few columns each. On the reference decoders
    /// (`qlx bench --only layers`) it won from 16 tiles (an 8×8 map at batch 1: 0.21 against
    /// 0.35 ms for 256→128) and lost at 4 (a 4×4 map: 0.38 against 0.19 ms), where the packed
    /// stride-phase product, reading the weights once, is the faster.
    public func prefersWinograd(height: Int, width: Int, batch: Int) -> Bool {
        hasWinograd(height: height, width: width) && batch * height * width / 4 >= Self.winogradTilesMinimum
    }

    /// Fewest tiles (images × 2×2 output tiles) for which decoding takes the Winograd form.
    static let winogradTilesMinimum = 16

    /// A layer's weights transformed for `forward(_:winograd:)`: 16 row-major [Cout, Cin]
    /// matrices, for OpenBLAS, and the same packed (`PackedMatrix`) when asked for.
    public struct WinogradWeights: Sendable {
        public let layer: ConvTranspose2d
        let matrices: [[Float]]
        let packed: [PackedMatrix]?
    }

    /// Transforms `weight` ([Cin, Cout, 3, 3]): U = G g Gᵀ per channel pair, g the flipped
    /// kernel, G's rows (1, 0, 0), (½, ½, ½), (½, −½, ½), (0, 0, 1).
    public func winogradWeights(_ weight: Tensor, packed: Bool = false) -> WinogradWeights {
        precondition(kernel == 3 && stride == 1 && padding == 1, "convT k\(kernel) s\(stride) p\(padding) has no Winograd form")
        precondition(weight.shape == weightShape, "convT weight shape \(weight.shape), expected \(weightShape)")
        let g: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var matrices = [[Float]](repeating: [Float](repeating: 0, count: outChannels * inChannels), count: 16)
        for ci in 0..<inChannels {
            for co in 0..<outChannels {
                // The equivalent convolution's kernel: the transposed one rotated by half a turn.
                let base = (ci * outChannels + co) * 9
                let kernel3 = (0..<3).map { a in (0..<3).map { b in Double(weight.data[base + (2 - a) * 3 + (2 - b)]) } }
                for i in 0..<4 {
                    // Row i of G·g, then its product with Gᵀ.
                    let row = (0..<3).map { b in (0..<3).reduce(0.0) { $0 + g[i][$1] * kernel3[$1][b] } }
                    for j in 0..<4 {
                        let u = (0..<3).reduce(0.0) { $0 + row[$1] * g[j][$1] }
                        matrices[i * 4 + j][co * inChannels + ci] = Float(u)
                    }
                }
            }
        }
        let packedMatrices = packed ? matrices.map { PackedMatrix(rowMajor: $0, rows: outChannels, columns: inChannels) } : nil
        return WinogradWeights(layer: self, matrices: matrices, packed: packedMatrices)
    }

    /// `forward` through Winograd's form with weights from `winogradWeights`.
    public func forward(_ input: FeatureMap, winograd weights: WinogradWeights) -> FeatureMap {
        precondition(weights.layer == self, "Winograd weights of another layer")
        precondition(input.channels == inChannels, "convT expects \(inChannels) input channels, got \(input.channels)")
        let (h, w, n) = (input.height, input.width, input.batch)
        precondition(hasWinograd(height: h, width: w), "no Winograd form for a \(h)×\(w) map")
        let tiles = n * (h / 2) * (w / 2)
        let (cin, cout) = (inChannels, outChannels)
        let transformed = UnsafeMutablePointer<Float>.allocate(capacity: 16 * cin * tiles)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: 16 * cout * tiles)
        defer {
            transformed.deallocate()
            products.deallocate()
        }
        input.data.withUnsafeBufferPointer { x in
            Parallel.forRanges(count: cin, minimumPerThread: max(1, 8192 / max(1, n * h * w))) { range in
                qlx_winograd_input(x.baseAddress!, cin, range.lowerBound, range.upperBound, n, h, w, n * h * w, transformed)
            }
        }
        let packed = weights.packed.flatMap { tiles < Self.packedColumnsLimit ? $0 : nil }
        Gemm.withSingleThread {
            Parallel.forEachTask(count: 16) { e in
                let v = transformed + e * cin * tiles, m = products + e * cout * tiles
                if let packed {
                    packed[e].multiply(v, n: tiles, into: m, parallel: false)
                } else {
                    weights.matrices[e].withUnsafeBufferPointer { u in
                        Gemm.multiply(u.baseAddress!, v, into: m, m: cout, n: tiles, k: cin)
                    }
                }
            }
        }
        let output = [Float](unsafeUninitializedCapacity: cout * n * h * w) { out, initialized in
            Parallel.forRanges(count: cout, minimumPerThread: max(1, 8192 / max(1, n * h * w))) { range in
                qlx_winograd_output(products, cout, range.lowerBound, range.upperBound, n, h, w, out.baseAddress!)
            }
            initialized = cout * n * h * w
        }
        return FeatureMap(channels: cout, batch: n, height: h, width: w, data: output)
    }
}

extension ConvTranspose2d {
    /// A layer's weights as decoding prepares them once per parameter set: packed by stride
    /// phase, and also Winograd-transformed for 3×3 stride-1 layers. `forward(_:decoding:)`
    /// picks between them by the input's size.
    public struct DecodingWeights: Sendable {
        public let phased: PhasedWeights
        public let winograd: WinogradWeights?
    }

    /// Decoding weights for a layer with a stride-phase form (`prefersPackedPhases`), else nil.
    public func decodingWeights(_ weight: Tensor) -> DecodingWeights? {
        guard prefersPackedPhases else { return nil }
        let winograd = kernel == 3 && stride == 1 && padding == 1 ? winogradWeights(weight, packed: true) : nil
        return DecodingWeights(phased: phasedWeights(weight, packed: true), winograd: winograd)
    }

    /// The layer on `input` in the form decoding takes: Winograd's where it has one and the
    /// input has enough tiles (`prefersWinograd`), else the packed stride-phase form.
    public func forward(_ input: FeatureMap, decoding weights: DecodingWeights) -> FeatureMap {
        if let winograd = weights.winograd, prefersWinograd(height: input.height, width: input.width, batch: input.batch) {
            return forward(input, winograd: winograd)
        }
        return forward(input, phased: weights.phased)
    }
}
