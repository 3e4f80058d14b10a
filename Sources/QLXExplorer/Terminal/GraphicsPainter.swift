import QLXRender

/// Draws a frame's image placements in pixels after ncurses has painted the cells, sending
/// only what changed: a placement is sent again when its image, place or size changed, when
/// ncurses may have rewritten a cell under it (text over a sixel erases those pixels), or
/// after a full repaint. Places that disappear are deleted (kitty) or handed back to ncurses to repaint
/// (sixel pixels stay until their cells are rewritten). Pure bookkeeping: `CursesScreen`
/// writes what `plan` returns.
public final class GraphicsPainter {
    let graphics: GraphicsProtocol
    let tmux: TmuxState?
    let colorRegisters: Int
    private var shown: [Int: ImagePlacement] = [:]
    private var lastGrid: CellGrid?

    public init(graphics: GraphicsProtocol, tmux: TmuxState?, colorRegisters: Int) {
        self.graphics = graphics
        self.tmux = tmux
        self.colorRegisters = colorRegisters
    }

    /// What to do for `frame`: rows ncurses must repaint before its update (under sixel
    /// images that went away), then the escape sequences to write after it.
    public struct Plan {
        public var rowsToRepaint: [Int] = []
        public var output = ""
        public var sent = 0
    }

    public func plan(_ frame: ExplorerFrame, full: Bool) -> Plan {
        var plan = Plan()
        let current = Dictionary(frame.placements.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        if full {
            if graphics == .kitty { plan.output += wrap(KittyGraphics.deleteAll) }
            shown.removeAll()
        }
        // Places gone or moved.
        var repaint = Set<Int>()
        for (id, old) in shown where current[id]?.rect != old.rect || current[id] == nil {
            if graphics == .kitty {
                plan.output += wrap(KittyGraphics.delete(id: id))
            } else {
                repaint.formUnion(old.rect.y..<old.rect.maxY)
            }
            shown[id] = nil
        }
        plan.rowsToRepaint = repaint.sorted()
        for placement in frame.placements {
            let rowsRewritten = placement.rect.y..<placement.rect.maxY
            let unchanged = shown[placement.id] == placement && !repaint.contains { rowsRewritten.contains($0) }
                && !mayBeRewritten(placement.rect, now: frame.grid)
            if unchanged { continue }
            let pixels = PixelImage(placement.image, width: placement.pixelWidth, height: placement.pixelHeight)
            guard let sequence = try? graphics == .kitty ? KittyGraphics.place(pixels, id: placement.id)
                                                         : SixelEncoder.encode(pixels, colorRegisters: colorRegisters)
            else { continue }
            plan.output += wrap(cursor(row: placement.rect.y, column: placement.rect.x) + sequence)
            plan.sent += 1
            shown[placement.id] = placement
        }
        lastGrid = frame.grid
        return plan
    }

    /// Sequences that remove every image (on exit).
    var clearAll: String { graphics == .kitty ? wrap(KittyGraphics.deleteAll) : "" }

    /// Whether ncurses may write over `rect` when it updates from the last grid to `grid`.
    /// Kitty keeps its images above the text, so only a changed cell under one counts. Over a
    /// sixel, ncurses also rewrites unchanged cells lying between two changes of a row when
    /// that is shorter than moving the cursor, so a change on each side of an image within
    /// `rewriteGap` cells counts too.
    private func mayBeRewritten(_ rect: Rect, now grid: CellGrid) -> Bool {
        guard let lastGrid, lastGrid.width == grid.width, lastGrid.height == grid.height else { return true }
        let reach = graphics == .kitty ? 0 : Self.rewriteGap
        for y in rect.y..<min(rect.maxY, grid.height) {
            var changedLeft = false
            for x in max(0, rect.x - reach)..<min(rect.maxX + reach, grid.width) where lastGrid[x, y] != grid[x, y] {
                if x >= rect.x && x < rect.maxX { return true }
                if x < rect.x { changedLeft = true } else if changedLeft { return true }
            }
        }
        return false
    }

    /// The longest run of unchanged cells ncurses rewrites rather than move the cursor over
    /// (a cursor move costs up to 8 bytes; wide characters take up to 4 each).
    static let rewriteGap = 12

    /// CUP to a cell of our screen (inside tmux, of the outer terminal: the pane's offset added).
    private func cursor(row: Int, column: Int) -> String {
        "\u{1B}[\(row + 1 + (tmux?.paneTop ?? 0));\(column + 1 + (tmux?.paneLeft ?? 0))H"
    }

    private func wrap(_ sequence: String) -> String {
        guard !sequence.isEmpty, tmux != nil else { return sequence }
        return TmuxState.wrap(sequence)
    }
}
