/// Quadrant (2×2) and sextant (2×3) blocks. Pixel k of a cell (row-major: k = row·2 + col)
/// is bit k of a pattern; a pattern's character inks the pixels whose bits are set.
struct BlockSymbols {
    let columns: Int
    let rows: Int
    /// Character for each of the 2^(columns·rows) patterns.
    let characters: [Character]

    var pixelCount: Int { columns * rows }

    static let quadrants = BlockSymbols(columns: 2, rows: 2, characters: [
        " ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█",
    ])

    /// Sextants: U+1FB00… enumerate the patterns 1…62 in order, except the two half blocks
    /// that already existed (left column 21 = ▌, right column 42 = ▐).
    static let sextants: BlockSymbols = {
        var characters: [Character] = []
        for pattern in 0..<64 {
            switch pattern {
            case 0: characters.append(" ")
            case 21: characters.append("▌")
            case 42: characters.append("▐")
            case 63: characters.append("█")
            default:
                let skipped = (pattern > 21 ? 1 : 0) + (pattern > 42 ? 1 : 0)
                let scalar = Unicode.Scalar(0x1FB00 + UInt32(pattern - 1 - skipped))!
                characters.append(Character(scalar))
            }
        }
        return BlockSymbols(columns: 2, rows: 3, characters: characters)
    }()
}

/// Per cell, the split of its pixels into two groups with the least squared error, each
/// group drawn in its mean colour (foreground = inked pixels). Pixel 0 always goes to the
/// background group so that every split is tried once. Without colour, pixels are inked
/// where their luminance is at least one half (after any dither).
enum BlockSolver {
    static func draw(_ pixels: PixelGrid, into grid: inout CellGrid, colors: ColorDepth, symbols: BlockSymbols) {
        var cells: [Cell] = []
        cells.reserveCapacity(grid.width * grid.height)
        defer { grid.cells = cells }
        let n = symbols.pixelCount
        var cellPixels = [(Float, Float, Float)](repeating: (0, 0, 0), count: n)
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                for k in 0..<n {
                    cellPixels[k] = pixels.color(x * symbols.columns + k % symbols.columns,
                                                 y * symbols.rows + k / symbols.columns)
                }
                if colors == .none {
                    var pattern = 0
                    for k in 0..<n where ColorQuantizer.luminance(cellPixels[k].0, cellPixels[k].1, cellPixels[k].2) >= 0.5 {
                        pattern |= 1 << k
                    }
                    cells.append(Cell(symbols.characters[pattern]))
                    continue
                }
                cells.append(bestSplitCell(cellPixels, symbols: symbols, colors: colors))
            }
        }
    }

    /// The error of a split is Σ|p|² − Σ_groups |Σ_group p|² / n_group, so the best split
    /// maximises the second sum; the first is the same for every split. The ink sums of all
    /// patterns come from one table: sum[pattern] = sum[pattern without its lowest bit] + that
    /// pixel, one addition per pattern.
    static func bestSplitCell(_ p: [(Float, Float, Float)], symbols: BlockSymbols, colors: ColorDepth) -> Cell {
        let n = p.count, patterns = 1 << n
        var total = (Float(0), Float(0), Float(0))
        for c in p { total.0 += c.0; total.1 += c.1; total.2 += c.2 }
        var bestPattern = 0
        var bestScore = (total.0 * total.0 + total.1 * total.1 + total.2 * total.2) / Float(n)
        var bestInk = total
        withUnsafeTemporaryAllocation(of: (Float, Float, Float).self, capacity: patterns) { sums in
            sums[0] = (0, 0, 0)
            p.withUnsafeBufferPointer { pixels in
                // Pixel 0 stays in the background group: only even patterns.
                for pattern in stride(from: 2, to: patterns, by: 2) {
                    let low = pattern.trailingZeroBitCount
                    let previous = sums[pattern & (pattern - 1)], pixel = pixels[low]
                    let ink = (previous.0 + pixel.0, previous.1 + pixel.1, previous.2 + pixel.2)
                    sums[pattern] = ink
                    let inkCount = Float(pattern.nonzeroBitCount)
                    let rest = (total.0 - ink.0, total.1 - ink.1, total.2 - ink.2)
                    let score = (ink.0 * ink.0 + ink.1 * ink.1 + ink.2 * ink.2) / inkCount
                        + (rest.0 * rest.0 + rest.1 * rest.1 + rest.2 * rest.2) / (Float(n) - inkCount)
                    // Strictly better only, so near-uniform cells stay a plain background.
                    if score > bestScore + 1e-6 {
                        bestScore = score; bestPattern = pattern; bestInk = ink
                    }
                }
            }
        }
        let mean = ColorQuantizer.quantize(total.0 / Float(n), total.1 / Float(n), total.2 / Float(n), depth: colors)
        guard bestPattern != 0 else { return Cell(" ", background: mean) }
        let inkCount = Float(bestPattern.nonzeroBitCount), restCount = Float(n) - inkCount
        let fg = ColorQuantizer.quantize(bestInk.0 / inkCount, bestInk.1 / inkCount, bestInk.2 / inkCount, depth: colors)
        let bg = ColorQuantizer.quantize((total.0 - bestInk.0) / restCount, (total.1 - bestInk.1) / restCount,
                                         (total.2 - bestInk.2) / restCount, depth: colors)
        if fg == bg { return Cell(" ", background: mean) }
        return Cell(symbols.characters[bestPattern], foreground: fg, background: bg)
    }
}
