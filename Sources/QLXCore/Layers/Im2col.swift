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
                            } else if s == 2 {
                                // The encoder's and the transposed convolutions' stride: a constant
                                // stride lets the loop vectorise (even elements by shuffles).
                                for ox in xs { dst[ox] = srcRow[2 &* ox] }
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
                            } else if s == 2 {
                                for ox in xs { dstRow[2 &* ox] += src[ox] }
                            } else {
                                for ox in xs { dstRow[ox * s] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}
