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
/// Decoding goes one step further: its phased weights are also packed (`PackedMatrix`), and
/// every layer with phases takes them (`prefersPackedPhases`) unless it takes Winograd's form
/// (ConvTranspose2d+Winograd.swift).
extension ConvTranspose2d {
    /// Whether `forward` can run as stride-phase convolutions (output = stride × input).
    public var hasPhases: Bool { kernel == stride + 2 * padding }

    /// Whether `forward` takes the stride-phase form on a `height`×`width` input: where the
    /// layer has one, unless it narrows its channels (Cin > Cout) with a map its weights do not
    /// outweigh. The phase form's im2col columns (Cin·k² rows per input pixel) then outgrow the
    /// col2im form's (Cout·k²), which is the faster there; but a stride-2 layer whose weights
    /// outweigh its map (Cin ≥ 4·H·W) keeps the phase form, since the col2im form re-packs its
    /// weights transposed on every call. `qlx bench --only layers` times both forms.
    public func prefersPhases(height: Int, width: Int) -> Bool {
        hasPhases && !isPointwise && (inChannels <= outChannels || (stride > 1 && inChannels >= 4 * height * width))
    }

    /// Whether decoding, with weights packed once per parameter set, takes the stride-phase
    /// form: wherever the layer has one. The packed product writes the output directly, so a
    /// layer narrowing its channels no longer pays OpenBLAS's re-packing for its larger
    /// columns, and skips the col2im form's fold. Training (weights new every step, batch 64:
    /// wide products where OpenBLAS's threads are the faster) keeps `prefersPhases`.
    public var prefersPackedPhases: Bool { hasPhases && !isPointwise }

    /// Products at least this wide go to OpenBLAS even with packed weights: there its kernel
    /// outruns the packed one, and packing its share of the weights costs little against the
    /// columns (`qlx bench --only architectures` at batch 10 and 100 shows the difference).
    static let packedColumnsLimit = 1024

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
    /// phase a row-major [Cout, Cin·T] matrix, column ci·T + t holding tap t of input channel ci,
    /// for OpenBLAS, or the same matrices packed (`PackedMatrix`). Make them once per weight
    /// tensor (at load, or after an optimizer step).
    public struct PhasedWeights: Sendable {
        public let layer: ConvTranspose2d
        let taps: [[PhaseTap]]
        let matrices: [[Float]]
        let packed: [PackedMatrix]?
    }

    /// Re-lays `weight` ([Cin, Cout, k, k]) out by phase, packed or for OpenBLAS; the layer
    /// must have phases.
    public func phasedWeights(_ weight: Tensor, packed: Bool = false) -> PhasedWeights {
        precondition(hasPhases, "convT k\(kernel) s\(stride) p\(padding) has no stride-phase form")
        precondition(weight.shape == weightShape, "convT weight shape \(weight.shape), expected \(weightShape)")
        var taps: [[PhaseTap]] = []
        var matrices: [[Float]] = []
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
                matrices.append(matrix)
            }
        }
        guard packed else { return PhasedWeights(layer: self, taps: taps, matrices: matrices, packed: nil) }
        let packedMatrices = zip(matrices, taps).map { PackedMatrix(rowMajor: $0, rows: outChannels, columns: inChannels * $1.count) }
        return PhasedWeights(layer: self, taps: taps, matrices: matrices, packed: packedMatrices)
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
        let sliceImages = Im2col.imagesPerSlice(batch: n, floatsPerImage: inChannels * largestTaps * plane, budget: columnsBudget)
        let slices = Array(Swift.stride(from: 0, to: n, by: sliceImages))
        let phaseCount = weights.taps.count
        let output = [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            let outBase = out.baseAddress!
            input.data.withUnsafeBufferPointer { x in
                let xBase = x.baseAddress!
                let tasks = phaseCount * slices.count
                // Several phases or slices: each is a task with single-threaded BLAS. One (a
                // stride-1 layer): its matrix product is split into blocks instead.
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
                    if let packed = weights.packed?[phase], images * plane < Self.packedColumnsLimit {
                        if stride == 1 {
                            packed.multiply(columns, n: images * plane, into: outBase + first * plane, ldc: n * plane, parallel: split)
                        } else {
                            let result = UnsafeMutablePointer<Float>.allocate(capacity: outChannels * images * plane)
                            defer { result.deallocate() }
                            packed.multiply(columns, n: images * plane, into: result, parallel: split)
                            scatter(result, phase: phase, images: images, into: outBase, firstImage: first, batch: n, height: h, width: w)
                        }
                        return
                    }
                    weights.matrices[phase].withUnsafeBufferPointer { m in
                        if stride == 1 {
                            if split {
                                Gemm.multiplyInBlocks(m.baseAddress!, columns, into: outBase + first * plane,
                                                      m: outChannels, n: images * plane, k: rows, ldc: n * plane)
                            } else {
                                Gemm.multiply(m.baseAddress!, columns, into: outBase + first * plane,
                                              m: outChannels, n: images * plane, k: rows, ldc: n * plane)
                            }
                            return
                        }
                        let result = UnsafeMutablePointer<Float>.allocate(capacity: outChannels * images * plane)
                        defer { result.deallocate() }
                        Gemm.multiply(m.baseAddress!, columns, into: result, m: outChannels, n: images * plane, k: rows)
                        scatter(result, phase: phase, images: images, into: outBase, firstImage: first, batch: n, height: h, width: w)
                    }
                }
                if tasks == 1 {
                    body(0, true)
                } else {
                    Gemm.withSingleThread {
                        Parallel.forEachTask(count: tasks) { body($0, false) }
                    }
                }
            }
            initialized = outCount
        }
        return FeatureMap(channels: outChannels, batch: n, height: ho, width: wo, data: output)
    }
}

