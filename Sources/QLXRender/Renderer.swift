/// Draws images as grids of character cells. Pure: no terminal I/O (see ANSI for that).
///
/// Pipeline: area-average the image onto the mode's pixel grid (cells × pixels per cell),
/// optionally add ordered dither, then choose each cell's character and colours.
public enum Renderer {
    /// A character cell is about twice as tall as it is wide.
    public static let cellAspect: Double = 2

    /// The largest cell size within `box` that shows the image undistorted, at least 1×1.
    /// The aspect ratio is physical, so it is the same for every mode; `mode` is accepted so
    /// callers need not care whether a mode ever changes that.
    public static func fitCells(imageWidth: Int, imageHeight: Int, box: (width: Int, height: Int),
                                mode: RenderMode) -> (width: Int, height: Int) {
        precondition(imageWidth > 0 && imageHeight > 0, "image size \(imageWidth)×\(imageHeight)")
        guard box.width > 0, box.height > 0 else { return (max(box.width, 0), max(box.height, 0)) }
        // Cells high per cell wide for this image.
        let rowsPerColumn = Double(imageHeight) / (Double(imageWidth) * cellAspect)
        let heightAtFullWidth = Double(box.width) * rowsPerColumn
        if heightAtFullWidth.rounded() <= Double(box.height) {
            return (box.width, max(1, Int(heightAtFullWidth.rounded())))
        }
        let widthAtFullHeight = Double(box.height) / rowsPerColumn
        return (min(box.width, max(1, Int(widthAtFullHeight.rounded()))), box.height)
    }

    /// Draws `image` stretched over exactly width × height cells (use fitCells to keep its
    /// aspect ratio).
    public static func render(_ image: RenderImage, width: Int, height: Int, options: RenderOptions) -> CellGrid {
        guard width > 0, height > 0 else { return CellGrid(width: max(width, 0), height: max(height, 0)) }
        let (px, py) = options.mode.pixelsPerCell
        let pw = width * px, ph = height * py
        var rgb = AreaResampler.resampleRGB(image, width: pw, height: ph)
        if options.colors == .none { stretchLuminance(&rgb) }
        if options.dither {
            BayerDither.apply(to: &rgb, width: pw, height: ph, amplitude: ditherAmplitude(options))
        }
        let pixels = PixelGrid(rgb: rgb, width: pw)
        switch options.mode {
        case .halfBlock:
            return HalfBlockSolver.draw(pixels, width: width, height: height, colors: options.colors)
        case .ascii, .asciiInverted:
            return RampSolver.draw(pixels, width: width, height: height, colors: options.colors,
                                   inverted: options.mode == .asciiInverted)
        case .quadrant, .sextant:
            var grid = CellGrid(width: width, height: height)
            BlockSolver.draw(pixels, into: &grid, colors: options.colors,
                             symbols: options.mode == .quadrant ? .quadrants : .sextants)
            return grid
        }
    }

    /// Without colour, only the characters tell pixels apart, and they have five to ten
    /// levels: a colour image whose luminance spans 0.15–0.35 (a coloured object on a dark
    /// ground), or a thumbnail whose area averages pull every pixel towards the mean, lands in
    /// one level and shows as a flat shade. So each image's luminance is stretched to fill
    /// [0, 1], and the pixels become that gray (only luminance is drawn without colour;
    /// stretching the channels instead would clip them and reorder luminances). Images
    /// already spanning black to white (binary sprites) are unchanged; a (nearly) uniform
    /// image stays as it is rather than have its noise blown up.
    static func stretchLuminance(_ rgb: inout [Float]) {
        var low = Float.infinity, high = -Float.infinity
        var i = 0
        while i + 2 < rgb.count {
            let l = ColorQuantizer.luminance(rgb[i], rgb[i + 1], rgb[i + 2])
            low = min(low, l); high = max(high, l)
            i += 3
        }
        guard high - low >= 1.0 / 64, high - low < 1 else { return }
        let scale = 1 / (high - low)
        i = 0
        while i + 2 < rgb.count {
            let l = min(1, max(0, (ColorQuantizer.luminance(rgb[i], rgb[i + 1], rgb[i + 2]) - low) * scale))
            rgb[i] = l; rgb[i + 1] = l; rgb[i + 2] = l
            i += 3
        }
    }

    /// The dither strength: about one quantisation step of whatever is coarsest, the palette
    /// or (without colour) the set of characters.
    static func ditherAmplitude(_ options: RenderOptions) -> Float {
        switch options.colors {
        case .trueColor: return 0
        case .palette256: return 40.0 / 255
        case .palette16, .palette8: return 0.5
        case .none:
            switch options.mode {
            case .halfBlock: return 0.25
            case .ascii, .asciiInverted: return 1 / Float(RampSolver.ramp.count - 1)
            case .quadrant, .sextant: return 1
            }
        }
    }
}

/// Resampled pixels, interleaved RGB in [0, 1].
struct PixelGrid {
    let rgb: [Float]
    let width: Int

    @inline(__always)
    func color(_ x: Int, _ y: Int) -> (Float, Float, Float) {
        let o = (y * width + x) * 3
        return (rgb[o], rgb[o + 1], rgb[o + 2])
    }

    /// Every pixel has equal channels.
    var isGray: Bool {
        var i = 0
        while i < rgb.count {
            if rgb[i] != rgb[i + 1] || rgb[i + 1] != rgb[i + 2] { return false }
            i += 3
        }
        return true
    }

    @inline(__always)
    func luminance(_ x: Int, _ y: Int) -> Float {
        let (r, g, b) = color(x, y)
        return ColorQuantizer.luminance(r, g, b)
    }
}

