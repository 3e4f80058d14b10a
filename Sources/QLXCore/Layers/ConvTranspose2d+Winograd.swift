import CDirectConv

/// Transposed convolutions by Winograd's minimal filtering, 2×2 output tiles.
///
/// A 3×3 stride-1 layer (padding 1) is a same-size 3×3 convolution with its weights flipped and
/// Cin, Cout swapped; each stride phase of a 4×4 stride-2 layer (padding 1) is a 2×2
/// convolution of the input (ConvTranspose2d+Phases.swift). Winograd's F(2×2, r×r) splits such
/// a convolution's output into 2×2 tiles and each tile's (r+1)×(r+1) input patch into as many
/// transformed elements: the layer becomes one matrix product [Cout, Cin] × [Cin, tiles] per
/// element and phase, (r+1)² multiply-adds per tile and channel pair where the direct form
/// needs 4r² (16 for 36 at 3×3, 9 for 16 at 2×2), between two passes of additions
/// (CDirectConv's winograd.c). The weights are transformed once (`WinogradWeights`, at load)
/// and, for decoding, packed. Rounding: each output is a sum of the same products regrouped,
/// through transforms whose coefficients are 0, ±1 and ±½; the difference from the direct form
/// stays near float32's resolution of the largest partial sums (`ConvolutionTests`).
extension ConvTranspose2d {
    /// The filter size r of each phase's Winograd form (3 for 3×3 stride 1, 2 for 4×4 stride 2,
    /// both with padding 1), nil for other layers.
    var winogradFilterSize: Int? {
        switch (kernel, stride, padding) {
        case (3, 1, 1): return 3
        case (4, 2, 1): return 2
        default: return nil
        }
    }

    /// Whether the layer has a Winograd form on a `height`×`width` input: 3×3 stride 1 or 4×4
    /// stride 2, padding 1, on even-sized maps (whole 2×2 tiles).
    public func hasWinograd(height: Int, width: Int) -> Bool {
        winogradFilterSize != nil && height % 2 == 0 && width % 2 == 0
    }

    /// Whether decoding takes the Winograd form on `batch` images of `height`×`width`: where
    /// each of its products (one per transform element and phase) is wide and large enough to
    /// outweigh reading (r+1)²/r² of the layer's weights and the two transform passes; below
    /// that the packed stride-phase product, reading the weights once, is the faster. The
    /// thresholds: 3×3 stride 1 from 16 tiles, 4×4 stride 2 from 32, and at least 2¹⁸
    /// multiply-adds per product, since small layers lose even with many tiles (`qlx bench
    /// --only layers` times both forms of each reference layer).
    public func prefersWinograd(height: Int, width: Int, batch: Int) -> Bool {
        guard hasWinograd(height: height, width: width), let r = winogradFilterSize else { return false }
        let tiles = batch * height * width / 4
        return tiles >= (r == 3 ? 16 : 32) && inChannels * outChannels * tiles >= 1 << 18
    }

    /// Floats of transformed input per slice (4 MB) when the layer's work is split across the
    /// cores. The transforms stream their matrices through memory once each way; in slices
    /// this size they stay near the shared cache (a large layer in one piece, 47 MB for
    /// image_small's stride-2 128→64 at batch 10, is slower than the packed phases), while 4×4
    /// maps of 512 channels keep 14 images, 56 tiles, per product.
    public static let winogradColumnsBudget = 1 << 20

    /// Floats of transformed input per slice inside a serial share of work (`Parallel.serially`,
    /// one core; 256 KB): small enough that a slice's transformed input and products stay in that core's
    /// own cache between the passes, where a slice may be a block of one image's tile rows.
    public static let winogradSerialColumnsBudget = 1 << 16

    /// A layer's weights transformed for `forward(_:winograd:)`: per stride phase, one row-major
    /// [Cout, Cin] matrix per transform element, for OpenBLAS, and the same packed
    /// (`PackedMatrix`) when asked for.
    public struct WinogradWeights: Sendable {
        public let layer: ConvTranspose2d
        let phases: [WinogradPhase]
    }

