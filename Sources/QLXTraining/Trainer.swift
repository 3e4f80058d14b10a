import Foundation
import QLXCore
import QLXData
import QLXModel
import QLXIO

/// A QLAE being trained: the model, its optimizer, the dataset and the step count. One
/// `step()` draws the batch for the current step, computes loss and gradients and applies one
/// AdamW update. Everything is deterministic given the options, so `checkpoint()` followed
/// by `init(resuming:)` continues bit-identically.
public struct Trainer: Sendable {
    public private(set) var model: QLAE
    public private(set) var optimizer: AdamW
    public let dataset: any FactorDataset
    public private(set) var options: TrainingOptions
    public let sampler: BatchSampler
    public private(set) var stepsDone: Int
    public private(set) var lastEvaluation: HeldOutEvaluation?

    /// A fresh run: weights initialised from `options.seed`.
    public init(config: QLAEConfig, dataset: any FactorDataset, options: TrainingOptions) throws {
        try config.validate()
        try options.validate(datasetCount: dataset.count)
        try Self.checkCompatible(config: config, dataset: dataset, path: nil)
        model = QLAE(config: config, seed: options.seed)
        try Self.checkBatchFits(options, model: model)
        optimizer = AdamW(hyperparameters: options.optimizerHyperparameters)
        self.dataset = dataset
        self.options = options
        sampler = BatchSampler(seed: options.seed, batchSize: options.batchSize, datasetCount: dataset.count,
                               heldOutCount: options.evaluationSamples)
        stepsDone = 0
    }

