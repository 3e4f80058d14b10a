import CGif
import QLXIO

/// Animated GIF files through giflib: one frame per image, looping forever. Gray images get a
/// 256-level gray palette (exact); colour images the xterm 256-colour palette (`Palette256`).
public enum GIFWriter {
    /// The GIF file of `frames` (all the same size and channels), each shown
    /// `delayCentiseconds` hundredths of a second.
    public static func encode(_ frames: [RenderImage], delayCentiseconds: Int = 40) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError.invalidImage(reason: "a GIF needs at least one frame") }
        precondition(frames.allSatisfy { $0.width == first.width && $0.height == first.height && $0.channels == first.channels },
                     "GIF frames differ in size")
        let palette: [(UInt8, UInt8, UInt8)] = first.channels == 1
            ? (0...255).map { (UInt8($0), UInt8($0), UInt8($0)) }
            : (0...255).map { ColorQuantizer.rgb(ofIndex: UInt8($0)) }

        let output = Output()
        var error: Int32 = 0
        let unmanaged = Unmanaged.passRetained(output)
        defer { unmanaged.release() }
        guard let gif = EGifOpen(unmanaged.toOpaque(), { gif, bytes, count in
            guard let gif, let bytes, let user = gif.pointee.UserData else { return 0 }
            Unmanaged<Output>.fromOpaque(user).takeUnretainedValue().bytes += UnsafeBufferPointer(start: bytes, count: Int(count))
            return count
        }, &error) else {
            throw RenderError.invalidImage(reason: "giflib: \(message(error))")
        }
        var closed = false
        defer { if !closed { EGifCloseFile(gif, &error) } }
        func check(_ status: Int32, _ what: String) throws {
            guard status == GIF_OK else { throw RenderError.invalidImage(reason: "giflib \(what): \(message(gif.pointee.Error))") }
        }

        EGifSetGifVersion(gif, true)
        let colors = palette.map { GifColorType(Red: $0.0, Green: $0.1, Blue: $0.2) }
        guard let map = colors.withUnsafeBufferPointer({ GifMakeMapObject(256, $0.baseAddress) }) else {
            throw RenderError.invalidImage(reason: "giflib: out of memory")
        }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(gif, Int32(first.width), Int32(first.height), 8, 0, map), "screen")
        // Loop forever (the NETSCAPE2.0 application extension, count 0).
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop")
        try check(Array("NETSCAPE2.0".utf8).withUnsafeBufferPointer { EGifPutExtensionBlock(gif, 11, $0.baseAddress) }, "loop")
        try check([UInt8(1), 0, 0].withUnsafeBufferPointer { EGifPutExtensionBlock(gif, 3, $0.baseAddress) }, "loop")
        try check(EGifPutExtensionTrailer(gif), "loop")

        var control = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false,
                                           DelayTime: Int32(delayCentiseconds), TransparentColor: NO_TRANSPARENT_COLOR)
        var extensionBytes = [UInt8](repeating: 0, count: 4)
        let extensionLength = EGifGCBToExtension(&control, &extensionBytes)
        for frame in frames {
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(extensionLength), extensionBytes), "frame delay")
            try check(EGifPutImageDesc(gif, 0, 0, Int32(frame.width), Int32(frame.height), false, nil), "frame")
            var row = [UInt8](repeating: 0, count: frame.width)
            for y in 0..<frame.height {
                for x in 0..<frame.width {
                    let i = y * frame.width + x
                    if frame.channels == 1 {
                        row[x] = ColorQuantizer.byte(frame.pixels[i])
                    } else {
                        row[x] = Palette256.nearest(ColorQuantizer.byte(frame.pixels[3 * i]), ColorQuantizer.byte(frame.pixels[3 * i + 1]),
                                                    ColorQuantizer.byte(frame.pixels[3 * i + 2]))
                    }
                }
                try check(EGifPutLine(gif, &row, Int32(frame.width)), "row")
            }
        }
        closed = true
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw RenderError.invalidImage(reason: "giflib: \(message(error))") }
        return output.bytes
    }

    /// GIF files ("GIF87a" or "GIF89a"): what a GIF output replaces unless forced.
    public static let fileKind = AtomicFile.Kind(name: "a GIF file", prefixLength: 6) {
        $0 == Array("GIF89a".utf8) || $0 == Array("GIF87a".utf8)
    }

    /// Writes the GIF of `frames` to `path`, atomically; an existing file is replaced only if
    /// it is of `kind` (nil: any file).
    public static func write(_ frames: [RenderImage], delayCentiseconds: Int = 40, to path: String,
                             replacing kind: AtomicFile.Kind? = fileKind) throws {
        try writeAtomically(encode(frames, delayCentiseconds: delayCentiseconds), to: path, replacing: kind)
    }

    private final class Output { var bytes: [UInt8] = [] }

    private static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
