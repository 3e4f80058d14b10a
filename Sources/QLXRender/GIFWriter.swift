import CGif
import CSixel
import QLXIO

/// Animated GIF files through giflib: one frame per image, looping forever. Gray images get a
/// 256-level gray palette (exact); colour images one palette for the whole animation, chosen
/// from all frames together (libsixel's median cut over its high-quality histogram: every
/// shade counts, which the fast one flattens to a few levels), so a colour keeps one entry in every
/// frame and smooth shading keeps up to 256 levels instead of a fixed palette's few.
public enum GIFWriter {
    /// Frames as bytes, one after another: gray levels, or RGB triples. A big figure's
    /// animation is held this way rather than as floats (a quarter of the memory).
    struct ByteFrames {
        var width: Int, height: Int, channels: Int
        var count = 0
        var bytes: [UInt8] = []

        init(width: Int, height: Int, channels: Int) {
            (self.width, self.height, self.channels) = (width, height, channels)
        }

        mutating func append(_ frame: RenderImage) {
            precondition(frame.width == width && frame.height == height && frame.channels == channels, "GIF frames differ in size")
            bytes += frame.pixels.map(ColorQuantizer.byte)
            count += 1
        }
    }

    /// The GIF file of `frames` (all the same size and channels), each shown
    /// `delayCentiseconds` hundredths of a second. Colour frames keep the `exact` colours
    /// (a figure's text and background) as they are, with entries of their own in the palette.
    public static func encode(_ frames: [RenderImage], delayCentiseconds: Int = 40,
                              exact: [(UInt8, UInt8, UInt8)] = []) throws -> [UInt8] {
        guard let first = frames.first else { throw RenderError.invalidImage(reason: "a GIF needs at least one frame") }
        var bytes = ByteFrames(width: first.width, height: first.height, channels: first.channels)
        for frame in frames { bytes.append(frame) }
        return try encode(consume bytes, delayCentiseconds: delayCentiseconds, exact: exact)
    }

    /// `frames` is consumed: its bytes become the palette search's input without a copy.
    static func encode(_ frames: consuming ByteFrames, delayCentiseconds: Int, exact: [(UInt8, UInt8, UInt8)]) throws -> [UInt8] {
        guard frames.count > 0 else { throw RenderError.invalidImage(reason: "a GIF needs at least one frame") }
        var palette: [(UInt8, UInt8, UInt8)] = (0...255).map { (UInt8($0), UInt8($0), UInt8($0)) }
        var indices: [UInt8] = []
        if frames.channels == 3 {
            (palette, indices) = try sharedPalette(&frames, exact: exact)
        } else {
            swap(&indices, &frames.bytes)
        }

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
        try check(EGifPutScreenDesc(gif, Int32(frames.width), Int32(frames.height), 8, 0, map), "screen")
        // Loop forever (the NETSCAPE2.0 application extension, count 0).
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop")
        try check(Array("NETSCAPE2.0".utf8).withUnsafeBufferPointer { EGifPutExtensionBlock(gif, 11, $0.baseAddress) }, "loop")
        try check([UInt8(1), 0, 0].withUnsafeBufferPointer { EGifPutExtensionBlock(gif, 3, $0.baseAddress) }, "loop")
        try check(EGifPutExtensionTrailer(gif), "loop")

        var control = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false,
                                           DelayTime: Int32(delayCentiseconds), TransparentColor: NO_TRANSPARENT_COLOR)
        var extensionBytes = [UInt8](repeating: 0, count: 4)
        let extensionLength = EGifGCBToExtension(&control, &extensionBytes)
        let area = frames.width * frames.height
        for f in 0..<frames.count {
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(extensionLength), extensionBytes), "frame delay")
            try check(EGifPutImageDesc(gif, 0, 0, Int32(frames.width), Int32(frames.height), false, nil), "frame")
            var row = [UInt8](repeating: 0, count: frames.width)
            for y in 0..<frames.height {
                let start = f * area + y * frames.width
                row.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: indices[start..<(start + frames.width)]) }
                try check(EGifPutLine(gif, &row, Int32(frames.width)), "row")
            }
        }
        closed = true
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw RenderError.invalidImage(reason: "giflib: \(message(error))") }
        return output.bytes
    }

    /// One palette of at most 256 colours for every frame (exact when they have no more), and
    /// each frame's pixels as indices into it. The `exact` colours get entries of their own,
    /// so pixels of those colours keep them.
    static func sharedPalette(_ frames: inout ByteFrames, exact: [(UInt8, UInt8, UInt8)] = []) throws
        -> (palette: [(UInt8, UInt8, UInt8)], indices: [UInt8]) {
        precondition(exact.count < 256, "a GIF palette has 256 entries")
        var all: [UInt8] = []
        swap(&all, &frames.bytes)
        var entries = SixelEncoder.exactPalette(all, limit: 256) ?? []
        if entries.isEmpty {
            let reserved = exact.flatMap { [$0.0, $0.1, $0.2] }
            entries = [UInt8](repeating: 0, count: (256 - exact.count) * 3)
            let width = frames.width, height = frames.height * frames.count
            let chosen = qlx_sixel_palette(&all, Int32(width), Int32(height), Int32(256 - exact.count), &entries, 1)
            guard chosen > 0 else { throw RenderError.invalidImage(reason: "libsixel could not choose the GIF's colours") }
            // The exact colours first: the nearest-colour search keeps the first of equals.
            entries = reserved + entries[0..<(Int(chosen) * 3)]
        }
        // Enlarged model pixels repeat: each colour is looked up once.
        var nearest: [UInt32: UInt8] = [:]
        var index: UInt8 = 0
        let indices = (0..<(frames.width * frames.height * frames.count)).map { i -> UInt8 in
            let p = 3 * i
            let key = UInt32(all[p]) << 16 | UInt32(all[p + 1]) << 8 | UInt32(all[p + 2])
            if let known = nearest[key] { return known }
            all.withUnsafeBufferPointer { qlx_sixel_nearest($0.baseAddress! + p, 1, entries, Int32(entries.count / 3), &index) }
            nearest[key] = index
            return index
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

    /// Writes `figure` as a looping animation, atomically like `write`: frame k is its value
    /// column k (`TraversalFigure.column(_:)`) at `scale`, the labels in their exact colours.
    /// Each frame is drawn and kept as bytes in turn, so a large figure's animation needs a
    /// quarter of the memory its frames as floats would. Returns the frames' size and count.
    @discardableResult
    public static func write(animating figure: TraversalFigure, scale: Int, delayCentiseconds: Int = 40, to path: String,
                             replacing kind: AtomicFile.Kind? = fileKind) throws -> (width: Int, height: Int, frames: Int) {
        let g = figure.column(0).geometry(scale: scale)
        var frames = ByteFrames(width: g.width, height: g.height, channels: figure.channels)
        for k in 0..<figure.columnCount { frames.append(figure.column(k).picture(scale: scale)) }
        let size = (width: frames.width, height: frames.height, frames: frames.count)
        try writeAtomically(encode(consume frames, delayCentiseconds: delayCentiseconds, exact: TraversalFigure.labelColours),
                            to: path, replacing: kind)
        return size
    }

    private final class Output { var bytes: [UInt8] = [] }

    private static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