    /// One stride phase's transformed weights. Phases are in row-major (py, px) order, and a
    /// stride-2 phase's patches start at offset (py − 1, px − 1) from twice the tile, as
    /// winograd.c's F(2×2, 2×2) transforms take them.
    struct WinogradPhase: Sendable {
        var matrices: [[Float]]
        var packed: [PackedMatrix]?
    }

    /// Transforms `weight` ([Cin, Cout, k, k]): per phase and channel pair, U = G g Gᵀ with g the
    /// phase's r×r filter. G's rows are (1, 0, 0), (½, ½, ½), (½, −½, ½), (0, 0, 1) for r = 3 and
    /// (1, 0), (1, 1), (0, 1) for r = 2.
    public func winogradWeights(_ weight: Tensor, packed: Bool = false) -> WinogradWeights {
        guard let r = winogradFilterSize else {
            preconditionFailure("convT k\(kernel) s\(stride) p\(padding) has no Winograd form")
        }
        precondition(weight.shape == weightShape, "convT weight shape \(weight.shape), expected \(weightShape)")
        // Row-major G (alpha × r). Decoding during training makes these once per call, so the
        // loops below allocate nothing per channel pair.
        let g: [Double] = r == 3 ? [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1] : [1, 0, 1, 1, 0, 1]
        let alpha = r + 1
        let pairs = outChannels * inChannels
        var filter = [Double](repeating: 0, count: r * r)
        var gFilter = [Double](repeating: 0, count: alpha * r)
        var phases: [WinogradPhase] = []
        for py in 0..<stride {
            for px in 0..<stride {
                // The phase's taps as an r×r correlation filter over input offsets (dy, dx),
                // from the smallest offset on.
                let taps = phaseTaps(py: py, px: px)
                let (rowOffset, columnOffset) = (taps.map(\.dy).min()!, taps.map(\.dx).min()!)
                precondition(r == 3 || (rowOffset == py - 1 && columnOffset == px - 1), "phase (\(py), \(px)) starts elsewhere")
                var flat = [Float](repeating: 0, count: alpha * alpha * pairs)
                for ci in 0..<inChannels {
                    for co in 0..<outChannels {
                        for tap in taps {
                            filter[(tap.dy - rowOffset) * r + tap.dx - columnOffset] =
                                Double(weight.data[((ci * outChannels + co) * kernel + tap.kh) * kernel + tap.kw])
                        }
                        for i in 0..<alpha {
                            for b in 0..<r {
                                var sum = 0.0
                                for a in 0..<r { sum += g[i * r + a] * filter[a * r + b] }
                                gFilter[i * r + b] = sum
                            }
                        }
                        for i in 0..<alpha {
                            for j in 0..<alpha {
                                var sum = 0.0
                                for b in 0..<r { sum += gFilter[i * r + b] * g[j * r + b] }
                                flat[(i * alpha + j) * pairs + co * inChannels + ci] = Float(sum)
                            }
                        }
                    }
                }
                // A stride-2 element that is another phase's transformed input negated
                // (`qlx_winograd2_shared_element`) multiplies that input by negated weights.
                let matrices = (0..<(alpha * alpha)).map { e in
                    let matrix = Array(flat[(e * pairs)..<((e + 1) * pairs)])
                    return r == 2 && Self.sharedWinogradElement(phases.count * alpha * alpha + e).sign < 0
                        ? matrix.map { -$0 } : matrix
                }
                let packedMatrices = packed ? matrices.map { PackedMatrix(rowMajor: $0, rows: outChannels, columns: inChannels) } : nil
                phases.append(WinogradPhase(matrices: matrices, packed: packedMatrices))
            }
        }
        return WinogradWeights(layer: self, phases: phases)
    }

