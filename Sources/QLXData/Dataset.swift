import Foundation
import QLXCore

/// A dataset whose images are indexed by a grid of ground-truth factors (dSprites, Shapes3D):
/// image i has one value index per factor, and every combination of factor values occurs
/// exactly once. Images are produced on demand; nothing holds the whole set in memory.
public protocol FactorDataset: Sendable {
    /// Short name used on the command line and in checkpoints ("sprites").
    var name: String { get }
    /// One name per factor, in index order (the last factor varies fastest).
    var factorNames: [String] { get }
    /// Number of values of each factor.
    var factorSizes: [Int] { get }
    /// C×H×W of every image.
    var imageShape: ImageShape { get }
    /// Number of images: the product of `factorSizes`.
    var count: Int { get }
    /// The factor value indices of image `index` (0..<count).
    func factors(at index: Int) -> [Int]
    /// The image index of a factor tuple (one in-range value index per factor).
    func index(of factors: [Int]) -> Int
    /// Images (N, C, H, W) with values in [0, 1], in the order of `indices`. Procedural
    /// datasets never throw; a file throws when a row cannot be read (damaged after opening).
    func images(at indices: [Int]) throws -> Tensor
}

extension FactorDataset {
    /// The dataset's description for a model config.
    public var info: DatasetInfo {
        DatasetInfo(name: name, factorNames: factorNames, factorSizes: factorSizes)
    }

    /// Throws unless this dataset's images have `shape`, a model's input: the one check made
    /// wherever a dataset is fed to a model (metrics, encode, traverse, the explorer).
    public func checkImages(fit shape: ImageShape) throws {
        guard imageShape == shape else {
            throw DataError.imageShapeMismatch(dataset: name, expected: shape, found: imageShape)
        }
    }

    /// `factors(at:)` for user-supplied indices: throws instead of trapping.
    public func checkedFactors(at index: Int) throws -> [Int] {
        guard (0..<count).contains(index) else {
            throw DataError.indexOutOfRange(dataset: name, index: index, count: count)
        }
        return factors(at: index)
    }

    /// `index(of:)` for user-supplied factor tuples: throws instead of trapping.
    public func checkedIndex(of factors: [Int]) throws -> Int {
        guard factors.count == factorSizes.count,
              zip(factors, factorSizes).allSatisfy({ (0..<$1).contains($0) }) else {
            throw DataError.invalidFactors(dataset: name, expectedSizes: factorSizes, found: factors)
        }
        return index(of: factors)
    }

    /// Factor value indices of many images, one row per index.
    public func factors(at indices: [Int]) -> [[Int]] { indices.map { factors(at: $0) } }
}

/// Mixed-radix conversion between an image index and its factor tuple, the last factor
/// varying fastest (the order of the published dSprites arrays).
public struct FactorGrid: Sendable, Equatable {
    public let sizes: [Int]
    public let count: Int
    private let strides: [Int]

    public init(sizes: [Int]) {
        precondition(!sizes.isEmpty && sizes.allSatisfy { $0 > 0 }, "factor sizes must be positive: \(sizes)")
        self.sizes = sizes
        var strides = [Int](repeating: 1, count: sizes.count)
        for i in stride(from: sizes.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * sizes[i + 1] }
        self.strides = strides
        self.count = strides[0] * sizes[0]
    }

    public func factors(at index: Int) -> [Int] {
        precondition((0..<count).contains(index), "image index \(index) outside 0..<\(count)")
        return zip(strides, sizes).map { index / $0 % $1 }
    }

    public func index(of factors: [Int]) -> Int {
        precondition(factors.count == sizes.count, "expected \(sizes.count) factors, got \(factors.count)")
        var index = 0
        for i in sizes.indices {
            precondition((0..<sizes[i]).contains(factors[i]), "factor \(i) value \(factors[i]) outside 0..<\(sizes[i])")
            index += factors[i] * strides[i]
        }
        return index
    }
}

/// The datasets qlx can generate or load, by name.
public enum Datasets {
    public static let names = ["sprites", "scenes"]

    public static func named(_ name: String) throws -> any FactorDataset {
        switch name {
        case "sprites": return SpritesDataset()
        case "scenes": return ScenesDataset()
        default: throw DataError.unknownDataset(name: name, known: names)
        }
    }

    /// A procedural dataset by name, or else a dataset file by path (format from its content).
    public static func resolve(_ nameOrPath: String, classesPath: String? = nil, factorNames: [String]? = nil,
                               progress: ProgressHandler? = nil) throws -> any FactorDataset {
        if names.contains(nameOrPath) { return try named(nameOrPath) }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            if nameOrPath.contains("/") || nameOrPath.contains(".") {
                throw DataError.fileUnreadable(path: nameOrPath, reason: "no such file")
            }
            throw DataError.unknownDataset(name: nameOrPath, known: names)
        }
        return try DatasetFile.open(path: nameOrPath, classesPath: classesPath, factorNames: factorNames, progress: progress)
    }
}

/// `count` indices drawn uniformly (with replacement) from 0..<datasetCount (training batches,
/// value ranges; a command's sample of images is `drawSample`); the same seed
/// gives the same indices on every machine (SplitMix64 and a multiply-shift range reduction,
/// no library randomness whose algorithm could change).
public func sampleIndices(count: Int, of datasetCount: Int, seed: UInt64) -> [Int] {
    precondition(count >= 0 && datasetCount > 0, "cannot sample \(count) of \(datasetCount)")
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in uniformIndex(below: datasetCount, using: &generator) }
}

/// `count` distinct indices drawn uniformly from 0..<datasetCount (count ≤ datasetCount),
/// deterministic per seed: the held-out evaluation sample.
public func sampleDistinctIndices(count: Int, of datasetCount: Int, seed: UInt64) -> [Int] {
    precondition(count >= 0 && count <= datasetCount, "cannot draw \(count) distinct of \(datasetCount)")
    var generator = SeededGenerator(seed: seed)
    var chosen = Set<Int>(), result: [Int] = []
    result.reserveCapacity(count)
    while result.count < count {
        let index = uniformIndex(below: datasetCount, using: &generator)
        if chosen.insert(index).inserted { result.append(index) }
    }
    return result
}

/// The images a command's sample of `count` takes from a dataset of `datasetCount` (`qlx
/// metrics`, `qlx encode`, the explorer's metrics and quantiles), deterministic per seed:
/// distinct images while the dataset has enough, and beyond its size every image once, the
/// rest drawn again (`repeatedDraws` says how many, for the command to tell).
public func drawSample(count: Int, of datasetCount: Int, seed: UInt64) -> [Int] {
    precondition(count >= 0 && datasetCount > 0, "cannot draw \(count) of \(datasetCount)")
    if 2 * count <= datasetCount { return sampleDistinctIndices(count: count, of: datasetCount, seed: seed) }
    // Most of the dataset: the first `count` places of a seeded shuffle (Fisher–Yates), which
    // rejection would reach only after many repeats.
    var generator = SeededGenerator(seed: seed)
    var order = Array(0..<datasetCount)
    for i in 0..<min(count, datasetCount - 1) {
        order.swapAt(i, i + uniformIndex(below: datasetCount - i, using: &generator))
    }
    guard count > datasetCount else { return Array(order.prefix(count)) }
    return order + (0..<(count - datasetCount)).map { _ in uniformIndex(below: datasetCount, using: &generator) }
}

/// How many of `drawSample(count:of:seed:)`'s draws repeat an image already drawn.
public func repeatedDraws(count: Int, of datasetCount: Int) -> Int { max(0, count - datasetCount) }
