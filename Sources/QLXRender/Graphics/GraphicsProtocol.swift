/// How images reach the terminal: as pixels (kitty graphics, sixel) or as character cells
/// (half blocks, quadrants, sextants, ASCII; see `RenderMode`).
public enum GraphicsProtocol: String, CaseIterable, Sendable {
    /// The kitty graphics protocol (kitty, Ghostty, WezTerm): PNG in base64 chunks.
    case kitty
    /// DEC sixel (xterm -ti vt340, foot, WezTerm, mlterm, contour, mintty), through libsixel.
    case sixel
    /// Character cells only.
    case cells

    public var hasPixels: Bool { self != .cells }
}

/// `--graphics`: a protocol, or `auto` (ask the terminal).
public enum GraphicsChoice: String, CaseIterable, Sendable {
    case auto, kitty, sixel, cells

    public var forced: GraphicsProtocol? { GraphicsProtocol(rawValue: rawValue) }
}

/// The size of one character cell in pixels (from TIOCGWINSZ or the terminal's answer to
/// CSI 16 t).
public struct CellPixels: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "cell size \(width)×\(height) pixels")
        self.width = width
        self.height = height
    }
    /// Cells needed to cover `pixels` × `pixelsHigh` pixels.
    public func cells(width pixels: Int, height pixelsHigh: Int) -> (width: Int, height: Int) {
        ((pixels + width - 1) / width, (pixelsHigh + height - 1) / height)
    }
    public var description: String { "\(width)×\(height) px" }

    /// The largest size of an imageWidth × imageHeight image inside a box of `box` cells:
    /// with `wholeMultiples` a whole multiple of the image's pixels (1×, 2×, 3×…; below 1×
    /// only when even 1× does not fit), otherwise any size that keeps the aspect ratio.
    /// Returns the pixels and the cells they cover (at least 1×1).
    public func fit(imageWidth: Int, imageHeight: Int, box: (width: Int, height: Int), wholeMultiples: Bool)
        -> (pixels: (width: Int, height: Int), cells: (width: Int, height: Int)) {
        let boxWidth = max(box.width, 1) * width, boxHeight = max(box.height, 1) * height
        let multiple = min(boxWidth / imageWidth, boxHeight / imageHeight)
        var pixels: (width: Int, height: Int)
        if wholeMultiples && multiple >= 1 {
            pixels = (imageWidth * multiple, imageHeight * multiple)
        } else {
            let scale = min(Double(boxWidth) / Double(imageWidth), Double(boxHeight) / Double(imageHeight))
            pixels = (max(1, Int(Double(imageWidth) * scale)), max(1, Int(Double(imageHeight) * scale)))
        }
        return (pixels, cells(width: pixels.width, height: pixels.height))
    }
}
