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
        var grid = CellGrid(width: width, height: height)
        guard width > 0, height > 0 else { return grid }
        let (px, py) = options.mode.pixelsPerCell
        let pw = width * px, ph = height * py
        var rgb = AreaResampler.resampleRGB(image, width: pw, height: ph)
        if options.dither {
            BayerDither.apply(to: &rgb, width: pw, height: ph, amplitude: ditherAmplitude(options))
        }
        let pixels = PixelGrid(rgb: rgb, width: pw)
        switch options.mode {
        case .halfBlock:
            HalfBlockSolver.draw(pixels, into: &grid, colors: options.colors)
        case .ascii, .asciiInverted:
            RampSolver.draw(pixels, into: &grid, colors: options.colors, inverted: options.mode == .asciiInverted)
        case .quadrant, .sextant:
            BlockSolver.draw(pixels, into: &grid, colors: options.colors,
                             symbols: options.mode == .quadrant ? .quadrants : .sextants)
        }
        return grid
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
    static let lower: Character = "▄"
    static let shadeSymbols: [(Character, Float, Float)] = [
        (" ", 0, 0), ("░", 0.25, 0.25), ("▒", 0.5, 0.5), ("▓", 0.75, 0.75), ("█", 1, 1),
        ("▀", 1, 0), ("▄", 0, 1),
    ]

    static func draw(_ pixels: PixelGrid, into grid: inout CellGrid, colors: ColorDepth) {
        var cells: [Cell] = []
        cells.reserveCapacity(grid.width * grid.height)
        defer { grid.cells = cells }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                if colors == .none {
                    let upper = pixels.luminance(x, 2 * y), lowerValue = pixels.luminance(x, 2 * y + 1)
                    var best = shadeSymbols[0].0, bestError = Float.infinity
                    for (symbol, u, l) in shadeSymbols {
                        let e = (upper - u) * (upper - u) + (lowerValue - l) * (lowerValue - l)
                        if e < bestError { best = symbol; bestError = e }
                    }
                    cells.append(Cell(best))
                    continue
                }
                let (ur, ug, ub) = pixels.color(x, 2 * y)
                let (lr, lg, lb) = pixels.color(x, 2 * y + 1)
                let top = ColorQuantizer.quantize(ur, ug, ub, depth: colors)
                let bottom = ColorQuantizer.quantize(lr, lg, lb, depth: colors)
                cells.append(top == bottom ? Cell(" ", background: top)
                                           : Cell(lower, foreground: bottom, background: top))
            }
        }
    }
}

/// A luminance ramp of ASCII characters, one pixel per cell. With colour, the character
/// is also drawn in the pixel's colour (the background stays the terminal's own).
enum RampSolver {
    static let ramp: [Character] = Array(" .:-=+*#%@")

    static func draw(_ pixels: PixelGrid, into grid: inout CellGrid, colors: ColorDepth, inverted: Bool) {
        var cells: [Cell] = []
        cells.reserveCapacity(grid.width * grid.height)
        defer { grid.cells = cells }
        let levels = ramp.count
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let (r, g, b) = pixels.color(x, y)
                var level = min(levels - 1, Int(ColorQuantizer.luminance(r, g, b) * Float(levels)))
                if inverted { level = levels - 1 - level }
                let ink = colors == .none ? TerminalColor.default : ColorQuantizer.quantize(r, g, b, depth: colors)
                cells.append(Cell(ramp[level], foreground: ink))
            }
        }
    }
}
