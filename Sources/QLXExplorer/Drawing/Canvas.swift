import QLXRender

/// A rectangle of cells: x, y of the top-left corner, width, height.
public struct Rect: Equatable, Sendable, CustomStringConvertible {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var description: String { "(\(x),\(y) \(width)×\(height))" }

    /// The rows below the first `rows`.
    func droppingTop(_ rows: Int) -> Rect { Rect(x: x, y: y + rows, width: width, height: height - rows) }
}

/// Colours and attributes for chrome text.
public struct Style: Equatable, Sendable {
    public var foreground: TerminalColor = .default
    public var background: TerminalColor = .default
    public var bold = false
    public var reverse = false
    public init(foreground: TerminalColor = .default, background: TerminalColor = .default,
                bold: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
    }
    public static let plain = Style()
    public static let bold = Style(bold: true)
    public static let reversed = Style(reverse: true)
}

/// Writing chrome into a grid. Every write clips to the grid, so panels never need to
/// check bounds; one Character is one column (the explorer only draws narrow characters).
extension CellGrid {
    mutating func put(_ character: Character, x: Int, y: Int, style: Style = .plain) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        self[x, y] = Cell(character, foreground: style.foreground, background: style.background,
                          bold: style.bold, reverse: style.reverse)
    }

    /// Writes `text` from (x, y), at most `maxWidth` columns (cut with `…` / `~` when longer
    /// than that); returns the column after the last one written.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = .plain,
                      ellipsis: Character = "…") -> Int {
        let limit = maxWidth ?? (width - x)
        guard limit > 0 else { return x }
        var characters = Array(text)
        if characters.count > limit {
            characters = Array(characters.prefix(limit - 1)) + [ellipsis]
        }
        for (offset, c) in characters.enumerated() { put(c, x: x + offset, y: y, style: style) }
        return x + characters.count
    }

    mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        for y in rect.y..<rect.maxY where y >= 0 && y < height {
            for x in rect.x..<rect.maxX where x >= 0 && x < width { self[x, y] = cell }
        }
    }

    /// Copies `grid` with its top-left corner at (x, y), clipped.
    mutating func blit(_ grid: CellGrid, x: Int, y: Int) {
        for row in 0..<grid.height where y + row >= 0 && y + row < height {
            for column in 0..<grid.width where x + column >= 0 && x + column < width {
                self[x + column, y + row] = grid[column, row]
            }
        }
    }

    /// A frame around `rect` (the frame sits on the rect's border cells).
    mutating func frame(_ rect: Rect, glyphs: Glyphs, style: Style = .plain) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.maxX - 1, bottom = rect.maxY - 1
        for x in rect.x...right {
            put(glyphs.horizontal, x: x, y: rect.y, style: style)
            put(glyphs.horizontal, x: x, y: bottom, style: style)
        }
        for y in rect.y...bottom {
            put(glyphs.vertical, x: rect.x, y: y, style: style)
            put(glyphs.vertical, x: right, y: y, style: style)
        }
        put(glyphs.topLeft, x: rect.x, y: rect.y, style: style)
        put(glyphs.topRight, x: right, y: rect.y, style: style)
        put(glyphs.bottomLeft, x: rect.x, y: bottom, style: style)
        put(glyphs.bottomRight, x: right, y: bottom, style: style)
    }

    /// The frame around an image drawn in `image` (one cell outside it on every side), so a
    /// dark image on a dark terminal still shows its extent: light and dim, or in the accent
    /// for the one that stands out (the strip's current value). `titles` go in the top edge
    /// between its corners, centred, the first that fits (else the last, cut), between spaces
    /// where they fit too.
    /// The strip's thumbnails, the decoded preview and the dataset sample all draw theirs here.
    mutating func imageFrame(around image: Rect, highlighted: Bool = false, titles: [String] = [], titleStyle: Style = .plain,
                             glyphs: Glyphs, palette: ChromePalette) {
        let frame = image.framed
        if highlighted {
            self.frame(frame, glyphs: glyphs, style: Style(foreground: palette.accent, bold: true))
        } else {
            self.frame(frame, glyphs: glyphs.lightFrame, style: Style(foreground: palette.dim))
        }
        let room = frame.width - 2
        guard room >= 1, let last = titles.last else { return }
        let title = titles.first { $0.count <= room } ?? last
        let x = frame.x + 1 + (room - min(title.count, room)) / 2
        let end = put(title, x: x, y: frame.y, maxWidth: room, style: titleStyle, ellipsis: glyphs.ellipsis)
        // A space either side where the edge has room for it.
        if x - 1 > frame.x && end < frame.maxX - 1 {
            put(" ", x: x - 1, y: frame.y)
            put(" ", x: end, y: frame.y)
        }
    }
}

/// Text helpers shared by the panels.
enum Format {
    /// "0.84" → ".84" for figures in [0, 1] (saves a column in tight rows).
    static func fraction(_ value: Double) -> String {
        let hundredths = hundredths(value)
        return hundredths >= 100 ? "1.0" : "." + (hundredths < 10 ? "0" : "") + String(hundredths)
    }

    /// A value in [0, 1] in two columns, for the heatmap's cells: tenths with their point
    /// (".8"), and " 1" for one. Two digits of hundredths read as whole numbers ("84") and
    /// one as "1." (a cut-off "1.0"). The tenths come from the hundredths, so ".95" in the
    /// latents list is " 1" here, not ".9".
    static func twoColumnFraction(_ value: Double) -> String {
        let tenths = (hundredths(value) + 5) / 10
        return tenths >= 10 ? " 1" : "." + String(tenths)
    }

    /// A value in [0, 1] in whole hundredths, rounded to nearest: the one rounding of NMI and
    /// the InfoMEC figures, so the latents list and the heatmap agree.
    static func hundredths(_ value: Double) -> Int {
        Int((min(max(value, 0), 1) * 100).rounded())
    }

    /// Fixed decimals without Foundation's String(format:).
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
        if places > 0 {
            let fraction = Int(scaled - Double(whole) * scale)
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: places - digits.count) + digits
        }
        return text
    }

    /// "1 latent", "12 latents".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }

    /// 12345 → "12,345".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }
}
