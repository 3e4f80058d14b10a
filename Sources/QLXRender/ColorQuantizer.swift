/// Maps RGB colours (channels in [0, 1]) to what a terminal of a given depth can show.
public enum ColorQuantizer {
    /// The nearest colour `depth` can show; `.default` for `.none`.
    @inline(__always)
    public static func quantize(_ r: Float, _ g: Float, _ b: Float, depth: ColorDepth) -> TerminalColor {
        switch depth {
        case .trueColor: return .rgb(byte(r), byte(g), byte(b))
        case .palette256: return .indexed(Palette256.nearest(byte(r), byte(g), byte(b)))
        case .palette16: return .indexed(SystemPalette.nearest(byte(r), byte(g), byte(b), count: 16))
        case .palette8: return .indexed(SystemPalette.nearest(byte(r), byte(g), byte(b), count: 8))
        case .none: return .default
        }
    }

    /// A [0, 1] channel as a byte, rounded, clamped; NaN is 0 (converting NaN would trap, and
    /// a decoder with extreme weights can produce it).
    @inline(__always)
    public static func byte(_ v: Float) -> UInt8 {
        let scaled = v * 255 + 0.5
        return scaled > 0 ? UInt8(min(scaled, 255)) : 0
    }

    /// Rec. 601 luma of an RGB colour, the usual weighting for gamma-encoded pixels.
    @inline(__always)
    public static func luminance(_ r: Float, _ g: Float, _ b: Float) -> Float {
        0.299 * r + 0.587 * g + 0.114 * b
    }

    /// The RGB value of a palette index as xterm shows it (0–15: xterm's defaults).
    public static func rgb(ofIndex index: UInt8) -> (UInt8, UInt8, UInt8) {
        index < 16 ? SystemPalette.colors[Int(index)] : Palette256.rgb(ofIndex: index)
    }

    /// Converts a colour chosen for one depth to another (used when a grid drawn for one
    /// depth is printed at a lower one).
    public static func convert(_ color: TerminalColor, to depth: ColorDepth) -> TerminalColor {
        switch (color, depth) {
        case (.default, _), (_, .none): return .default
        case (.rgb, .trueColor): return color
        case let (.rgb(r, g, b), _):
            return quantize(Float(r) / 255, Float(g) / 255, Float(b) / 255, depth: depth)
        case let (.indexed(i), .trueColor):
            // System colours stay indexed: the user's theme decides them.
            if i < 16 { return color }
            let (r, g, b) = Palette256.rgb(ofIndex: i)
            return .rgb(r, g, b)
        case (.indexed, .palette256): return color
        case let (.indexed(i), .palette16):
            if i < 16 { return color }
            let (r, g, b) = Palette256.rgb(ofIndex: i)
            return .indexed(SystemPalette.nearest(r, g, b, count: 16))
        case let (.indexed(i), .palette8):
            if i < 8 { return color }
            let (r, g, b) = rgb(ofIndex: i)
            return .indexed(SystemPalette.nearest(r, g, b, count: 8))
        }
    }
}

/// xterm's 256-colour palette without the 16 system colours: the 6×6×6 cube (16–231) and
/// the 24-step gray ramp (232–255).
public enum Palette256 {
    /// The cube's real channel levels.
    public static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The cube level index of a channel: nearest level, by the midpoints 47.5, 115, 155,
    /// 195, 235 (half-way values go up).
    @inline(__always)
    public static func cubeLevelIndex(_ v: UInt8) -> Int {
        let v = Int(v)
        if v < 48 { return 0 }
        if v < 115 { return 1 }
        if v < 155 { return 2 }
        if v < 195 { return 3 }
        if v < 235 { return 4 }
        return 5
    }

    /// The gray ramp: index 232 + k shows 8 + 10·k.
    @inline(__always)
    public static func grayLevel(_ k: Int) -> Int { 8 + 10 * k }

    /// The level a cube index stands for (0, 95, 135, 175, 215, 255), without a table lookup.
    @inline(__always)
    static func cubeLevel(_ i: Int) -> Int { i == 0 ? 0 : 55 + 40 * i }

    /// The nearest of the cube and the gray ramp by squared RGB distance (cube on ties).
    @inline(__always)
    public static func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let ri = cubeLevelIndex(r), gi = cubeLevelIndex(g), bi = cubeLevelIndex(b)
        let ir = Int(r), ig = Int(g), ib = Int(b)
        let dr = ir - cubeLevel(ri), dg = ig - cubeLevel(gi), db = ib - cubeLevel(bi)
        let cubeDistance = dr * dr + dg * dg + db * db
        // The gray nearest to a colour in squared distance is the ramp step nearest its mean:
        // k = round((sum/3 − 8) / 10) = ⌊(sum − 9) / 30⌋, clamped to the ramp.
        let k = min(23, max(0, (ir + ig + ib - 9) / 30))
        let gray = grayLevel(k)
        let grayDistance = (ir - gray) * (ir - gray) + (ig - gray) * (ig - gray) + (ib - gray) * (ib - gray)
        if grayDistance < cubeDistance { return UInt8(232 + k) }
        return UInt8(16 + 36 * ri + 6 * gi + bi)
    }

    /// `nearest(v, v, v)` for every byte v: gray images (most of what qlx draws) take one
    /// lookup per pixel instead of the cube and ramp comparison.
    static let nearestGray: [UInt8] = (0...255).map { nearest(UInt8($0), UInt8($0), UInt8($0)) }

    /// The RGB an index in 16–255 stands for.
    public static func rgb(ofIndex index: UInt8) -> (UInt8, UInt8, UInt8) {
        precondition(index >= 16, "system colours have no fixed RGB")
        let i = Int(index)
        if i >= 232 {
            let v = UInt8(grayLevel(i - 232))
            return (v, v, v)
        }
        let c = i - 16
        return (UInt8(cubeLevel(c / 36)), UInt8(cubeLevel((c / 6) % 6)), UInt8(cubeLevel(c % 6)))
    }
}

/// The 16 system colours with xterm's default values: only an approximation of what a
/// themed terminal shows, which is why images prefer the 256-colour palette.
public enum SystemPalette {
    public static let colors: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
        (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The nearest of the first `count` (8 or 16) system colours by squared RGB distance.
    public static func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8, count: Int) -> UInt8 {
        var best = 0, bestDistance = Int.max
        for i in 0..<count {
            let (pr, pg, pb) = colors[i]
            let dr = Int(r) - Int(pr), dg = Int(g) - Int(pg), db = Int(b) - Int(pb)
            let d = dr * dr + dg * dg + db * db
            if d < bestDistance { best = i; bestDistance = d }
        }
        return UInt8(best)
    }
}
