import QLXRender

/// Colours for chrome (text, bars, heatmap) at the chosen depth; everything is `.default`
/// without colour, so attributes (bold, reverse) carry the meaning alone.
struct ChromePalette {
    let depth: ColorDepth

    var hasColor: Bool { depth != .none }

    /// The current value, the selected column: stands out on dark and light backgrounds.
    var accent: TerminalColor {
        switch depth {
        case .none: return .default
        case .palette8, .palette16: return .indexed(3)
        case .palette256, .trueColor: return .indexed(214)
        }
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
