import QLXRender

/// Colours for chrome (text, bars, heatmap) at the chosen depth; everything is `.default`
/// without colour, so attributes (bold, reverse) carry the meaning alone.
struct ChromePalette {
    let depth: ColorDepth
    /// The terminal's background when it said (OSC 11); nil: unknown, light or dark.
    let background: RGB?
    let accent: TerminalColor

    init(depth: ColorDepth, background: RGB? = nil) {
        self.depth = depth
        self.background = background
        accent = Self.accent(depth: depth, background: background)
    }

    var hasColor: Bool { depth != .none }

    /// Text that must stand out (the current value, the selected column, captions, headers)
    /// needs this contrast with the background (WCAG's ratio for normal text).
    static let accentContrast = 4.5

    /// The accent: the first candidate, warmest first, with `accentContrast` against the
    /// background; against an unknown one, the candidate whose worse contrast with black and
    /// with white is best. Yellow and orange on a dark terminal, brown or blue on a light one.
    static func accent(depth: ColorDepth, background: RGB?) -> TerminalColor {
        let candidates: [UInt8]
        switch depth {
        case .none: return .default
        case .palette8, .palette16: candidates = [3, 1, 5, 4]
        case .palette256, .trueColor: candidates = [214, 208, 172, 166, 130, 94]
        }
        func rgb(_ index: UInt8) -> RGB {
            let (r, g, b) = ColorQuantizer.rgb(ofIndex: index)
            return RGB(r, g, b)
        }
        guard let background else {
            let best = candidates.max { a, b in
                min(RGB.contrast(rgb(a), RGB(0, 0, 0)), RGB.contrast(rgb(a), RGB(255, 255, 255)))
                    < min(RGB.contrast(rgb(b), RGB(0, 0, 0)), RGB.contrast(rgb(b), RGB(255, 255, 255)))
            }!
            return .indexed(best)
        }
        let readable = candidates.first { RGB.contrast(rgb($0), background) >= accentContrast }
            ?? candidates.max { RGB.contrast(rgb($0), background) < RGB.contrast(rgb($1), background) }!
        return .indexed(readable)
    }

    /// Filled part of the metric bars.
    var bar: TerminalColor {
        switch depth {
        case .none: return .default
        case .palette8, .palette16: return .indexed(2)
        case .palette256, .trueColor: return .indexed(72)
        }
    }

    /// Secondary text (labels of figures).
    var dim: TerminalColor {
        switch depth {
        case .none, .palette8: return .default
        case .palette16: return .indexed(8)
        case .palette256, .trueColor: return .indexed(245)
        }
    }

    /// Heatmap cell background for a value in [0, 1]; `.default` for (nearly) zero, so an
    /// empty matrix looks empty on any terminal background.
    func heat(_ value: Double) -> TerminalColor {
        let v = min(max(value, 0), 1)
        guard hasColor, v >= 0.05 else { return .default }
        switch depth {
        case .none: return .default
        case .palette8, .palette16:
            return .indexed(v < 0.25 ? 4 : v < 0.5 ? 6 : v < 0.75 ? 2 : 3)
        case .palette256, .trueColor:
            // The gray ramp 237…255: brighter is more information.
            return .indexed(UInt8(237 + Int((v * 18).rounded())))
        }
    }

    /// Text colour readable on `heat(value)`.
    func onHeat(_ value: Double) -> TerminalColor {
        guard hasColor, value >= 0.05 else { return accent }
        switch depth {
        case .palette8, .palette16: return value < 0.5 ? .indexed(7) : .indexed(0)
        default: return value < 0.55 ? .indexed(255) : .indexed(232)
        }
    }
}
