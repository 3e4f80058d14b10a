import CGif
import CSixel
import QLXIO

/// Animated GIF files through giflib: one frame per image, looping forever. Gray images get a
/// 256-level gray palette (exact); colour images one palette for the whole animation, chosen
/// from all frames together (libsixel's median cut over its high-quality histogram: every
/// shade counts, which the fast one flattens to a few levels), so a colour keeps one entry in every
/// frame and smooth shading keeps up to 256 levels instead of a fixed palette's few.
public enum GIFWriter {
    /// The GIF file of `frames` (all the same size and channels), each shown
    /// `delayCentiseconds` hundredths of a second. Colour frames keep the `exact` colours
    /// (a figure's text and background) as they are, with entries of their own in the palette.
    public static func encode(_ frames: [RenderImage], delayCentiseconds: Int = 40,
                              exact: [(UInt8, UInt8, UInt8)] = []) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError.invalidImage(reason: "a GIF needs at least one frame") }
        precondition(frames.allSatisfy { $0.width == first.width && $0.height == first.height && $0.channels == first.channels },
                     "GIF frames differ in size")
        var palette: [(UInt8, UInt8, UInt8)] = (0...255).map { (UInt8($0), UInt8($0), UInt8($0)) }
        var indices: [[UInt8]] = []
        if first.channels == 3 { (palette, indices) = try sharedPalette(frames, exact: exact) }

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
        for (f, frame) in frames.enumerated() {
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(extensionLength), extensionBytes), "frame delay")
            try check(EGifPutImageDesc(gif, 0, 0, Int32(frame.width), Int32(frame.height), false, nil), "frame")
            var row = [UInt8](repeating: 0, count: frame.width)
            for y in 0..<frame.height {
                for x in 0..<frame.width {
                    let i = y * frame.width + x
                    row[x] = frame.channels == 1 ? ColorQuantizer.byte(frame.pixels[i]) : indices[f][i]
                }
                try check(EGifPutLine(gif, &row, Int32(frame.width)), "row")
            }
        }
        closed = true
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw RenderError.invalidImage(reason: "giflib: \(message(error))") }
        return output.bytes
    }

    /// One palette of at most 256 colours for every frame (exact when they have no more), and
    /// each frame's pixels as indices into it. The `exact` colours get entries of their own,
    /// so pixels of those colours keep them.
    static func sharedPalette(_ frames: [RenderImage], exact: [(UInt8, UInt8, UInt8)] = []) throws
        -> (palette: [(UInt8, UInt8, UInt8)], indices: [[UInt8]]) {
        precondition(exact.count < 256, "a GIF palette has 256 entries")
        var all: [UInt8] = []
        for frame in frames { all += frame.pixels.map(ColorQuantizer.byte) }
        var entries = SixelEncoder.exactPalette(all, limit: 256) ?? []
        if entries.isEmpty {
            let reserved = exact.flatMap { [$0.0, $0.1, $0.2] }
            entries = [UInt8](repeating: 0, count: (256 - exact.count) * 3)
            let width = frames[0].width, height = frames[0].height * frames.count
            let chosen = qlx_sixel_palette(&all, Int32(width), Int32(height), Int32(256 - exact.count), &entries, 1)
            guard chosen > 0 else { throw RenderError.invalidImage(reason: "libsixel could not choose the GIF's colours") }
            // The exact colours first: the nearest-colour search keeps the first of equals.
            entries = reserved + entries[0..<(Int(chosen) * 3)]
        }
        // Enlarged model pixels repeat: each colour is looked up once.
        var nearest: [UInt32: UInt8] = [:]
        var index: UInt8 = 0
        let indices = frames.indices.map { f -> [UInt8] in
            let count = frames[f].width * frames[f].height, base = f * count * 3
            return (0..<count).map { i in
                let p = base + 3 * i
                let key = UInt32(all[p]) << 16 | UInt32(all[p + 1]) << 8 | UInt32(all[p + 2])
                if let known = nearest[key] { return known }
                all.withUnsafeBufferPointer { qlx_sixel_nearest($0.baseAddress! + p, 1, entries, Int32(entries.count / 3), &index) }
                nearest[key] = index
                return index
            }
        }
        var palette = stride(from: 0, to: entries.count, by: 3).map { (entries[$0], entries[$0 + 1], entries[$0 + 2]) }
        palette += Array(repeating: (0, 0, 0), count: 256 - palette.count)
        return (palette, indices)
    }

    /// GIF files ("GIF87a" or "GIF89a"): what a GIF output replaces unless forced.
    public static let fileKind = AtomicFile.Kind(name: "a GIF file", prefixLength: 6) {
        $0 == Array("GIF89a".utf8) || $0 == Array("GIF87a".utf8)
    }

    /// Writes the GIF of `frames` to `path`, atomically; an existing file is replaced only if
    /// it is of `kind` (nil: any file).
    public static func write(_ frames: [RenderImage], delayCentiseconds: Int = 40, exact: [(UInt8, UInt8, UInt8)] = [],
                             to path: String, replacing kind: AtomicFile.Kind? = fileKind) throws {
        try writeAtomically(encode(frames, delayCentiseconds: delayCentiseconds, exact: exact), to: path, replacing: kind)
    }

    /// The frames of a figure's animation: frame k is its value column k (`column(_:)`), with
    /// the figure's labels in their exact colours.
    public static func frames(animating figure: TraversalFigure, scale: Int) -> [RenderImage] {
        (0..<figure.columnCount).map { figure.column($0).picture(scale: scale) }
    }

    /// Writes `figure` as a looping animation (`frames(animating:scale:)`), like `write`.
    public static func write(animating figure: TraversalFigure, scale: Int, to path: String,
                             replacing kind: AtomicFile.Kind? = fileKind) throws {
        try write(frames(animating: figure, scale: scale), exact: TraversalFigure.labelColours, to: path, replacing: kind)
    }

    private final class Output { var bytes: [UInt8] = [] }

    private static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
