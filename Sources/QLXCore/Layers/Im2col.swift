/// Unfolding of channel-major images into convolution columns and its adjoint.
///
/// Geometry: an image of `channels` × H × W (channel-major over a batch of N, see `FeatureMap`)
/// seen through a k×k window with `stride` and zero `padding` gives Ho × Wo positions. The
/// columns matrix is [channels·k·k, N·Ho·Wo]: row (c, kh, kw), column (n, oy, ox) holds
/// image[c, n, oy·stride − padding + kh, ox·stride − padding + kw] (0 outside the image).
/// `im2col` fills it; `col2im` adds every column entry back onto the pixel it came from,
/// which is the adjoint (used by conv backward and by transposed-conv forward).
public struct WindowGeometry: Sendable, Equatable {
    public var channels: Int
    public var batch: Int
    public var height: Int
    public var width: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(channels: Int, batch: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.channels = channels
        self.batch = batch
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    public var rows: Int { channels * kernel * kernel }
    public var columns: Int { batch * outHeight * outWidth }

    /// The range of output positions `o` whose input coordinate o·stride − padding + offset
    /// falls inside 0..<size.
    @inline(__always)
    func validRange(offset: Int, size: Int, outSize: Int) -> Range<Int> {
        // o·s − p + offset ≥ 0  ⇔  o ≥ ceil((p − offset) / s)
        let lowNumerator = padding - offset
        var low = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        // o·s − p + offset ≤ size − 1  ⇔  o ≤ floor((size − 1 + p − offset) / s)
        let highNumerator = size - 1 + padding - offset
        var high = highNumerator < 0 ? 0 : highNumerator / stride + 1
        low = min(low, outSize)
        high = min(max(high, low), outSize)
        return low..<high
    }
}

public enum Im2col {
    /// Fills `columns` ([rows, columns] of `geometry`) from the channel-major `image`.
    /// `channelStride` is the distance between channels in `image` (default: the geometry's
    /// own batch × plane), so a slice of images of a larger batch can be read in place.
    public static func unfold(_ image: UnsafePointer<Float>, geometry g: WindowGeometry,
                              into columns: UnsafeMutablePointer<Float>, channelStride: Int? = nil) {
        let (ho, wo, k, s, p) = (g.outHeight, g.outWidth, g.kernel, g.stride, g.padding)
        let plane = g.height * g.width
        let rowLength = g.columns
        let channelStride = channelStride ?? g.batch * plane
        if let layout = PhaseLayout(g) {
            unfoldByPhases(image, layout: layout, into: columns, channelStride: channelStride)
            return
        }
        Parallel.forEach(count: g.channels) { c in
            for kh in 0..<k {
                let ys = g.validRange(offset: kh, size: g.height, outSize: ho)
                for kw in 0..<k {
                    let xs = g.validRange(offset: kw, size: g.width, outSize: wo)
                    let row = columns + ((c * k + kh) * k + kw) * rowLength
                    for n in 0..<g.batch {
                        let src = image + c * channelStride + n * plane
                        let dstImage = row + n * ho * wo
                        for oy in 0..<ho {
                            let dst = dstImage + oy * wo
                            guard ys.contains(oy) else {
                                dst.initialize(repeating: 0, count: wo)
                                continue
                            }
                            let srcRow = src + (oy * s - p + kh) * g.width - p + kw
                            if xs.lowerBound > 0 { dst.initialize(repeating: 0, count: xs.lowerBound) }
                            if s == 1 {
                                (dst + xs.lowerBound).initialize(from: srcRow + xs.lowerBound, count: xs.count)
                            } else {
                                for ox in xs { dst[ox] = srcRow[ox * s] }
                            }
                            if xs.upperBound < wo {
                                (dst + xs.upperBound).initialize(repeating: 0, count: wo - xs.upperBound)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `unfold` for a stride s > 1 whose output is the image's size divided by s (the 4×4
    /// stride-2 windows, padding 1, of the encoders and of transposed-convolution backward).
    /// Each image is first split into its s² phase planes, image[ry::s, rx::s]; tap (kh, kw)
    /// then reads one phase plane shifted by whole pixels, so every row of columns is a
    /// contiguous copy (`shiftedPlane`) instead of a strided gather.
    static func unfoldByPhases(_ image: UnsafePointer<Float>, layout: PhaseLayout,
                               into columns: UnsafeMutablePointer<Float>, channelStride: Int) {
        layout.forEachChannel(zeroed: false) { c, phases in
            layout.convert(image: UnsafeMutablePointer(mutating: image + c * channelStride), phases: phases, toPhases: true)
            layout.forEachTap(channel: c) { row, phase, dy, dx in
                shiftedPlane(phases + phase, height: layout.height, width: layout.width, dy: dy, dx: dx, into: columns + row)
            }
        }
    }

    /// How many images of a batch go through at once when each needs `floatsPerImage` floats
    /// of columns and at most `budget` floats may be held: at least 1, at most the batch.
    static func imagesPerSlice(batch: Int, floatsPerImage: Int, budget: Int) -> Int {
        max(1, min(batch, budget / max(1, floatsPerImage)))
    }

    /// (q, r) with a = q·b + r and 0 ≤ r < b (b > 0).
    @inline(__always)
    static func floorDivision(_ a: Int, _ b: Int) -> (quotient: Int, remainder: Int) {
        let r = ((a % b) + b) % b
        return ((a - r) / b, r)
    }

    /// Sets the channel-major `image` to the adjoint of `unfold` applied to `columns`:
    /// every column entry is added onto the pixel it was taken from. `channelStride` is the
    /// distance between channels in `image` (default: the geometry's own batch × plane), so a
    /// slice of images of a larger batch can be written in place.
    public static func fold(_ columns: UnsafePointer<Float>, geometry g: WindowGeometry,
                            into image: UnsafeMutablePointer<Float>, channelStride: Int? = nil) {
        let (ho, wo, k, s, p) = (g.outHeight, g.outWidth, g.kernel, g.stride, g.padding)
        let plane = g.height * g.width
        let rowLength = g.columns
        let channelStride = channelStride ?? g.batch * plane
        if let layout = PhaseLayout(g) {
            foldByPhases(columns, layout: layout, into: image, channelStride: channelStride)
            return
        }
        // Channels are independent, so they split across threads without races.
        Parallel.forEach(count: g.channels) { c in
            (image + c * channelStride).initialize(repeating: 0, count: g.batch * plane)
            for kh in 0..<k {
                let ys = g.validRange(offset: kh, size: g.height, outSize: ho)
                for kw in 0..<k {
                    let xs = g.validRange(offset: kw, size: g.width, outSize: wo)
                    let row = columns + ((c * k + kh) * k + kw) * rowLength
                    for n in 0..<g.batch {
                        let dstImage = image + c * channelStride + n * plane
                        let srcImage = row + n * ho * wo
                        for oy in ys {
                            let src = srcImage + oy * wo
                            let dstRow = dstImage + (oy * s - p + kh) * g.width - p + kw
                            if s == 1 {
                                for ox in xs { dstRow[ox] += src[ox] }
                            } else {
                                for ox in xs { dstRow[ox * s] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `fold` in the layout of `unfoldByPhases`: each tap's row of columns is added, shifted by
    /// whole pixels, onto one phase plane (contiguous adds instead of strided ones), and the
    /// phase planes are then interleaved into the image.
    static func foldByPhases(_ columns: UnsafePointer<Float>, layout: PhaseLayout,
                             into image: UnsafeMutablePointer<Float>, channelStride: Int) {
        layout.forEachChannel(zeroed: true) { c, phases in
            layout.forEachTap(channel: c) { row, phase, dy, dx in
                shiftedAdd(columns + row, height: layout.height, width: layout.width, dy: dy, dx: dx, into: phases + phase)
            }
            layout.convert(image: image + c * channelStride, phases: phases, toPhases: false)
        }
    }

    /// dst[u, v] += src[u − dy, v − dx] over a height × width plane where that is inside: the
    /// adjoint of `shiftedPlane`.
    @inline(__always)
    static func shiftedAdd(_ src: UnsafePointer<Float>, height: Int, width: Int, dy: Int, dx: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        let uLow = min(max(dy, 0), height), uHigh = max(min(height + dy, height), uLow)
        let vLow = min(max(dx, 0), width), vHigh = max(min(width + dx, width), vLow)
        guard vHigh > vLow else { return }
        for u in uLow..<uHigh {
            let d = dst + u * width, from = src + (u - dy) * width - dx
            for v in vLow..<vHigh { d[v] += from[v] }
        }
    }
}

/// One channel of a batch split into phase planes, for `Im2col.unfoldByPhases` and
/// `foldByPhases`: image n's plane (height·s × width·s) becomes s² planes of height × width,
/// phase (ry, rx) at n·plane + (ry·s + rx)·height·width holding pixels (a·s + ry, b·s + rx).
struct PhaseLayout {
    let geometry: WindowGeometry
    let stride: Int, height: Int, width: Int

    /// The layout of a window whose stride s > 1 divides the image and whose output is the
    /// image divided by s (the 4×4 stride-2 windows, padding 1); nil for any other window.
    init?(_ g: WindowGeometry) {
        let s = g.stride
        guard s > 1 && g.height % s == 0 && g.width % s == 0
              && g.outHeight == g.height / s && g.outWidth == g.width / s else { return nil }
        geometry = g
        stride = g.stride
        height = g.height / g.stride
        width = g.width / g.stride
    }

    var plane: Int { geometry.height * geometry.width }
    var channelCount: Int { geometry.batch * plane }

    /// Calls `body(c, phases)` for every channel c, the channels split across cores, each with
    /// its own buffer of `channelCount` floats (zeros when `zeroed`).
    func forEachChannel(zeroed: Bool, _ body: (_ channel: Int, _ phases: UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forEach(count: geometry.channels) { c in
            let phases = UnsafeMutablePointer<Float>.allocate(capacity: channelCount)
            defer { phases.deallocate() }
            if zeroed { phases.initialize(repeating: 0, count: channelCount) }
            body(c, phases)
        }
    }

    /// Splits a channel's images into their phase planes (`toPhases`) or interleaves the
    /// phase planes back into the images.
    func convert(image: UnsafeMutablePointer<Float>, phases: UnsafeMutablePointer<Float>, toPhases: Bool) {
        let s = stride
        for n in 0..<geometry.batch {
            for ry in 0..<s {
                for a in 0..<height {
                    let row = image + n * plane + (a * s + ry) * geometry.width
                    for rx in 0..<s {
                        let phaseRow = phases + n * plane + ((ry * s + rx) * height + a) * width
                        // Constant strides for the common s = 2, so the loops vectorise.
                        switch (toPhases, s) {
                        case (true, 2): for b in 0..<width { phaseRow[b] = row[2 &* b &+ rx] }
                        case (false, 2): for b in 0..<width { row[2 &* b &+ rx] = phaseRow[b] }
                        case (true, _): for b in 0..<width { phaseRow[b] = row[b * s + rx] }
                        case (false, _): for b in 0..<width { row[b * s + rx] = phaseRow[b] }
                        }
                    }
                }
            }
        }
    }

    /// For each tap (kh, kw) of the window and each image n of channel c: the offset of its
    /// row of columns (columns of image n), the offset of the phase plane it reads, and the
    /// whole-pixel shift: tap (kh, kw) at output (o_y, o_x) reads image pixel
    /// (o_y·s − p + kh, o_x·s − p + kw) = ((o_y + dy)·s + ry, (o_x + dx)·s + rx).
    func forEachTap(channel c: Int, _ body: (_ row: Int, _ phase: Int, _ dy: Int, _ dx: Int) -> Void) {
        let (k, p) = (geometry.kernel, geometry.padding)
        for kh in 0..<k {
            let (dy, ry) = Im2col.floorDivision(kh - p, stride)
            for kw in 0..<k {
                let (dx, rx) = Im2col.floorDivision(kw - p, stride)
                let row = ((c * k + kh) * k + kw) * geometry.columns
                for n in 0..<geometry.batch {
                    body(row + n * height * width, n * plane + (ry * stride + rx) * height * width, dy, dx)
                }
            }
        }
    }
}
