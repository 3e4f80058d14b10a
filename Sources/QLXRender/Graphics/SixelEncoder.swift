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
