/// An image as 8-bit bytes at the size a terminal shows it: what the kitty and sixel
/// encoders take. Gray images stay one channel (kitty sends them as gray PNG).
public struct PixelImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (gray) or 3 (RGB), interleaved, row-major.
    public var channels: Int
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3)
                     && bytes.count == width * height * channels, "pixel image \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }

    /// `image` at width × height pixels: each model pixel repeated when the size is a whole
    /// multiple of the image's (sharp pixels), area-averaged otherwise (thumbnails).
    public init(_ image: RenderImage, width: Int, height: Int) {
        precondition(width > 0 && height > 0, "pixel size \(width)×\(height)")
        let c = image.channels
        if width % image.width == 0 && height % image.height == 0 {
            let sx = width / image.width, sy = height / image.height
            var bytes = [UInt8](repeating: 0, count: width * height * c)
            for y in 0..<height {
                let source = (y / sy) * image.width
                for x in 0..<width {
                    let s = (source + x / sx) * c, d = (y * width + x) * c
                    for k in 0..<c { bytes[d + k] = ColorQuantizer.byte(image.pixels[s + k]) }
                }
            }
            self.init(width: width, height: height, channels: c, bytes: bytes)
            return
        }
        let rgb = AreaResampler.resampleRGB(image, width: width, height: height)
        if c == 1 {
            self.init(width: width, height: height, channels: 1,
                      bytes: (0..<width * height).map { ColorQuantizer.byte(rgb[3 * $0]) })
        } else {
            self.init(width: width, height: height, channels: 3, bytes: rgb.map(ColorQuantizer.byte))
        }
    }

    /// The pixels as RGB (gray expanded).
    public var rgbBytes: [UInt8] {
        guard channels == 1 else { return bytes }
        var rgb = [UInt8](repeating: 0, count: bytes.count * 3)
        for (i, v) in bytes.enumerated() { rgb[3 * i] = v; rgb[3 * i + 1] = v; rgb[3 * i + 2] = v }
        return rgb
    }
}
