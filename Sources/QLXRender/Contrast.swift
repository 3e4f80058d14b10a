#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An sRGB colour, 8 bits a channel.
public struct RGB: Equatable, Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// WCAG 2 relative luminance, 0 (black) … 1 (white).
    public var luminance: Double {
        func linear(_ v: UInt8) -> Double {
            let c = Double(v) / 255
            return c <= 0.040_45 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// Whether dark text reads better on it than light text (a light background).
    public var isLight: Bool { Self.contrast(self, RGB(0, 0, 0)) > Self.contrast(self, RGB(255, 255, 255)) }

    /// The WCAG 2 contrast ratio of two colours, 1 (none) … 21 (black on white): the one rule
    /// by which chrome colours are chosen for the terminal's background.
    public static func contrast(_ a: RGB, _ b: RGB) -> Double {
        let (x, y) = (a.luminance, b.luminance)
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }
}

