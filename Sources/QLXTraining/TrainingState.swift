import Foundation
import QLXCore
import QLXIO
import QLXModel

/// What a checkpoint needs besides the parameters to continue a run exactly: the options, the
/// number of steps done, the batch sampler's state and the last evaluation. Stored as JSON in
/// the metadata key "qlx.training_state"; the optimizer moments are tensors
/// "optimizer.m.<param>" and "optimizer.v.<param>".
public struct TrainingState: Codable, Equatable, Sendable {
    public static let metadataKey = "qlx.training_state"
    public static let optimizerPrefix = "optimizer."
    public static let currentFormat = 1

    public var format: Int
    public var options: TrainingOptions
    /// Optimizer steps applied so far; the next batch is `BatchSampler.indices(step: stepsDone)`.
    public var stepsDone: Int
    public var sampler: BatchSampler.State
    public var lastEvaluation: HeldOutEvaluation?

    public init(options: TrainingOptions, stepsDone: Int, sampler: BatchSampler.State,
                lastEvaluation: HeldOutEvaluation?) {
        self.format = Self.currentFormat
        self.options = options
        self.stepsDone = stepsDone
        self.sampler = sampler
        self.lastEvaluation = lastEvaluation
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Encoding plain numbers, strings and arrays cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Parses the metadata value of a checkpoint at `path` (for messages).
    public static func parse(_ json: String, path: String) throws -> TrainingState {
        let state: TrainingState
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            state = try decoder.decode(TrainingState.self, from: Data(json.utf8))
        } catch {
            throw TrainingError.invalidTrainingState(path: path, reason: "metadata \(metadataKey) is not valid training state JSON (\(escaped("\(error)")))")
        }
        guard state.format == currentFormat else {
            throw TrainingError.invalidTrainingState(path: path, reason: "training state format \(state.format), expected \(currentFormat)")
        }
        guard state.stepsDone >= 0 else {
            throw TrainingError.invalidTrainingState(path: path, reason: "expected steps done ≥ 0, found \(state.stepsDone)")
        }
        guard state.sampler.nextStep == state.stepsDone else {
            throw TrainingError.invalidTrainingState(path: path, reason: "sampler is at step \(state.sampler.nextStep) but \(state.stepsDone) steps are done")
        }
        return state
    }
}
