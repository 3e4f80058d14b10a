import QLXCore
import QLXModel

/// Hyperparameters of a training run. Together with the step count they determine the run
/// completely: batches are a pure function of (seed, step), so a resumed run is bit-identical
/// to an uninterrupted one. Stored in every checkpoint (see `TrainingState`).
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Total number of optimizer steps.
    public var steps: Int
    public var batchSize: Int
    /// The rate until the first of `learningRateDrops` (all along without drops).
    public var learningRate: Double
    /// A step schedule, sorted by step: from each drop's step on, its rate. Nil (not []) when
    /// there are none, so checkpoints written before schedules existed read back unchanged.
    public var learningRateDrops: [LearningRateDrop]?
    public var weightDecay: Double
    public var quantizationWeight: Double
    public var commitmentWeight: Double
    /// Seeds the initial weights, the batches and the held-out sample.
    public var seed: UInt64
    /// Size of the fixed held-out sample used for evaluation (excluded from training batches).
    public var evaluationSamples: Int

    public init(steps: Int, batchSize: Int = 64, learningRate: Double = 1e-3, weightDecay: Double = 0.1,
                quantizationWeight: Double = 0.01, commitmentWeight: Double = 0.01, seed: UInt64 = 0,
                evaluationSamples: Int = 1000, learningRateDrops: [LearningRateDrop]? = nil) {
        self.steps = steps
        self.learningRateDrops = learningRateDrops
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.quantizationWeight = quantizationWeight
        self.commitmentWeight = commitmentWeight
        self.seed = seed
        self.evaluationSamples = evaluationSamples
    }

    public var lossWeights: LossWeights {
        LossWeights(quantization: Float(quantizationWeight), commitment: Float(commitmentWeight))
    }

    /// The rate of the update made after `stepsDone` steps.
    public func learningRate(afterSteps stepsDone: Int) -> Double {
        learningRateDrops?.last(where: { $0.step <= stepsDone })?.rate ?? learningRate
    }

    /// AdamW with element-wise clipping to [−1, 1] on the decayed group (the reference's optax chain).
    public var optimizerHyperparameters: AdamW.Hyperparameters {
        AdamW.Hyperparameters(learningRate: Float(learningRate), weightDecay: Float(weightDecay), clip: 1)
    }

    /// Throws for values a run cannot use, naming the setting.
    public func validate(datasetCount: Int) throws {
        func positive(_ value: Int, _ setting: TrainingSetting) throws {
            guard value > 0 else { throw TrainingError.invalidSetting(setting, expected: "a positive integer", found: "\(value)") }
        }
        func nonNegative(_ value: Double, _ setting: TrainingSetting) throws {
            guard value.isFinite, value >= 0 else {
                throw TrainingError.invalidSetting(setting, expected: "a finite number ≥ 0", found: "\(value)")
            }
        }
        try positive(steps, .steps)
        try positive(batchSize, .batchSize)
        guard learningRate.isFinite, learningRate > 0 else {
            throw TrainingError.invalidSetting(.learningRate, expected: "a finite number > 0", found: "\(learningRate)")
        }
        try validateDrops()
        try nonNegative(weightDecay, .weightDecay)
        try nonNegative(quantizationWeight, .quantizationWeight)
        try nonNegative(commitmentWeight, .commitmentWeight)
        try positive(evaluationSamples, .evaluationSamples)
        guard evaluationSamples <= datasetCount / 2 else {
            throw TrainingError.invalidSetting(.evaluationSamples, expected: "at most half the dataset (\(datasetCount / 2))",
                                               found: "\(evaluationSamples)")
        }
    }

    private func validateDrops() throws {
        var previous = 0
        for drop in learningRateDrops ?? [] {
            let text = "\(drop.step):\(drop.rate)"
            guard drop.step > previous, drop.step < steps else {
                throw TrainingError.invalidSetting(.learningRateDrop, expected: "steps in increasing order, each after \(previous) and before the last step \(steps)",
                                                   found: text)
            }
            guard drop.rate.isFinite, drop.rate > 0 else {
                throw TrainingError.invalidSetting(.learningRateDrop, expected: "a rate that is a finite number > 0", found: text)
            }
            previous = drop.step
        }
    }

    /// The informational record kept in the model config.
    public func settings(stepsDone: Int) -> TrainingSettings {
        TrainingSettings(steps: steps, batchSize: batchSize, learningRate: learningRate, weightDecay: weightDecay,
                         quantizationWeight: quantizationWeight, commitmentWeight: commitmentWeight,
                         seed: seed, stepsDone: stepsDone, learningRateDrops: learningRateDrops)
    }
}
