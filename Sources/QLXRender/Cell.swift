/// A terminal colour as the renderer and the explorer exchange it. `.default` is the
/// terminal's own foreground or background (use it for all chrome).
public enum TerminalColor: Hashable, Sendable {
    case `default`
    /// An xterm palette index (0–255); images use 16–255 only.
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

/// One character cell: a grapheme with its colours and attributes.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var bold: Bool
    public var reverse: Bool

    public init(_ character: Character = " ", foreground: TerminalColor = .default,
                background: TerminalColor = .default, bold: Bool = false, reverse: Bool = false) {
        self.character = character
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
    }

    public static let blank = Cell()
}

/// A rectangle of cells, row-major: `cells[y * width + x]`.
public struct CellGrid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        self.cells = Array(repeating: fill, count: width * height)
    }

    /// A grid whose cells `fill` writes, row-major, without a blank fill first (the
    /// renderer's hot path: each cell is initialised once).
    init(width: Int, height: Int, fillingWith fill: (UnsafeMutablePointer<Cell>) -> Void) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        self.cells = [Cell](unsafeUninitializedCapacity: width * height) { buffer, initialized in
            if let base = buffer.baseAddress { fill(base) }
            initialized = width * height
        }
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// The characters only, one line per row (trailing spaces kept): for snapshot tests.
    public var text: String {
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map(\.character)) }
            .joined(separator: "\n")
    }
}
