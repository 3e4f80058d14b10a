/// Turns cell grids into text with SGR escape sequences for stdout.
public enum ANSI {
    public static let escape = "\u{1B}["
    public static let reset = "\u{1B}[0m"

    /// Rows separated by "\n" (none after the last). Only changes of colour or attribute are
    /// emitted, each as one SGR sequence; a row that ends with anything set ends with a reset,
    /// so every line stands alone (pipes into `less -R`, CI logs). Colours are converted to
    /// `colors` first (24-bit: 38;2/48;2, 256: 38;5/48;5, 16/8: 30–37, 90–97 and 40–47,
    /// 100–107); with `.none` the result is the characters alone, without any escape.
    public static func encode(_ grid: CellGrid, colors: ColorDepth) -> String {
        var out = ""
        out.reserveCapacity(grid.width * grid.height * (colors == .none ? 3 : 12))
        for y in 0..<grid.height {
            if y > 0 { out.append("\n") }
            var current = Style.plain
            for x in 0..<grid.width {
                let cell = grid[x, y]
                let wanted = colors == .none ? Style.plain : Style(cell, colors: colors)
                if wanted != current {
                    appendTransition(from: current, to: wanted, colors: colors, into: &out)
                    current = wanted
                }
                out.append(cell.character)
            }
            if current != .plain { out.append(reset) }
        }
        return out
    }

    /// What a cell sets besides its character.
    struct Style: Equatable {
        var foreground: TerminalColor
        var background: TerminalColor
        var bold: Bool
        var reverse: Bool

        static let plain = Style(foreground: .default, background: .default, bold: false, reverse: false)

        init(foreground: TerminalColor, background: TerminalColor, bold: Bool, reverse: Bool) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.reverse = reverse
        }

        init(_ cell: Cell, colors: ColorDepth) {
            self.init(foreground: ColorQuantizer.convert(cell.foreground, to: colors),
                      background: ColorQuantizer.convert(cell.background, to: colors),
                      bold: cell.bold, reverse: cell.reverse)
        }
    }

    /// One SGR sequence with the parameters that change. Resetting with 0 is used when it is
    /// shorter than turning things off one by one.
    static func appendTransition(from old: Style, to new: Style, colors: ColorDepth, into out: inout String) {
        var incremental: [String] = []
        if old.bold != new.bold { incremental.append(new.bold ? "1" : "22") }
        if old.reverse != new.reverse { incremental.append(new.reverse ? "7" : "27") }
        if old.foreground != new.foreground { incremental.append(parameter(new.foreground, background: false)) }
        if old.background != new.background { incremental.append(parameter(new.background, background: true)) }

        var fromReset = ["0"]
        if new.bold { fromReset.append("1") }
        if new.reverse { fromReset.append("7") }
        if new.foreground != .default { fromReset.append(parameter(new.foreground, background: false)) }
        if new.background != .default { fromReset.append(parameter(new.background, background: true)) }
        if new == .plain { fromReset = [] }   // "\e[m" is a full reset

        let a = incremental.joined(separator: ";"), b = fromReset.joined(separator: ";")
        out.append(escape)
        out.append(b.utf8.count < a.utf8.count ? b : a)
        out.append("m")
    }

    static func parameter(_ color: TerminalColor, background: Bool) -> String {
        switch color {
        case .default: return background ? "49" : "39"
        case let .indexed(i) where i < 8: return String((background ? 40 : 30) + Int(i))
        case let .indexed(i) where i < 16: return String((background ? 100 : 90) + Int(i) - 8)
        case let .indexed(i): return (background ? "48;5;" : "38;5;") + String(i)
        case let .rgb(r, g, b): return (background ? "48;2;" : "38;2;") + "\(r);\(g);\(b)"
        }
    }
}
