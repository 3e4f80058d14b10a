/// How an image becomes characters.
public enum RenderMode: String, CaseIterable, Sendable {
    /// Two vertical pixels per cell with ▄ (foreground = lower pixel, background = upper).
    case halfBlock = "half"
    /// One pixel per cell, a luminance ramp from dark to light (" .:-=+*#%@"): for terminals
    /// without UTF-8, or text files. Assumes light ink on a dark background.
    case ascii
    /// The same ramp reversed, for dark ink on a light background.
    case asciiInverted = "ascii-inverted"
    /// 2×2 pixels per cell with the quadrant blocks (▖▗▘▝▚▞▙▟▛▜).
    case quadrant
    /// 2×3 pixels per cell with the Unicode 13 sextant blocks (U+1FB00…U+1FB3B).
    case sextant

    /// Pixels one cell stands for, horizontally and vertically.
    public var pixelsPerCell: (x: Int, y: Int) {
        switch self {
        case .halfBlock: return (1, 2)
        case .ascii, .asciiInverted: return (1, 1)
        case .quadrant: return (2, 2)
        case .sextant: return (2, 3)
        }
    }

    /// Whether the mode draws characters outside ASCII.
    public var needsUnicode: Bool { self != .ascii && self != .asciiInverted }
}

/// How many colours the output may use.
public enum ColorDepth: String, CaseIterable, Sendable, Comparable {
    /// Any RGB colour (SGR 38;2 / 48;2).
    case trueColor = "24bit"
    /// The xterm 6×6×6 cube and 24-step gray ramp (indices 16–255; SGR 38;5 / 48;5).
    case palette256 = "256"
    /// The 16 system colours (SGR 30–37, 90–97).
    case palette16 = "16"
    /// The 8 basic system colours (SGR 30–37).
    case palette8 = "8"
    /// No colour at all: the image is drawn with the characters alone.
    case none

    private var rank: Int {
        switch self {
        case .none: return 0
        case .palette8: return 1
        case .palette16: return 2
        case .palette256: return 3
        case .trueColor: return 4
        }
    }

    public static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rank < rhs.rank }
}

/// An image to draw: row-major, channels interleaved (gray: 1, RGB: 3), values in [0, 1]
/// (values outside are clamped when drawn).
public struct RenderImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "image size \(width)×\(height)")
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "\(width)×\(height)×\(channels) image needs \(width * height * channels) values, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A batch of planar images, `shape` (N, C, H, W) as models decode them and datasets hold
    /// them, split into N images for the renderer.
    public static func batch(planar data: [Float], shape: [Int]) -> [RenderImage] {
        precondition(shape.count == 4, "expected (N, C, H, W), got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let size = c * h * w
        precondition(data.count == n * size, "\(shape) needs \(n * size) values, got \(data.count)")
        return (0..<n).map { i in RenderImage(planar: data[(i * size)..<((i + 1) * size)], channels: c, height: h, width: w) }
    }

    /// An image from planar channel data (C, H, W), the layout of model outputs.
    public init(planar data: ArraySlice<Float>, channels: Int, height: Int, width: Int) {
        precondition(data.count == channels * height * width, "planar data size")
        if channels == 1 {
            self.init(width: width, height: height, channels: 1, pixels: Array(data))
            return
        }
        var interleaved = [Float](repeating: 0, count: data.count)
        let plane = height * width, base = data.startIndex
        for c in 0..<channels {
            for p in 0..<plane { interleaved[p * channels + c] = data[base + c * plane + p] }
        }
        self.init(width: width, height: height, channels: channels, pixels: interleaved)
    }
}

public struct RenderOptions: Sendable, Equatable {
    public var mode: RenderMode
    public var colors: ColorDepth
    /// Ordered (4×4 Bayer) dithering before quantisation; a no-op at 24-bit depth.
    public var dither: Bool

    public init(mode: RenderMode = .halfBlock, colors: ColorDepth = .palette256, dither: Bool = false) {
        self.mode = mode
        self.colors = colors
        self.dither = dither
    }
}

/// Errors of QLXRender: files it cannot write, images it cannot encode.
public enum RenderError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    case invalidImage(reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        case let .invalidImage(reason): return "invalid image: \(reason)"
        }
    }
}