extension ConvTranspose2d {
    /// Writes one phase's result (Cout, images, H, W) to its pixels (s·u + py, s·v + px) of the
    /// output (Cout, batch, s·H, s·W), images from `firstImage` on.
    func scatter(_ result: UnsafePointer<Float>, phase: Int, images: Int, into output: UnsafeMutablePointer<Float>,
                 firstImage: Int, batch n: Int, height h: Int, width w: Int) {
        let (py, px) = (phase / stride, phase % stride)
        let (ho, wo, plane) = (h * stride, w * stride, h * w)
        for co in 0..<outChannels {
            for image in 0..<images {
                let src = result + (co * images + image) * plane
                let dst = output + ((co * n + firstImage + image) * ho + py) * wo + px
                for u in 0..<h {
                    let s = src + u * w, d = dst + u * stride * wo
                    for v in 0..<w { d[v * stride] = s[v] }
                }
            }
        }
    }
}

extension Im2col {
    /// dst[u, v] = src[u + dy, v + dx] over a height × width plane, 0 where that falls outside.
    @inline(__always)
    static func shiftedPlane(_ src: UnsafePointer<Float>, height: Int, width: Int, dy: Int, dx: Int,
                             into dst: UnsafeMutablePointer<Float>) {
        // Rows u whose source row u + dy is inside the plane; the others are zeros.
        let uLow = min(max(-dy, 0), height), uHigh = max(min(height - dy, height), uLow)
        let shift = min(abs(dx), width)
        if uLow > 0 { dst.initialize(repeating: 0, count: uLow * width) }
        if uHigh < height { (dst + uHigh * width).initialize(repeating: 0, count: (height - uHigh) * width) }
        guard uHigh > uLow else { return }
        // The valid rows as one block shifted by dx (one copy instead of one per row), then the
        // |dx| columns per row that the shift brought in from a neighbouring row (or past the
        // block) set to zero.
        let span = (uHigh - uLow) * width - shift
        let block = dst + uLow * width
        if span > 0 {
            if dx >= 0 {
                block.initialize(from: src + (uLow + dy) * width + shift, count: span)
            } else {
                (block + shift).initialize(from: src + (uLow + dy) * width, count: span)
            }
        }
        guard shift > 0 else { return }
        for u in 0..<(uHigh - uLow) {
            let edge = dx > 0 ? block + u * width + width - shift : block + u * width
            edge.initialize(repeating: 0, count: shift)
        }
    }

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
                for n in 0..<images {
                    shiftedPlane(image + c * channelStride + n * plane, height: height, width: width, dy: dy, dx: dx,
                                 into: row + n * plane)
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
