import QLXRender

/// An image the terminal layer draws as pixels (kitty or sixel) over `rect`, after painting
/// the cells; the cells under it hold `ImageCanvas.underImage`.
public struct ImagePlacement: Equatable, Sendable {
    /// Stable per place on screen (the preview, thumbnail 3, …), so an unchanged place is
    /// not sent again and a changed one replaces its predecessor.
    public var id: Int
    public var rect: Rect
    public var pixelWidth: Int
    public var pixelHeight: Int
    public var image: RenderImage
}

/// One screen: the cells, and the images drawn as pixels on top of them, and which view
/// drew them. Each view owns the whole screen: when the view changes, the terminal layer
/// clears every image and cell of the old one before painting the new one, so nothing of a
/// view can survive into another.
public struct ExplorerFrame: Sendable {
    public var grid: CellGrid
    public var placements: [ImagePlacement]
    public var view: View

    public init(grid: CellGrid, placements: [ImagePlacement], view: View) {
        self.grid = grid
        self.placements = placements
        self.view = view
    }

    /// The views that replace one another on screen.
    public enum View: Equatable, Sendable {
        case panels, presentation, sweep, help, tooSmall
    }
}

/// Where a panel's image goes: as cells in the grid (half blocks, sextants, ASCII), or as a
/// placement the terminal draws in pixels. Panels call `draw` and need not know which.
struct ImageCanvas {
    let options: RenderOptions
    /// The cell size when the terminal draws pixels; nil for cells.
    let pixels: CellPixels?
    var placements: [ImagePlacement] = []

    init(state: ExplorerState) {
        options = RenderOptions(mode: state.renderMode, colors: state.colorDepth)
        pixels = Self.cellPixels(for: state)
        underImage = Self.underImage(unicode: state.unicode)
    }

    /// What the cells under a pixel image hold. Never a blank: ncurses clears a line's blank
    /// tail with one erase-to-end-of-line, which wipes sixel pixels it knows nothing of (any
    /// shorter text earlier in the row would cut a row out of the image). A braille blank
    /// shows nothing; without Unicode, a reversed space.
    static func underImage(unicode: Bool) -> Cell {
        unicode ? Cell("\u{2800}") : Cell(" ", reverse: true)
    }

    private let underImage: Cell

    /// The cell size in pixels when the terminal draws pixels; nil when it draws cells.
    static func cellPixels(for state: ExplorerState) -> CellPixels? {
        state.graphics.hasPixels ? state.cellPixels : nil
    }

    /// Place ids by role (thumbnails and sweep cells count up from theirs).
    enum Slot {
        static let preview = 1, original = 2, thumbnails = 100, sweep = 1_000
    }

    /// Draws `image` inside `rect`: stretched over it as cells, or as pixels (whole multiples
    /// of the model's pixels when `wholeMultiples`) centred horizontally at its top. Returns
    /// the cells it covers (a frame goes round those).
    @discardableResult
    mutating func draw(_ image: RenderImage, in rect: Rect, id: Int, wholeMultiples: Bool, into grid: inout CellGrid) -> Rect {
        guard !rect.isEmpty else { return rect }
        guard let pixels else {
            grid.blit(Renderer.render(image, width: rect.width, height: rect.height, options: options), x: rect.x, y: rect.y)
            return rect
        }
        let fit = pixels.fit(imageWidth: image.width, imageHeight: image.height, box: (rect.width, rect.height),
                             wholeMultiples: wholeMultiples)
        let cells = Rect(x: rect.x + max(0, (rect.width - fit.cells.width) / 2), y: rect.y,
                         width: min(fit.cells.width, rect.width), height: min(fit.cells.height, rect.height))
        grid.fill(cells, with: underImage)
        placements.append(ImagePlacement(id: id, rect: cells, pixelWidth: fit.pixels.width,
                                         pixelHeight: fit.pixels.height, image: image))
        return cells
    }
}
