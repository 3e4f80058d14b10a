import Foundation
import QLXCore

/// The procedural colour scenes: the Shapes3D factor grid (floor hue 10 × wall hue 10 × object
/// hue 10 × scale 8 × shape 4 × orientation 15 = 480,000 images of 3×64×64), drawn on demand by
/// `SceneRenderer`. Index order as in the published Shapes3D file: orientation varies fastest.
///
/// Geometry (which surface each sub-sample sees, and its shading) depends only on
/// orientation, scale and shape; the 480 geometries are ray-cast once each, on first use, and
/// kept (23 MB when all are cached). Colouring an image from its geometry is then three
/// multiply-adds per channel and pixel.
public struct ScenesDataset: FactorDataset {
    public let name = "scenes"
    /// Shapes3D's factors, named as qlx reads them from the published file.
    public let factorNames = DatasetFile.shapes3dFactors
    public let factorSizes = [SceneRenderer.hueCount, SceneRenderer.hueCount, SceneRenderer.hueCount,
                              SceneRenderer.scaleCount, SceneShape.allCases.count, SceneRenderer.orientationCount]
    public let imageShape = ImageShape(channels: 3, height: SceneRenderer.side, width: SceneRenderer.side)
    private let grid: FactorGrid

    /// Shapes by name; hues, scale and orientation by index (hues have `valueColour`).
    public func valueName(factor: Int, value: Int) -> String {
        factor == 4 && SceneShape.allCases.indices.contains(value) ? SceneShape.allCases[value].name : "\(value)"
    }

    /// The three hue factors' colours, as the renderer paints them.
    public func valueColour(factor: Int, value: Int) -> (r: Float, g: Float, b: Float)? {
        factor < 3 && (0..<SceneRenderer.hueCount).contains(value) ? SceneRenderer.hueColour(value) : nil
    }
    private let geometries: SceneGeometryCache

    public init() {
        grid = FactorGrid(sizes: factorSizes)
        geometries = SceneGeometryCache.shared
    }

    public var count: Int { grid.count }
    public func factors(at index: Int) -> [Int] { grid.factors(at: index) }
    public func index(of factors: [Int]) -> Int { grid.index(of: factors) }

    /// Images (N, 3, 64, 64) in [0, 1]. Batches of 64 or more are drawn on all cores.
    public func images(at indices: [Int]) -> Tensor {
        let grid = self.grid, geometries = self.geometries
        return drawImages(count: indices.count, shape: imageShape) { n, pixels in
            let f = grid.factors(at: indices[n])
            let weights = geometries.weights(shape: f[4], scale: f[3], orientation: f[5])
            Self.colour(weights: weights, floor: f[0], wall: f[1], object: f[2], into: pixels)
        }
    }

    /// The image of one factor tuple, (1, 3, 64, 64).
    public func image(factors: [Int]) -> Tensor { images(at: [index(of: factors)]) }

    /// Planar RGB: channel c of a pixel is Σ over surfaces of weight × that surface's hue.
    static func colour(weights: [Float], floor: Int, wall: Int, object: Int, into pixels: UnsafeMutablePointer<Float>) {
        let plane = SceneRenderer.side * SceneRenderer.side
        let hues = [SceneRenderer.hueColour(floor), SceneRenderer.hueColour(wall), SceneRenderer.hueColour(object)]
        let channels: [[Float]] = [hues.map(\.r), hues.map(\.g), hues.map(\.b)]
        weights.withUnsafeBufferPointer { w in
            for c in 0..<3 {
                let (kf, kw, ko) = (channels[c][0], channels[c][1], channels[c][2])
                let out = pixels + c * plane
                for p in 0..<plane {
                    out[p] = w[p] * kf + w[plane + p] * kw + w[2 * plane + p] * ko
                }
            }
        }
    }
}

/// The ray-cast weights of each (shape, scale, orientation), computed on first use and shared
/// by every `ScenesDataset` in the process. Two threads may cast the same geometry at once;
/// both get the same bits, and the first stored wins.
final class SceneGeometryCache: @unchecked Sendable {
    static let shared = SceneGeometryCache()
    private let lock = NSLock()
    private var entries: [[Float]?]

    private init() {
        entries = Array(repeating: nil, count: SceneShape.allCases.count * SceneRenderer.scaleCount * SceneRenderer.orientationCount)
    }

    func weights(shape: Int, scale: Int, orientation: Int) -> [Float] {
        let key = (shape * SceneRenderer.scaleCount + scale) * SceneRenderer.orientationCount + orientation
        if let cached = lock.withLock({ entries[key] }) { return cached }
        let computed = SceneRenderer.weights(shape: SceneShape(rawValue: shape)!, scale: scale, orientation: orientation)
        return lock.withLock {
            if let stored = entries[key] { return stored }
            entries[key] = computed
            return computed
        }
    }
}