    /// `forward` through Winograd's form with weights from `winogradWeights`, in slices whose
    /// transformed inputs fit `columnsBudget` floats: whole images while one fits, else (inside
    /// `Parallel.serially`) blocks of one image's tile rows. Default: `winogradColumnsBudget`,
    /// or `winogradSerialColumnsBudget` inside `Parallel.serially`.
    public func forward(_ input: FeatureMap, winograd weights: WinogradWeights,
                        columnsBudget: Int? = nil) -> FeatureMap {
        precondition(weights.layer == self, "Winograd weights of another layer")
        precondition(input.channels == inChannels, "convT expects \(inChannels) input channels, got \(input.channels)")
        let (h, w, n) = (input.height, input.width, input.batch)
        precondition(hasWinograd(height: h, width: w), "no Winograd form for a \(h)×\(w) map")
        let serial = Parallel.availableThreads == 1
        let budget = columnsBudget ?? (serial ? Self.winogradSerialColumnsBudget : Self.winogradColumnsBudget)
        let (cin, cout, plane) = (inChannels, outChannels, h * w)
        let (ho, wo) = outputSize(height: h, width: w)
        let phaseCount = weights.phases.count
        let elements = weights.phases[0].matrices.count
        // Per tile row of an image: every phase's transformed input, (r+1)² floats per 2×2 tile
        // and channel.
        let tileRows = h / 2
        let floatsPerRow = phaseCount * elements * cin * (w / 2)
        let sliceImages = Im2col.imagesPerSlice(batch: n, floatsPerImage: floatsPerRow * tileRows, budget: budget)
        // On one core, an image over the budget goes through in blocks of tile rows of equal size
        // (16 rows in a budget of 14 make two blocks of 8, not 14 and 2). Across the cores, whole
        // images: each pass is split between the cores, and smaller slices would only add joins.
        let blocks = sliceImages > 1 || !serial ? 1 : (tileRows + max(1, budget / floatsPerRow) - 1) / max(1, budget / floatsPerRow)
        let rowsPerSlice = (tileRows + blocks - 1) / blocks
        let tilesPerSlice = sliceImages * rowsPerSlice * (w / 2)
        let transformed = UnsafeMutablePointer<Float>.allocate(capacity: phaseCount * elements * cin * tilesPerSlice)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: phaseCount * elements * cout * tilesPerSlice)
        defer {
            transformed.deallocate()
            products.deallocate()
        }
        let outCount = cout * n * ho * wo
        let output = [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            input.data.withUnsafeBufferPointer { x in
                for first in Swift.stride(from: 0, to: n, by: sliceImages) {
                    let images = min(sliceImages, n - first)
                    for firstRow in Swift.stride(from: 0, to: tileRows, by: rowsPerSlice) {
                        winogradSlice(x.baseAddress! + first * plane, images: images,
                                      rows: firstRow..<min(firstRow + rowsPerSlice, tileRows), batch: n, height: h, width: w,
                                      weights: weights, transformed: transformed, products: products,
                                      into: out.baseAddress! + first * ho * wo)
                    }
                }
            }
            initialized = outCount
        }
        return FeatureMap(channels: cout, batch: n, height: ho, width: wo, data: output)
    }

    /// One slice of `forward(_:winograd:)`: tile rows `rows` of `images` images whose channel c
    /// starts at x + c·batch·H·W, into output planes at out + c·batch·Ho·Wo, through the
    /// buffers `transformed` and `products`.
    private func winogradSlice(_ x: UnsafePointer<Float>, images: Int, rows: Range<Int>, batch: Int, height h: Int,
                               width w: Int, weights: WinogradWeights, transformed: UnsafeMutablePointer<Float>,
                               products: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let (cin, cout, plane) = (inChannels, outChannels, h * w)
        let (ho, wo) = outputSize(height: h, width: w)
        let phases = weights.phases
        let elements = phases[0].matrices.count
        let threeByThree = winogradFilterSize == 3
        let tiles = images * rows.count * (w / 2)
        let minimumChannels = max(1, 8192 / max(1, 4 * tiles))
        // The four phases of a stride-2 layer share their input rows and output rows, so one
        // pass transforms all of them.
        Parallel.forRanges(count: cin, minimumPerThread: minimumChannels) { range in
            if threeByThree {
                qlx_winograd3_input(x, cin, range.lowerBound, range.upperBound, images, h, w, rows.lowerBound, rows.upperBound,
                                    batch * plane, transformed)
            } else {
                qlx_winograd2_input(x, cin, range.lowerBound, range.upperBound, images, h, w, rows.lowerBound, rows.upperBound,
                                    batch * plane, transformed, elements * cin * tiles)
            }
        }
        let usePacked = tiles < Self.packedColumnsLimit
        Gemm.withSingleThread {
            Parallel.forEachTask(count: phases.count * elements) { task in
                let (phase, e) = (phases[task / elements], task % elements)
                let source = threeByThree ? task : Self.sharedWinogradElement(task).source
                let v = transformed + source * cin * tiles, m = products + task * cout * tiles
                if usePacked, let packed = phase.packed {
                    packed[e].multiply(v, n: tiles, into: m, parallel: false)
                } else {
                    phase.matrices[e].withUnsafeBufferPointer { u in
                        Gemm.multiply(u.baseAddress!, v, into: m, m: cout, n: tiles, k: cin)
                    }
                }
            }
        }
        Parallel.forRanges(count: cout, minimumPerThread: minimumChannels) { range in
            if threeByThree {
                qlx_winograd3_output(products, cout, range.lowerBound, range.upperBound, images, h, w, rows.lowerBound,
                                     rows.upperBound, batch * ho * wo, out)
            } else {
                qlx_winograd2_output(products, cout, range.lowerBound, range.upperBound, images, h, w, rows.lowerBound,
                                     rows.upperBound, batch * ho * wo, out, elements * cout * tiles)
            }
        }
    }
}

