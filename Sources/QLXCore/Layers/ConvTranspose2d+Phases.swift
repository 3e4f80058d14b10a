/// Transposed convolutions as stride-phase convolutions.
///
/// When k = s + 2p (the decoders' 4×4 stride-2 and 3×3 stride-1 layers, padding 1) the output
/// is exactly s times the input, and output pixel (s·u + py, s·v + px) receives only the taps
/// kh ≡ py + p, kw ≡ px + p (mod s), from input pixel (u + (py + p − kh)/s, v + (px + p − kw)/s).
/// Each of the s² phases is then an ordinary small convolution over the input: im2col of the
/// phase's shifted copies and one sgemm [Cout, Cin·T] × [Cin·T, N·H·W] straight into the
/// output. Against the col2im form (sgemm into Cout·k²·N·H·W columns, then fold them) this
/// skips zeroing and re-reading those columns and the fold's scattered adds, and the weights
/// are re-laid out once (`PhasedWeights`) instead of being transposed by OpenBLAS every call.
extension ConvTranspose2d {
    /// Whether `forward` can run as stride-phase convolutions (output = stride × input).
    public var hasPhases: Bool { kernel == stride + 2 * padding }

    /// Whether `forward` takes the stride-phase form on a `height`×`width` input: wherever the
    /// layer has one. (With OpenBLAS, layers narrowing their channels ran faster in the col2im
    /// form; with weights packed ahead of time (`PackedMatrix`) the phase form has the same
    /// multiply-adds without the fold or the zeroing of its columns.)
    public func prefersPhases(height: Int, width: Int) -> Bool {
        hasPhases && !isPointwise
    }

    /// One kernel tap of a phase: the weight position and the input offset it reads from.
    struct PhaseTap: Sendable, Equatable {
        var kh: Int, kw: Int, dy: Int, dx: Int
    }

    /// The taps of output phase (py, px).
    func phaseTaps(py: Int, px: Int) -> [PhaseTap] {
        // kh contributes to output rows oy with oy + p − kh ≡ 0 (mod s), from input row (oy + p − kh)/s.
        let rows = (0..<kernel).filter { (py + padding - $0) % stride == 0 }
        let columns = (0..<kernel).filter { (px + padding - $0) % stride == 0 }
        return rows.flatMap { kh in
            columns.map { kw in PhaseTap(kh: kh, kw: kw, dy: (py + padding - kh) / stride, dx: (px + padding - kw) / stride) }
        }
    }

    /// A transposed convolution's weights re-laid out for `forward(_:phased:)`: per output
    /// phase a [Cout, Cin·T] matrix, column ci·T + t holding tap t of input channel ci, packed
    /// for `PackedMatrix`. Make them once per weight tensor (at load, or after an optimizer step).
    public struct PhasedWeights: Sendable {
        public let layer: ConvTranspose2d
        let taps: [[PhaseTap]]
        let matrices: [PackedMatrix]
    }

    /// Re-lays `weight` ([Cin, Cout, k, k]) out by phase; the layer must have phases.
    public func phasedWeights(_ weight: Tensor) -> PhasedWeights {
        precondition(hasPhases, "convT k\(kernel) s\(stride) p\(padding) has no stride-phase form")
        precondition(weight.shape == weightShape, "convT weight shape \(weight.shape), expected \(weightShape)")
        var taps: [[PhaseTap]] = []
        var matrices: [PackedMatrix] = []
        for py in 0..<stride {
            for px in 0..<stride {
                let phase = phaseTaps(py: py, px: px)
                let t = phase.count
                let matrix = [Float](unsafeUninitializedCapacity: outChannels * inChannels * t) { m, count in
                    for co in 0..<outChannels {
                        for ci in 0..<inChannels {
                            for (j, tap) in phase.enumerated() {
                                m[(co * inChannels + ci) * t + j] =
                                    weight.data[((ci * outChannels + co) * kernel + tap.kh) * kernel + tap.kw]
                            }
                        }
                    }
                    count = outChannels * inChannels * t
                }
                taps.append(phase)
                matrices.append(PackedMatrix(rowMajor: matrix, rows: outChannels, columns: inChannels * t))
            }
        }
        return PhasedWeights(layer: self, taps: taps, matrices: matrices)
    }

