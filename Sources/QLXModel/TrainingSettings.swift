import QLXCore

/// A step in a learning-rate schedule: from `step` optimizer steps done on, the rate is `rate`.
public struct LearningRateDrop: Codable, Equatable, Sendable {
    public var step: Int
    public var rate: Double
    public init(step: Int, rate: Double) {
        self.step = step
        self.rate = rate
    }
}

/// The hyperparameters of a training run: the one list of them, which `qlx train`'s options
/// (QLXTraining's `TrainingOptions`) and the record a checkpoint keeps (`TrainingSettings`)
/// both hold.
public struct TrainingHyperparameters: Codable, Equatable, Sendable {
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

    public init(steps: Int, batchSize: Int, learningRate: Double, weightDecay: Double, quantizationWeight: Double,
                commitmentWeight: Double, seed: UInt64, learningRateDrops: [LearningRateDrop]? = nil) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.learningRateDrops = learningRateDrops
        self.weightDecay = weightDecay
        self.quantizationWeight = quantizationWeight
        self.commitmentWeight = commitmentWeight
        self.seed = seed
    }
}

/// How the model was trained (informational; `qlx train --resume` reads it back): the
/// hyperparameters, read through as its own (`settings.batchSize`), and the steps done. In
/// JSON one flat object, the hyperparameters' keys beside `stepsDone`.
public struct TrainingSettings: Embedding, Codable, Equatable, Sendable {
    public static var embedded: WritableKeyPath<TrainingSettings, TrainingHyperparameters> { \.hyperparameters }
    public var hyperparameters: TrainingHyperparameters
    public var stepsDone: Int

    public init(_ hyperparameters: TrainingHyperparameters, stepsDone: Int) {
        self.hyperparameters = hyperparameters
        self.stepsDone = stepsDone
    }

    public init(from decoder: Decoder) throws {
        (hyperparameters, stepsDone) = try FlatCoding.decode(from: decoder, field: "stepsDone")
    }

    public func encode(to encoder: Encoder) throws {
        try FlatCoding.encode(hyperparameters, field: "stepsDone", stepsDone, to: encoder)
    }
}
