import QLXCore
import QLXData

/// Training batches as a pure function of (seed, step): step s draws its indices from a
/// generator seeded by mixing the run's seed with s, skipping the held-out evaluation images.
/// No state carries from one step to the next, so resuming at step s needs only s.
public struct BatchSampler: Sendable {
    /// The sampler's state as stored in a checkpoint.
    public struct State: Codable, Equatable, Sendable {
        /// "splitmix64-per-step": documents the algorithm so a future change is detected.
        public var algorithm: String
        public var seed: UInt64
        /// The step whose batch comes next.
        public var nextStep: Int
    }

    public static let algorithm = "splitmix64-per-step"

    public let seed: UInt64
    public let batchSize: Int
    public let datasetCount: Int
    /// Indices of the held-out sample, in draw order, and as a set for rejection.
    public let heldOut: [Int]
    private let heldOutSet: Set<Int>

    public init(seed: UInt64, batchSize: Int, datasetCount: Int, heldOutCount: Int) {
        precondition(batchSize > 0 && heldOutCount >= 0 && heldOutCount < datasetCount)
        self.seed = seed
        self.batchSize = batchSize
        self.datasetCount = datasetCount
        heldOut = sampleDistinctIndices(count: heldOutCount, of: datasetCount, seed: Self.mix(seed, 0x4845_4C44_4F55_5421))
        heldOutSet = Set(heldOut)
    }

    /// The dataset indices of the batch for `step`.
    public func indices(step: Int) -> [Int] {
        precondition(step >= 0)
        var generator = SeededGenerator(seed: Self.mix(seed, UInt64(step)))
        var batch: [Int] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize {
            let index = Int(generator.next().multipliedFullWidth(by: UInt64(datasetCount)).high)
            if !heldOutSet.contains(index) { batch.append(index) }
        }
        return batch
    }

    public func state(nextStep: Int) -> State {
        State(algorithm: Self.algorithm, seed: seed, nextStep: nextStep)
    }

    /// Two SplitMix64 rounds over (seed, stream): distinct streams give unrelated seeds.
    static func mix(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var a = SeededGenerator(seed: seed)
        var b = SeededGenerator(seed: a.next() ^ stream)
        return b.next()
    }
}
