/// The characters chrome is drawn with: Unicode where the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable {
    public let selected: Character
    public let horizontal, vertical: Character
    public let topLeft, topRight, bottomLeft, bottomRight: Character
    /// The codebook ruler: its line, a value's tick, the current value's tick.
    public let rule, tick, currentTick: Character
    public let barFull, barEmpty: Character
    /// Usage histogram heights, lowest first.
    public let spark: [Character]
    /// A codebook value never used.
    public let dead: Character
    /// Heatmap shades, weakest first (used when there is no colour).
    public let shades: [Character]
    public let ellipsis: Character
    public let times: String
    public let separator: String
    public let up, down, left, right: String

    public static let unicode = Glyphs(
        selected: "▸", horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
        bottomLeft: "└", bottomRight: "┘", rule: "─", tick: "┼", currentTick: "█",
        barFull: "█", barEmpty: "░", spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], dead: "·",
        shades: [" ", "░", "▒", "▓", "█"], ellipsis: "…", times: "×", separator: " │ ",
        up: "↑", down: "↓", left: "←", right: "→")

    public static let ascii = Glyphs(
        selected: ">", horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
        bottomLeft: "+", bottomRight: "+", rule: "-", tick: "+", currentTick: "#",
        barFull: "#", barEmpty: ".", spark: [",", ".", ":", "-", "=", "+", "*", "#"], dead: " ",
        shades: [" ", ".", ":", "*", "#"], ellipsis: "~", times: "x", separator: " | ",
        up: "Up", down: "Dn", left: "Lt", right: "Rt")

    public static func forUnicode(_ unicode: Bool) -> Glyphs { unicode ? .unicode : .ascii }

    /// The same glyphs with a lighter frame (dashed, rounded corners; dots in ASCII), for
    /// frames that show an image's extent and must not read as the current one's.
    public var lightFrame: Glyphs {
        let unicode = horizontal == "─"
        return Glyphs(selected: selected, horizontal: unicode ? "┄" : ".", vertical: unicode ? "┆" : ":",
                      topLeft: unicode ? "╭" : ".", topRight: unicode ? "╮" : ".",
                      bottomLeft: unicode ? "╰" : ":", bottomRight: unicode ? "╯" : ":",
                      rule: rule, tick: tick, currentTick: currentTick, barFull: barFull, barEmpty: barEmpty,
                      spark: spark, dead: dead, shades: shades, ellipsis: ellipsis, times: times,
                      separator: separator, up: up, down: down, left: left, right: right)
    }
}
