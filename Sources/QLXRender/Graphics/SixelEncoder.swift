import CSixel
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Sixel images through libsixel. Gray images use a 256-gray palette and colour images
/// their own colours when they have at most `colorRegisters` (both exact); otherwise libsixel
/// picks the colours (median cut) and diffuses the error.
public enum SixelEncoder {
    /// One DCS sixel sequence for `image`. `colorRegisters` is the terminal's palette size
    /// (xterm's vt340 emulation has 16 unless configured; most others 256).
    public static func encode(_ image: PixelImage, colorRegisters: Int = 256) throws -> String {
        let registers = min(max(colorRegisters, 2), 256)
        var pixels = image.rgbBytes
        var palette: [UInt8]?
        if image.channels == 1 && registers >= 256 {
            palette = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        } else {
            var seen = Set<UInt32>(), colors: [UInt8] = []
            var i = 0
            while i < pixels.count && seen.count <= registers {
                let key = UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2])
                if seen.insert(key).inserted { colors += pixels[i..<i + 3] }
                i += 3
            }
            if seen.count <= registers { palette = colors }
        }
        var buffer = qlx_sixel_buffer(data: nil, size: 0, capacity: 0, failed: 0)
        defer { free(buffer.data) }
        let status: Int32 = pixels.withUnsafeMutableBufferPointer { p in
            if var palette {
                let count = Int32(palette.count / 3)
                return palette.withUnsafeMutableBufferPointer {
                    qlx_sixel_encode_rgb(p.baseAddress, Int32(image.width), Int32(image.height), $0.baseAddress, count, &buffer)
                }
            }
            return qlx_sixel_encode_rgb(p.baseAddress, Int32(image.width), Int32(image.height), nil, Int32(registers), &buffer)
        }
        guard status == 0, let data = buffer.data else {
            throw RenderError.invalidImage(reason: "libsixel could not encode a \(image.width)×\(image.height) image (status \(status))")
        }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(buffer.size)), as: UTF8.self)
    }

    /// One DCS sixel sequence for `image` shown at `width` × `height` pixels, quantised where it
    /// is smallest: at a whole multiple of the image's size the colours are chosen and mapped at
    /// the image's own pixels (a 64×64 model image: 4,096 pixels, not the 200,000 of its 7×
    /// enlargement) and the indices repeated; otherwise at the shown size. Exact when the
    /// colours fit the registers (256 grays for gray images), else libsixel's median cut
    /// without diffusion, so enlarged pixels stay flat.
    public static func encode(_ image: RenderImage, width: Int, height: Int, colorRegisters: Int = 256) throws -> String {
        let registers = min(max(colorRegisters, 2), 256)
        let wholeMultiple = width % image.width == 0 && height % image.height == 0
        let source = wholeMultiple ? PixelImage(image, width: image.width, height: image.height)
                                   : PixelImage(image, width: width, height: height)
        let scaleX = width / source.width, scaleY = height / source.height
        var palette: [UInt8]
        var indices: [UInt8]
        if source.channels == 1 && registers >= 256 {
            palette = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
            indices = source.bytes
        } else {
            let rgb = source.rgbBytes
            let count = source.width * source.height
            palette = exactPalette(rgb, limit: registers) ?? []
            if palette.isEmpty {
                palette = [UInt8](repeating: 0, count: registers * 3)
                var pixels = rgb
                let chosen = qlx_sixel_palette(&pixels, Int32(source.width), Int32(source.height), Int32(registers), &palette, 0)
                guard chosen > 0 else {
                    throw RenderError.invalidImage(reason: "libsixel could not choose colours for a \(source.width)×\(source.height) image")
                }
                palette.removeSubrange(Int(chosen) * 3..<palette.count)
            }
            indices = [UInt8](repeating: 0, count: count)
            qlx_sixel_nearest(rgb, Int32(count), palette, Int32(palette.count / 3), &indices)
        }
        if scaleX > 1 || scaleY > 1 {
            // One enlarged row per source row, copied scaleY times.
            var enlarged = [UInt8](repeating: 0, count: width * height)
            enlarged.withUnsafeMutableBufferPointer { out in
                indices.withUnsafeBufferPointer { source in
                    for sy in 0..<(height / scaleY) {
                        let first = sy * scaleY * width
                        for sx in 0..<(width / scaleX) {
                            let value = source[sy * (width / scaleX) + sx]
                            for k in 0..<scaleX { out[first + sx * scaleX + k] = value }
                        }
                        for copy in 1..<scaleY {
                            (out.baseAddress! + first + copy * width).update(from: out.baseAddress! + first, count: width)
                        }
                    }
                }
            }
            indices = enlarged
        }
        var buffer = qlx_sixel_buffer(data: nil, size: 0, capacity: 0, failed: 0)
        defer { free(buffer.data) }
        let status = qlx_sixel_encode_indexed(&indices, Int32(width), Int32(height), &palette, Int32(palette.count / 3), &buffer)
        guard status == 0, let data = buffer.data else {
            throw RenderError.invalidImage(reason: "libsixel could not encode a \(width)×\(height) image (status \(status))")
        }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(buffer.size)), as: UTF8.self)
    }

    /// The distinct colours of RGB `pixels` when there are at most `limit`, else nil.
    static func exactPalette(_ pixels: [UInt8], limit: Int) -> [UInt8]? {
        var seen = Set<UInt32>(), colors: [UInt8] = []
        var i = 0
        while i < pixels.count {
            let key = UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2])
            if seen.insert(key).inserted {
                if seen.count > limit { return nil }
                colors += pixels[i..<i + 3]
            }
            i += 3
        }
        return colors
    }

    /// Decodes a sixel sequence back to RGB pixels with libsixel's decoder (the tests' check
    /// of `encode`).
    public static func decode(_ sequence: String) throws -> PixelImage {
        var bytes = Array(sequence.utf8)
        let size = Int32(bytes.count)
        var pixels: UnsafeMutablePointer<UInt8>?, palette: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, colors: Int32 = 0
        let status = qlx_sixel_decode(&bytes, size, &pixels, &width, &height, &palette, &colors)
        defer { free(pixels); free(palette) }
        guard status == 0, let pixels, let palette, width > 0, height > 0 else {
            throw RenderError.invalidImage(reason: "libsixel could not decode the sixel data (status \(status))")
        }
        var rgb = [UInt8](repeating: 0, count: Int(width * height) * 3)
        for i in 0..<Int(width * height) {
            let index = Int(pixels[i])
            for k in 0..<3 { rgb[3 * i + k] = palette[3 * index + k] }
        }
        return PixelImage(width: Int(width), height: Int(height), channels: 3, bytes: rgb)
    }
}
