import QLXCore
import QLXModel

/// A training run's options: the hyperparameters (QLXModel's `TrainingHyperparameters`, read
/// through as its own, `options.steps`) and the held-out sample's size. Together with the step
/// count they determine the run completely: batches are a pure function of (seed, step), so a
/// resumed run is bit-identical to an uninterrupted one. Stored in every checkpoint (see
/// `TrainingState`) as one flat JSON object.
public struct TrainingOptions: Embedding, Codable, Equatable, Sendable {
    public static var embedded: WritableKeyPath<TrainingOptions, TrainingHyperparameters> { \.hyperparameters }
    public var hyperparameters: TrainingHyperparameters
    /// Size of the fixed held-out sample used for evaluation (excluded from training batches).
    public var evaluationSamples: Int

    /// `qlx train`'s defaults.
    public init(steps: Int, batchSize: Int = 64, learningRate: Double = 1e-3, weightDecay: Double = 0.1,
                quantizationWeight: Double = 0.01, commitmentWeight: Double = 0.01, seed: UInt64 = 0,
                evaluationSamples: Int = 1000, learningRateDrops: [LearningRateDrop]? = nil) {
        hyperparameters = TrainingHyperparameters(steps: steps, batchSize: batchSize, learningRate: learningRate,
                                                  weightDecay: weightDecay, quantizationWeight: quantizationWeight,
                                                  commitmentWeight: commitmentWeight, seed: seed,
                                                  learningRateDrops: learningRateDrops)
        self.evaluationSamples = evaluationSamples
    }

    public init(from decoder: Decoder) throws {
        (hyperparameters, evaluationSamples) = try FlatCoding.decode(from: decoder, field: "evaluationSamples")
    }

    public func encode(to encoder: Encoder) throws {
        try FlatCoding.encode(hyperparameters, field: "evaluationSamples", evaluationSamples, to: encoder)
    }

    public var lossWeights: LossWeights {
        LossWeights(quantization: Float(hyperparameters.quantizationWeight), commitment: Float(hyperparameters.commitmentWeight))
    }

    /// The rate of the update made after `stepsDone` steps.
    public func learningRate(afterSteps stepsDone: Int) -> Double {
        hyperparameters.learningRateDrops?.last(where: { $0.step <= stepsDone })?.rate ?? hyperparameters.learningRate
    }

    /// AdamW with element-wise clipping to [−1, 1] on the decayed group (the reference's optax chain).
    public var optimizerHyperparameters: AdamW.Hyperparameters {
        AdamW.Hyperparameters(learningRate: Float(hyperparameters.learningRate), weightDecay: Float(hyperparameters.weightDecay), clip: 1)
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
        try positive(hyperparameters.steps, .steps)
        try positive(hyperparameters.batchSize, .batchSize)
        guard hyperparameters.learningRate.isFinite, hyperparameters.learningRate > 0 else {
            throw TrainingError.invalidSetting(.learningRate, expected: "a finite number > 0", found: "\(hyperparameters.learningRate)")
        }
        try validateDrops()
        try nonNegative(hyperparameters.weightDecay, .weightDecay)
        try nonNegative(hyperparameters.quantizationWeight, .quantizationWeight)
        try nonNegative(hyperparameters.commitmentWeight, .commitmentWeight)
        try positive(evaluationSamples, .evaluationSamples)
        guard evaluationSamples <= datasetCount / 2 else {
            throw TrainingError.invalidSetting(.evaluationSamples, expected: "at most half the dataset (\(datasetCount / 2))",
                                               found: "\(evaluationSamples)")
        }
    }

    private func validateDrops() throws {
        var previous = 0
        for drop in hyperparameters.learningRateDrops ?? [] {
            let text = "\(drop.step):\(drop.rate)"
            guard drop.step > previous, drop.step < hyperparameters.steps else {
                throw TrainingError.invalidSetting(.learningRateDrop, expected: "steps in increasing order, each after \(previous) and before the last step \(hyperparameters.steps)",
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
        TrainingSettings(hyperparameters, stepsDone: stepsDone)
    }
}