    /// Continues the run saved in `checkpoint` (read from `path`, for messages). `steps`
    /// replaces the total step count when given (to extend a finished run). `learningRate`
    /// and `weightDecay` replace the run's from the next step on when given, for a schedule
    /// run as phases (e.g. strong weight decay while the latents organise, weaker after);
    /// without them the run continues bit-identically. A new `learningRate` also ends the
    /// schedule's earlier drops; `learningRateDrops` (each after the steps already done)
    /// replace its later ones.
    public init(resuming checkpoint: Checkpoint, path: String, dataset: any FactorDataset, steps: Int? = nil,
                learningRate: Double? = nil, weightDecay: Double? = nil,
                learningRateDrops: [LearningRateDrop]? = nil) throws {
        guard let json = checkpoint.metadata[TrainingState.metadataKey] else {
            throw TrainingError.missingTrainingState(path: path)
        }
        let state = try TrainingState.parse(json, path: path)
        // The stored settings are checked as stored, before any flag changes them: a damaged
        // one is the checkpoint's fault, not a flag's the user never passed.
        try Self.blamingTheState(path: path) { try state.options.validate(datasetCount: dataset.count) }
        var options = state.options
        if let steps { options.steps = steps }
        if let learningRate {
            options.hyperparameters.learningRate = learningRate
            options.learningRateDrops = options.learningRateDrops?.filter { $0.step > state.stepsDone }
        }
        if let learningRateDrops {
            if let early = learningRateDrops.first(where: { $0.step <= state.stepsDone }) {
                throw TrainingError.invalidSetting(.learningRateDrop, expected: "steps after the \(state.stepsDone) already done in \(path)",
                                                found: "\(early.step):\(early.rate)")
            }
            let past = options.learningRateDrops?.filter { $0.step <= state.stepsDone } ?? []
            options.learningRateDrops = past + learningRateDrops
        }
        if options.learningRateDrops?.isEmpty == true { options.learningRateDrops = nil }
        if let weightDecay { options.weightDecay = weightDecay }
        try options.validate(datasetCount: dataset.count)
        try Self.checkCompatible(config: checkpoint.config, dataset: dataset, path: path)
        guard state.sampler.algorithm == BatchSampler.algorithm, state.sampler.seed == options.seed else {
            throw TrainingError.invalidTrainingState(path: path, reason: "batch sampler \(quoted(state.sampler.algorithm)) with seed \(state.sampler.seed) does not match this qlx (\(BatchSampler.algorithm), seed \(options.seed))")
        }
        guard state.stepsDone <= options.steps else {
            throw TrainingError.invalidSetting(.steps, expected: "at least the \(state.stepsDone) steps already done in \(path)",
                                            found: "\(options.steps)")
        }
        let model = try checkpoint.model()
        try Self.blamingTheState(path: path) { try Self.checkBatchFits(options, model: model) }
        self.model = model
        var moments: [String: Tensor] = [:]
        for (name, tensor) in checkpoint.tensors where name.hasPrefix(TrainingState.optimizerPrefix) {
            moments[String(name.dropFirst(TrainingState.optimizerPrefix.count))] = tensor
        }
        do {
            let shapes = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.key, $0.value.shape) })
            optimizer = try AdamW(hyperparameters: options.optimizerHyperparameters, stateTensors: moments,
                                  step: state.stepsDone, parameterShapes: shapes)
        } catch {
            throw TrainingError.invalidTrainingState(path: path, reason: "\(error)")
        }
        self.dataset = dataset
        self.options = options
        sampler = BatchSampler(seed: options.seed, batchSize: options.batchSize, datasetCount: dataset.count,
                               heldOutCount: options.evaluationSamples)
        stepsDone = state.stepsDone
        lastEvaluation = state.lastEvaluation
    }

    /// Refuses a batch whose training buffers would not fit in memory, before the first step
    /// allocates them.
    static func checkBatchFits(_ options: TrainingOptions, model: QLAE) throws {
        let maximum = SizeLimit.maximumCount(bytesEach: model.trainingBytesPerImage())
        guard options.batchSize <= maximum else {
            throw TrainingError.invalidSetting(.batchSize, expected: "at most \(maximum) (images whose training buffers fit in \(SizeLimit.memoryLimitDescription))",
                                               found: "\(options.batchSize)")
        }
    }

    public var isFinished: Bool { stepsDone >= options.steps }

    /// One optimizer step on the batch for `stepsDone`; returns that batch's loss (before the
    /// update). Subnormals are flushed (see `SubnormalFlush`): weight decay drives Adam's
    /// second moments there, and every step runs in the same mode, so resuming stays exact.
    /// A dataset file that changed since it was opened (`MappedFiles.changed()`) throws that
    /// `DataError.fileChanged` before the update: the state stays the last good one.
    @discardableResult
    public mutating func step() throws -> LossTerms {
        let images = try dataset.images(at: sampler.indices(step: stepsDone))
        if let change = MappedFiles.changed() { throw change }
        optimizer.hyperparameters.learningRate = Float(options.learningRate(afterSteps: stepsDone))
        let loss = SubnormalFlush.enabled {
            let (loss, gradients) = model.lossAndGradients(images: images, weights: options.lossWeights)
            model.applyUpdate(gradients: gradients, optimizer: &optimizer)
            return loss
        }
        stepsDone += 1
        return loss
    }

    /// Reconstruction and codebook figures on the held-out sample; remembered for checkpoints.
    @discardableResult
    public mutating func evaluate() throws -> HeldOutEvaluation {
        let result = try HeldOutEvaluation.measure(model: model, dataset: dataset, indices: sampler.heldOut, step: stepsDone)
        lastEvaluation = result
        return result
    }

    /// Everything needed to resume: parameters, optimizer moments, options, step, sampler
    /// state, plus `metadata` (e.g. "qlx.metrics").
    public func checkpoint(metadata: [String: String] = [:]) -> Checkpoint {
        var tensors = model.parameters
        for (name, tensor) in optimizer.stateTensors { tensors[TrainingState.optimizerPrefix + name] = tensor }
        var config = model.config
        config.training = options.settings(stepsDone: stepsDone)
        let state = TrainingState(options: options, stepsDone: stepsDone, sampler: sampler.state(nextStep: stepsDone),
                                  lastEvaluation: lastEvaluation)
        var allMetadata = metadata
        allMetadata[TrainingState.metadataKey] = state.json()
        return Checkpoint(config: config, tensors: tensors, metadata: allMetadata)
    }

    static func checkCompatible(config: QLAEConfig, dataset: any FactorDataset, path: String?) throws {
        try dataset.checkImages(fit: config.image)
        if let path, config.dataset.name != dataset.name {
            throw TrainingError.invalidTrainingState(path: path, reason: "trained on dataset \(quoted(config.dataset.name)), not \(quoted(dataset.name))")
        }
    }

    /// Runs `check` on settings the training state fixes (batch size, evaluation samples),
    /// reporting a bad one as the state's, naming the setting, not as a flag's.
    private static func blamingTheState(path: String, _ check: () throws -> Void) throws {
        do { try check() } catch let TrainingError.invalidSetting(setting, expected, found) {
            throw TrainingError.invalidTrainingState(path: path, reason: "its training state's \(setting.rawValue): expected \(expected), found \(found)")
        }
    }
}
