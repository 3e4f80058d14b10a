/// Rasterises one dSprites-style sprite from its factor indices. A pure function of the
/// indices: only IEEE-754 additions and multiplications in Double (no library sin/cos, whose
/// last bits differ between platforms), so every machine draws the same bits.
///
/// Geometry (64×64 canvas, pixel (x, y) covers [x, x+1)×[y, y+1), y grows downwards):
/// - a shape of scale s has half-size 9·s pixels (square half-side; the heart's and the
///   ellipse's half-width), so the largest square is 18 px wide (≈0.28 of the canvas);
/// - the ellipse's half-height is half its half-width; the heart's lobes point up at
///   orientation 0;
/// - orientation θ turns the shape counter-clockwise as seen on screen;
/// - posX moves the centre right and posY moves it DOWN, both from 13.5 to 50.5 px, so a
///   rotated largest square (corner 12.7 px from the centre) still fits inside.
/// A pixel is 1 when at least 2 of its 2×2 sub-samples (at ¼ and ¾ of the pixel) are inside.
public enum SpriteShape: Int, CaseIterable, Sendable {
    case square, ellipse, heart
    public var name: String { ["square", "ellipse", "heart"][rawValue] }
}

public enum SpritesRenderer {
    public static let side = 64
    public static let scaleCount = 6, orientationCount = 40, positionCount = 32
    static let halfSizeAtScaleOne = 9.0
    static let firstCentre = 13.5, lastCentre = 50.5

    /// dSprites scale values: linspace(0.5, 1, 6).
    public static func scale(_ k: Int) -> Double { 0.5 + Double(k) * 0.1 }
    /// dSprites orientation values: linspace(0, 2π, 40), both ends included (0 and 39 draw the same sprite).
    public static func orientation(_ k: Int) -> Double { 2 * Double.pi * Double(k) / Double(orientationCount - 1) }
    /// Pixel coordinate of the sprite centre for position index k (x rightwards, y downwards).
    public static func centre(_ k: Int) -> Double {
        firstCentre + (lastCentre - firstCentre) * Double(k) / Double(positionCount - 1)
    }

    /// cos and sin of every orientation, from series that use only + and ×.
    static let rotations: [(cos: Double, sin: Double)] = (0..<orientationCount).map {
        portableCosSin(orientation($0))
    }

    /// Draws the sprite into `pixels` (64×64 row-major, already zeroed), writing 1 inside.
    public static func render(shape: SpriteShape, scale scaleIndex: Int, orientation orientationIndex: Int,
                              posX: Int, posY: Int, into pixels: UnsafeMutablePointer<Float>) {
        let halfSize = halfSizeAtScaleOne * scale(scaleIndex)
        let (c, s) = rotations[orientationIndex]
        let cx = centre(posX), cy = centre(posY)
        // Screen offset (dx, dy) with y down → shape frame (u, v) with v up, rotated back by θ:
        // u = (c·dx − s·dy)/h, v = (−s·dx − c·dy)/h. Split into a column part and a row part.
        let a = c / halfSize, b = s / halfSize
        let reach = boundingRadius(shape) * halfSize + 1
        let x0 = max(0, Int(cx - reach)), x1 = min(side - 1, Int(cx + reach))
        let y0 = max(0, Int(cy - reach)), y1 = min(side - 1, Int(cy + reach))
        let columns = x1 - x0 + 1
        // Sub-sample columns: index 2·(x − x0) + j at x + 0.25 + 0.5·j.
        var uFromX = [Double](repeating: 0, count: 2 * columns)
        var vFromX = [Double](repeating: 0, count: 2 * columns)
        for i in 0..<(2 * columns) {
            let dx = Double(x0) + 0.25 + 0.5 * Double(i) - cx
            uFromX[i] = a * dx
            vFromX[i] = -(b * dx)
        }
        uFromX.withUnsafeBufferPointer { uX in
            vFromX.withUnsafeBufferPointer { vX in
                for y in y0...y1 {
                    let dyTop = Double(y) + 0.25 - cy, dyBottom = Double(y) + 0.75 - cy
                    let uTop = -(b * dyTop), vTop = -(a * dyTop)
                    let uBottom = -(b * dyBottom), vBottom = -(a * dyBottom)
                    let row = pixels + y * side
                    for column in 0..<columns {
                        let i = 2 * column
                        var hits = 0
                        if inside(shape, uX[i] + uTop, vX[i] + vTop) { hits += 1 }
                        if inside(shape, uX[i + 1] + uTop, vX[i + 1] + vTop) { hits += 1 }
                        if inside(shape, uX[i] + uBottom, vX[i] + vBottom) { hits += 1 }
                        if inside(shape, uX[i + 1] + uBottom, vX[i + 1] + vBottom) { hits += 1 }
                        if hits >= 2 { row[x0 + column] = 1 }
                    }
                }
            }
        }
    }

    /// Largest distance from the centre to the shape, in half-sizes.
    static func boundingRadius(_ shape: SpriteShape) -> Double {
        switch shape {
        case .square: return 1.415
        case .ellipse: return 1.0
        case .heart: return 1.25
        }
    }

    /// Point-in-shape in the shape's frame, unit half-size, v up.
    @inline(__always)
    static func inside(_ shape: SpriteShape, _ u: Double, _ v: Double) -> Bool {
        switch shape {
        case .square:
            return u >= -1 && u <= 1 && v >= -1 && v <= 1
        case .ellipse:
            return u * u + 4 * (v * v) <= 1
        case .heart:
            // (x² + y² − 1)³ ≤ x²·y³, the classic heart curve (x ∈ ±1.139, y ∈ [−1, 1.236]),
            // stretched so its bounding box is the unit square.
            let x = u * 1.139, y = v * 1.118 + 0.118
            let x2 = x * x, q = x2 + y * y - 1
            return q * q * q <= x2 * (y * y * y)
        }
    }
}

/// cos and sin of an angle in [0, 2π] by Taylor series after reduction to [−π, π]; only + and
/// × on Double, so the result is identical on every IEEE-754 machine. Error < 1e-15.
func portableCosSin(_ angle: Double) -> (cos: Double, sin: Double) {
    var x = angle
    if x > Double.pi { x -= 2 * Double.pi }
    var cosine = 0.0, sine = 0.0
    var term = 1.0   // x^n / n!
    var n = 0
    while n < 40 {
        switch n % 4 {
        case 0: cosine += term
        case 1: sine += term
        case 2: cosine -= term
        default: sine -= term
        }
        n += 1
        term = term * x / Double(n)
    }
    return (cosine, sine)
}
