/// A 3×5 pixel font (digits, capitals, a little punctuation) for labels inside PNG figures,
/// where no text renderer is available. Lower-case letters are drawn as capitals; characters
/// without a glyph as a box.
public enum PixelFont {
    public static let glyphWidth = 3, glyphHeight = 5
    /// Horizontal distance between glyph origins, in font pixels.
    public static let advance = 4

    /// Each glyph as five rows of three bits, most significant bit on the left.
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "-": [0, 0, 7, 0, 0], ".": [0, 0, 0, 0, 2], " ": [0, 0, 0, 0, 0], "_": [0, 0, 0, 0, 7],
        ":": [0, 2, 0, 2, 0], "+": [0, 2, 7, 2, 0], "(": [1, 2, 2, 2, 1], ")": [4, 2, 2, 2, 4],
        "A": [2, 5, 7, 5, 5], "B": [6, 5, 6, 5, 6], "C": [3, 4, 4, 4, 3], "D": [6, 5, 5, 5, 6],
        "E": [7, 4, 6, 4, 7], "F": [7, 4, 6, 4, 4], "G": [3, 4, 5, 5, 3], "H": [5, 5, 7, 5, 5],
        "I": [7, 2, 2, 2, 7], "J": [1, 1, 1, 5, 2], "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7],
        "M": [5, 7, 5, 5, 5], "N": [6, 5, 5, 5, 5], "O": [2, 5, 5, 5, 2], "P": [6, 5, 6, 4, 4],
        "Q": [2, 5, 5, 7, 3], "R": [6, 5, 6, 5, 5], "S": [3, 4, 2, 1, 6], "T": [7, 2, 2, 2, 2],
        "U": [5, 5, 5, 5, 7], "V": [5, 5, 5, 5, 2], "W": [5, 5, 5, 7, 5], "X": [5, 5, 2, 5, 5],
        "Y": [5, 5, 2, 2, 2], "Z": [7, 1, 2, 4, 7],
        // Punctuation that titles use (file names, "z3 · hue", "4/10").
        "/": [1, 1, 2, 4, 4], ",": [0, 0, 0, 2, 4], "=": [0, 7, 0, 7, 0], "[": [6, 4, 4, 4, 6],
        "]": [3, 1, 1, 1, 3], "'": [2, 2, 0, 0, 0], "·": [0, 0, 2, 0, 0], "×": [0, 5, 2, 5, 0],
        "|": [2, 2, 2, 2, 2], "#": [5, 7, 5, 7, 5], "%": [5, 1, 2, 4, 5], "│": [2, 2, 2, 2, 2],
    ]
    static let unknown: [UInt8] = [7, 5, 5, 5, 7]

    /// Width of `text` in font pixels (no trailing gap).
    public static func width(of text: String) -> Int {
        text.isEmpty ? 0 : text.count * advance - (advance - glyphWidth)
    }

    /// The rows of one character's glyph.
    public static func glyph(_ character: Character) -> [UInt8] {
        glyphs[character] ?? glyphs[Character(character.uppercased())] ?? unknown
    }

    /// Sets the pixels of `text` to `value` in an interleaved image, each font pixel drawn as
    /// a unit × unit square, top-left corner at (x, y); clipped to the image.
    public static func draw(_ text: String, into pixels: inout [Float], width: Int, height: Int, channels: Int,
                            x: Int, y: Int, unit: Int, value: Float) {
        for (i, character) in text.enumerated() {
            let rows = glyph(character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<glyphWidth where bits & (4 >> column) != 0 {
                    let px = x + (i * advance + column) * unit, py = y + row * unit
                    for dy in 0..<unit where py + dy >= 0 && py + dy < height {
                        for dx in 0..<unit where px + dx >= 0 && px + dx < width {
                            let o = ((py + dy) * width + px + dx) * channels
                            for c in 0..<channels { pixels[o + c] = value }
                        }
                    }
                }
            }
        }
    }
}