/// Half blocks: ▄ with foreground = lower pixel and background = upper pixel (▄ rather than
/// ▀ because some fonts draw ▀ with a gap); a space with a background when both halves
/// quantise alike.
///
/// Without colour there is only the terminal's ink, so each cell takes the character whose
/// ink coverage of the two halves is nearest the pixels' luminance: space, ░ ▒ ▓ █ (a
/// quarter, half, three quarters, all of both halves) or ▀ ▄ (one half). Binary sprites
/// keep their full vertical resolution; gray areas get five shades.
enum HalfBlockSolver {
    static let shadeSymbols: [(Character, Float, Float)] = [
        (" ", 0, 0), ("░", 0.25, 0.25), ("▒", 0.5, 0.5), ("▓", 0.75, 0.75), ("█", 1, 1),
        ("▀", 1, 0), ("▄", 0, 1),
    ]

    /// Cells of a grid width × height from pixels width × 2·height. One loop per depth, so
    /// the quantiser is inlined and halves compare as small keys before becoming colours.
    static func draw(_ pixels: PixelGrid, width: Int, height: Int, colors: ColorDepth) -> CellGrid {
        switch colors {
        case .none:
            return CellGrid(width: width, height: height) { cells in
                for y in 0..<height {
                    for x in 0..<width {
                        let upper = pixels.luminance(x, 2 * y), lowerValue = pixels.luminance(x, 2 * y + 1)
                        var best = 0, bestError = Float.infinity
                        for (index, (_, u, l)) in shadeSymbols.enumerated() {
                            let e = (upper - u) * (upper - u) + (lowerValue - l) * (lowerValue - l)
                            if e < bestError { best = index; bestError = e }
                        }
                        (cells + y * width + x).initialize(to: Cell(shadeSymbols[best].0))
                    }
                }
            }
        case .trueColor:
            return draw(pixels, width: width, height: height) { r, g, b in
                // Gray pixels (every pixel of a gray image) convert one channel, not three.
                if r == g && g == b { return UInt32(ColorQuantizer.byte(r)) &* 0x01_01_01 }
                return UInt32(ColorQuantizer.byte(r)) << 16 | UInt32(ColorQuantizer.byte(g)) << 8 | UInt32(ColorQuantizer.byte(b))
            } color: { .rgb(UInt8(truncatingIfNeeded: $0 >> 16), UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)) }
        case .palette256:
            return Palette256.nearestGray.withUnsafeBufferPointer { nearestGray in
                draw(pixels, width: width, height: height) { r, g, b in
                    if r == g && g == b { return nearestGray[Int(ColorQuantizer.byte(r))] }
                    return Palette256.nearest(ColorQuantizer.byte(r), ColorQuantizer.byte(g), ColorQuantizer.byte(b))
                } color: { .indexed($0) }
            }
        case .palette8 where pixels.isGray:
            // The 8 basic colours have no gray between black and white: a mid gray would come
            // out yellow. Gray images get the shade characters instead.
            return draw(pixels, width: width, height: height, colors: .none)
        case .palette16, .palette8:
            let count = colors == .palette16 ? 16 : 8
            return draw(pixels, width: width, height: height) { r, g, b in
                SystemPalette.nearest(ColorQuantizer.byte(r), ColorQuantizer.byte(g), ColorQuantizer.byte(b), count: count)
            } color: { .indexed($0) }
        }
    }

    /// The coloured cells: `key` quantises a pixel to something cheap to compare (a palette
    /// index, packed RGB), `color` turns a key into a terminal colour.
    @inline(__always)
    private static func draw<Key: Equatable>(_ pixels: PixelGrid, width: Int, height: Int,
                                             key: (Float, Float, Float) -> Key,
                                             color: (Key) -> TerminalColor) -> CellGrid {
        CellGrid(width: width, height: height) { cells in
            pixels.rgb.withUnsafeBufferPointer { rgb in
                let rowLength = pixels.width * 3
                for y in 0..<height {
                    let upperRow = rgb.baseAddress! + 2 * y * rowLength, lowerRow = upperRow + rowLength
                    for x in 0..<width {
                        let top = key(upperRow[3 * x], upperRow[3 * x + 1], upperRow[3 * x + 2])
                        let bottom = key(lowerRow[3 * x], lowerRow[3 * x + 1], lowerRow[3 * x + 2])
                        // (A literal "▄", not a stored Character: no retain, no lazy global.)
                        (cells + y * width + x).initialize(to: top == bottom ? Cell(" ", background: color(top))
                                                           : Cell("▄", foreground: color(bottom), background: color(top)))
                    }
                }
            }
        }
    }
}

/// A luminance ramp of ASCII characters, one pixel per cell. With colour, the character
/// is also drawn in the pixel's colour (the background stays the terminal's own).
enum RampSolver {
    static let ramp: [Character] = Array(" .:-=+*#%@")

    static func draw(_ pixels: PixelGrid, width: Int, height: Int, colors: ColorDepth, inverted: Bool) -> CellGrid {
        let levels = ramp.count
        return CellGrid(width: width, height: height) { cells in
            for y in 0..<height {
                for x in 0..<width {
                    let (r, g, b) = pixels.color(x, y)
                    var level = min(levels - 1, Int(ColorQuantizer.luminance(r, g, b) * Float(levels)))
                    if inverted { level = levels - 1 - level }
                    let ink = colors == .none ? TerminalColor.default : ColorQuantizer.quantize(r, g, b, depth: colors)
                    (cells + y * width + x).initialize(to: Cell(ramp[level], foreground: ink))
                }
            }
        }
    }
}