    /// `forward` through the stride-phase form with weights from `phasedWeights`.
    public func forward(_ input: FeatureMap, phased weights: PhasedWeights,
                        columnsBudget: Int = defaultColumnsBudget) -> FeatureMap {
        precondition(weights.layer == self, "phased weights of another layer")
        precondition(input.channels == inChannels, "convT expects \(inChannels) input channels, got \(input.channels)")
        let (h, w, n) = (input.height, input.width, input.batch)
        let (ho, wo) = outputSize(height: h, width: w)
        let plane = h * w
        let outCount = outChannels * n * ho * wo
        let largestTaps = weights.taps.map(\.count).max()!
        let sliceImages = max(1, min(n, columnsBudget / max(1, inChannels * largestTaps * plane)))
        let slices = Array(Swift.stride(from: 0, to: n, by: sliceImages))
        let phaseCount = weights.taps.count
        let output = [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            let outBase = out.baseAddress!
            input.data.withUnsafeBufferPointer { x in
                let xBase = x.baseAddress!
                let tasks = phaseCount * slices.count
                // Several phases or slices: each is a task on one core. One (a stride-1 layer):
                // its unfolding and matrix product are split across the cores instead.
                let body = { (task: Int, split: Bool) in
                    let (phase, first) = (task % phaseCount, slices[task / phaseCount])
                    let images = min(sliceImages, n - first)
                    let taps = weights.taps[phase]
                    let rows = inChannels * taps.count
                    let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * images * plane)
                    defer { columns.deallocate() }
                    Im2col.unfoldShifted(xBase + first * plane, channels: inChannels, images: images,
                                         height: h, width: w, channelStride: n * plane,
                                         offsets: taps.map { ($0.dy, $0.dx) }, into: columns, parallel: split)
                    let matrix = weights.matrices[phase]
                    if stride == 1 {
                        matrix.multiply(columns, n: images * plane, into: outBase + first * plane, ldc: n * plane, parallel: split)
                        return
                    }
                    let result = UnsafeMutablePointer<Float>.allocate(capacity: outChannels * images * plane)
                    defer { result.deallocate() }
                    matrix.multiply(columns, n: images * plane, into: result, parallel: split)
                    let (py, px) = (phase / stride, phase % stride)
                    for co in 0..<outChannels {
                        for image in 0..<images {
                            let src = result + (co * images + image) * plane
                            let dst = outBase + ((co * n + first + image) * ho + py) * wo + px
                            for u in 0..<h {
                                let s = src + u * w, d = dst + u * stride * wo
                                for v in 0..<w { d[v * stride] = s[v] }
                            }
                        }
                    }
                }
                if tasks == 1 {
                    body(0, true)
                } else {
                    Parallel.forEachTask(count: tasks) { body($0, false) }
                }
            }
            initialized = outCount
        }
        return FeatureMap(channels: outChannels, batch: n, height: ho, width: wo, data: output)
    }
}

extension Im2col {
    /// Columns of a same-size convolution with arbitrary tap offsets: row (c, t), column
    /// (n, u, v) holds image[c, n, u + dy_t, v + dx_t], 0 outside the image. `channelStride`
    /// is the distance between channels in `image` (a slice of a larger batch reads in place).
    public static func unfoldShifted(_ image: UnsafePointer<Float>, channels: Int, images: Int,
                                     height: Int, width: Int, channelStride: Int, offsets: [(Int, Int)],
                                     into columns: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let plane = height * width
        let rowLength = images * plane
        let t = offsets.count
        let fill = { (c: Int) in
            for (j, (dy, dx)) in offsets.enumerated() {
                let row = columns + (c * t + j) * rowLength
                let xLow = min(max(-dx, 0), width), xHigh = max(min(width - dx, width), xLow)
                for n in 0..<images {
                    let src = image + c * channelStride + n * plane
                    for u in 0..<height {
                        let dst = row + n * plane + u * width
                        let y = u + dy
                        guard y >= 0 && y < height else {
                            dst.initialize(repeating: 0, count: width)
                            continue
                        }
                        if xLow > 0 { dst.initialize(repeating: 0, count: xLow) }
                        (dst + xLow).initialize(from: src + y * width + xLow + dx, count: xHigh - xLow)
                        if xHigh < width { (dst + xHigh).initialize(repeating: 0, count: width - xHigh) }
                    }
                }
            }
        }
        if parallel {
            Parallel.forEach(count: channels, minimumPerThread: max(1, 16_384 / max(1, t * rowLength)), fill)
        } else {
            for c in 0..<channels { fill(c) }
        }
    }
}