extension ConvTranspose2d {
    /// Where a stride-2 layer's transformed input for `task` (9 · phase + element) is held, and
    /// with which sign (winograd.c writes 25 of the 36).
    static func sharedWinogradElement(_ task: Int) -> (source: Int, sign: Int) {
        var source = 0
        let sign = qlx_winograd2_shared_element(task, &source)
        return (source, Int(sign))
    }

    /// The forms a transposed convolution takes when decoding.
    public enum DecodingForm: Sendable, Equatable {
        /// Winograd's, with transformed weights (`prefersWinograd`).
        case winograd
        /// Stride phases with packed weights (`prefersPackedPhases`).
        case packedPhases
        /// As training runs it (`forward(_:weight:)`): layers without a stride-phase form.
        case training
    }

    /// The form decoding takes on `batch` images of `height`×`width`: the one home of that
    /// choice, for `forward(_:decoding:)` and for `qlx bench --only layers`.
    public func decodingForm(height: Int, width: Int, batch: Int) -> DecodingForm {
        guard prefersPackedPhases else { return .training }
        return prefersWinograd(height: height, width: width, batch: batch) ? .winograd : .packedPhases
    }

    /// A layer's weights as decoding prepares them once per parameter set: packed by stride
    /// phase, and also Winograd-transformed where the layer has that form. `forward(_:decoding:)`
    /// picks between them by the input's size.
    public struct DecodingWeights: Sendable {
        public let phased: PhasedWeights
        public let winograd: WinogradWeights?
    }

    /// Decoding weights for a layer with a stride-phase form (`prefersPackedPhases`), else nil.
    public func decodingWeights(_ weight: Tensor) -> DecodingWeights? {
        guard prefersPackedPhases else { return nil }
        let winograd = winogradFilterSize != nil ? winogradWeights(weight, packed: true) : nil
        return DecodingWeights(phased: phasedWeights(weight, packed: true), winograd: winograd)
    }

    /// The layer on `input` in the form decoding takes (`decodingForm`): Winograd's or the
    /// packed stride-phase form.
    public func forward(_ input: FeatureMap, decoding weights: DecodingWeights) -> FeatureMap {
        if decodingForm(height: input.height, width: input.width, batch: input.batch) == .winograd,
           let winograd = weights.winograd {
            return forward(input, winograd: winograd)
        }
        return forward(input, phased: weights.phased)
    }
}
