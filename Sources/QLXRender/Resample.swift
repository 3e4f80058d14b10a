/// Area-average resampling: every output pixel is the mean of the source area it covers,
/// with partial source pixels weighted by the fraction covered. Separable (rows, then
/// columns), so the cost is linear in the pixel counts; enlarging degrades to nearest
/// neighbour with blended seams.
enum AreaResampler {
    /// For one axis, the source pixels each output pixel covers and their weights (sum 1).
    struct AxisWeights {
        var starts: [Int]
        var counts: [Int]
        var offsets: [Int]     // into `weights`
        var weights: [Float]

        init(source n: Int, output m: Int) {
            precondition(n > 0 && m > 0)
            starts = []; counts = []; offsets = []; weights = []
            starts.reserveCapacity(m); counts.reserveCapacity(m); offsets.reserveCapacity(m)
            let scale = Double(n) / Double(m)
            weights.reserveCapacity(m * (Int(scale.rounded(.up)) + 1))
            for o in 0..<m {
                let lo = Double(o) * scale, hi = Double(o + 1) * scale
                let first = Int(lo.rounded(.down))
                let last = min(n - 1, Int(hi.rounded(.up)) - 1)
                starts.append(first)
                offsets.append(weights.count)
                var count = 0
                for i in first...max(first, last) {
                    let covered = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if covered <= 0 && count > 0 { continue }
                    weights.append(Float(max(covered, 0) / (hi - lo)))
                    count += 1
                }
                counts.append(count)
            }
        }
    }

    /// Resamples `image` to width × height pixels and returns them as interleaved RGB
    /// (gray images are expanded), clamped to [0, 1]. Columns first: each output row is a
    /// weighted sum of whole source rows (contiguous, so it vectorises), then each row is
    /// resampled horizontally, with a loop per channel count so the inner loops stay simple.
    static func resampleRGB(_ image: RenderImage, width: Int, height: Int) -> [Float] {
        let xs = AxisWeights(source: image.width, output: width)
        let ys = AxisWeights(source: image.height, output: height)
        let c = image.channels, rowLength = image.width * image.channels
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: height * rowLength)
        defer { mid.deallocate() }
        mid.initialize(repeating: 0, count: height * rowLength)
        image.pixels.withUnsafeBufferPointer { src in
            ys.weights.withUnsafeBufferPointer { yw in
                // Vertical pass: height rows of the source's width.
                for y in 0..<height {
                    let start = ys.starts[y], offset = ys.offsets[y], target = mid + y * rowLength
                    for k in 0..<ys.counts[y] {
                        let weight = yw[offset + k], source = src.baseAddress! + (start + k) * rowLength
                        for i in 0..<rowLength { target[i] += weight * source[i] }
                    }
                }
            }
        }
        return [Float](unsafeUninitializedCapacity: width * height * 3) { out, initialized in
            xs.starts.withUnsafeBufferPointer { starts in
            xs.counts.withUnsafeBufferPointer { counts in
            xs.offsets.withUnsafeBufferPointer { offsets in
            xs.weights.withUnsafeBufferPointer { xw in
                // Horizontal pass, writing RGB.
                for y in 0..<height {
                    let row = mid + y * rowLength, dst = out.baseAddress! + y * width * 3
                    for x in 0..<width {
                        let source = row + starts[x] * c, weights = xw.baseAddress! + offsets[x], count = counts[x]
                        if c == 1 {
                            var sum: Float = 0
                            for k in 0..<count { sum += weights[k] * source[k] }
                            let v = min(max(sum, 0), 1)
                            dst[3 * x] = v; dst[3 * x + 1] = v; dst[3 * x + 2] = v
                        } else {
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            for k in 0..<count {
                                r += weights[k] * source[3 * k]
                                g += weights[k] * source[3 * k + 1]
                                b += weights[k] * source[3 * k + 2]
                            }
                            dst[3 * x] = min(max(r, 0), 1); dst[3 * x + 1] = min(max(g, 0), 1); dst[3 * x + 2] = min(max(b, 0), 1)
                        }
                    }
                }
            }
            }
            }
            }
            initialized = width * height * 3
        }
    }
}

/// Ordered dithering with the 4×4 Bayer matrix: adds a position-dependent offset in
/// (−amplitude/2, amplitude/2) so that quantisation steps of about `amplitude` average out.
enum BayerDither {
    static let matrix: [Float] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]

    static func offset(x: Int, y: Int) -> Float {
        (matrix[(y & 3) * 4 + (x & 3)] + 0.5) / 16 - 0.5
    }

    static func apply(to rgb: inout [Float], width: Int, height: Int, amplitude: Float) {
        guard amplitude > 0 else { return }
        for y in 0..<height {
            for x in 0..<width {
                let d = offset(x: x, y: y) * amplitude
                let o = (y * width + x) * 3
                for ch in 0..<3 { rgb[o + ch] = min(max(rgb[o + ch] + d, 0), 1) }
            }
        }
    }
}
