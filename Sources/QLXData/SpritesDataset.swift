import Foundation
import QLXCore

/// The procedural dSprites grid: shape 3 (square, ellipse, heart) × scale 6 (0.5…1) ×
/// orientation 40 (0…2π inclusive) × posX 32 × posY 32 (0…1) = 737,280 binary 64×64 images,
/// each drawn on demand from its factor indices by `SpritesRenderer` (posX moves the sprite
/// right, posY moves it down). Index order is the published one: posY varies fastest.
public struct SpritesDataset: FactorDataset {
    public let name = "sprites"
    public let factorNames = ["shape", "scale", "orientation", "posX", "posY"]
    public let factorSizes = [3, SpritesRenderer.scaleCount, SpritesRenderer.orientationCount,
                              SpritesRenderer.positionCount, SpritesRenderer.positionCount]
    public let imageShape = ImageShape(channels: 1, height: SpritesRenderer.side, width: SpritesRenderer.side)
    private let grid: FactorGrid

    public init() { grid = FactorGrid(sizes: factorSizes) }

    /// Shapes by name; the other factors by index.
    public func valueName(factor: Int, value: Int) -> String {
        factor == 0 && value >= 0 && value < SpriteShape.allCases.count ? SpriteShape.allCases[value].name : "\(value)"
    }

    public var count: Int { grid.count }
    public func factors(at index: Int) -> [Int] { grid.factors(at: index) }
    public func index(of factors: [Int]) -> Int { grid.index(of: factors) }

    /// Images (N, 1, 64, 64) in {0, 1}. Batches of 64 or more are drawn on all cores.
    public func images(at indices: [Int]) -> Tensor {
        let grid = self.grid
        return drawImages(count: indices.count, shape: imageShape) { n, pixels in
            let f = grid.factors(at: indices[n])
            SpritesRenderer.render(shape: SpriteShape(rawValue: f[0])!, scale: f[1], orientation: f[2],
                                   posX: f[3], posY: f[4], into: pixels)
        }
    }

    /// The image of one factor tuple, (1, 1, 64, 64).
    public func image(factors: [Int]) -> Tensor { images(at: [index(of: factors)]) }
}

/// How many pieces to split batch work into: one per core.
func parallelChunkCount() -> Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// A batch (N, C, H, W) of zeroed images, each filled by `draw(n, pixels of image n)`; batches
/// of 64 or more are split across the cores (each image is written by one thread only).
func drawImages(count: Int, shape: ImageShape, _ draw: (Int, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let size = shape.channels * shape.height * shape.width
    var data = [Float](repeating: 0, count: count * size)
    withoutActuallyEscaping(draw) { draw in
        data.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            nonisolated(unsafe) let drawRange = { (range: Range<Int>) in for n in range { draw(n, base + n * size) } }
            let chunks = count >= 64 ? parallelChunkCount() : 1
            if chunks <= 1 {
                drawRange(0..<count)
            } else {
                let per = (count + chunks - 1) / chunks
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    drawRange((chunk * per)..<min(count, (chunk + 1) * per))
                }
            }
        }
    }
    return Tensor(shape: [count, shape.channels, shape.height, shape.width], data: data)
}
