import Foundation
import QLXCore
import QLXData
import QLXIO
import QLXModel

/// When to evaluate and save during `Trainer.run`.
public struct TrainingSchedule: Sendable {
    /// Where checkpoints go (written atomically, each replacing the last).
    public var outputPath: String
    /// Evaluate on the held-out sample every this many steps (0: only at the end).
    public var evaluateEvery: Int
    /// Save every this many steps (0: only at the end and when stopped).
    public var checkpointEvery: Int
    /// Also keep a copy every this many steps, at `snapshotPath(step:)` (0: none), so the
    /// checkpoints along a run can be compared afterwards (e.g. with `qlx metrics`).
    public var snapshotEvery: Int
    /// What an existing file at the output or a snapshot path must be to be replaced (nil:
    /// anything, `--force`).
    public var replacing: AtomicFile.Kind?

    public init(outputPath: String, evaluateEvery: Int = 0, checkpointEvery: Int = 0, snapshotEvery: Int = 0,
                replacing: AtomicFile.Kind? = SafetensorsFile.fileKind) {
        self.outputPath = outputPath
        self.evaluateEvery = evaluateEvery
        self.checkpointEvery = checkpointEvery
        self.snapshotEvery = snapshotEvery
        self.replacing = replacing
    }

    /// "run.safetensors" → "run-step12000.safetensors" (the extension is kept if any).
    public func snapshotPath(step: Int) -> String {
        let url = URL(fileURLWithPath: outputPath)
        let stem = url.deletingPathExtension().lastPathComponent
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)-step\(step)\(suffix)").path
    }
}

/// What `Trainer.run` reports as it goes.
public enum TrainingEvent: Sendable {
    /// Step `step` (1-based count of steps done) of `total` finished in `seconds`.
    case step(step: Int, total: Int, loss: LossTerms, seconds: Double, images: Int)
    case evaluation(HeldOutEvaluation)
    case checkpoint(path: String, step: Int)
    /// A line of text: a scheduled learning-rate drop taking effect, or a later phase (final metrics).
    case note(String)
}

public enum TrainingOutcome: Equatable, Sendable {
    case finished
    /// `shouldStop` returned true; a checkpoint at `step` was written.
    case stopped(step: Int)
}

extension Trainer {
    /// Trains until `options.steps`, evaluating and saving on `schedule`. `shouldStop` is
    /// polled between steps (a signal handler's flag): when it turns true the state is saved
    /// and the run returns `.stopped`. At the end: a final evaluation, a checkpoint, then
    /// `finalMetadata` (e.g. disentanglement metrics, which take a while) and a checkpoint
    /// that includes it, so an interruption during the metrics still leaves the trained model.
    public mutating func run(schedule: TrainingSchedule, shouldStop: () -> Bool,
                             finalMetadata: ((Trainer) throws -> [String: String])? = nil,
                             observe: (TrainingEvent) -> Void) throws -> TrainingOutcome {
        func save(_ metadata: [String: String] = [:], to path: String = schedule.outputPath) throws {
            try checkpoint(metadata: metadata).write(to: path, replacing: schedule.replacing)
            observe(.checkpoint(path: path, step: stepsDone))
        }
        // A failed periodic save or snapshot (disk full, folder removed) should not end an
        // hour of training: warn and try again at the next one. The final save must succeed.
        func saveOrWarn(to path: String = schedule.outputPath) {
            do { try save(to: path) } catch { observe(.note("warning: \(error); training continues")) }
        }
        func snapshotIfDue() {
            guard schedule.snapshotEvery > 0 && stepsDone % schedule.snapshotEvery == 0 else { return }
            saveOrWarn(to: schedule.snapshotPath(step: stepsDone))
        }
        while !isFinished {
            if shouldStop() {
                try save()
                return .stopped(step: stepsDone)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let loss: LossTerms
            do { loss = try step() } catch let change as DataError {
                guard case .fileChanged = change else { throw change }
                // The step was refused before its update: save the state the run had reached.
                try save()
                throw TrainingError.dataChanged(change: "\(change)", stepsDone: stepsDone, checkpoint: schedule.outputPath)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard loss.total.isFinite else { throw TrainingError.diverged(step: stepsDone, loss: loss.total) }
            observe(.step(step: stepsDone, total: options.steps, loss: loss, seconds: seconds, images: options.batchSize))
            if isFinished { break }
            if let drop = options.learningRateDrops?.first(where: { $0.step == stepsDone }) {
                observe(.note("learning rate \(drop.rate) from step \(drop.step) on"))
            }
            if schedule.evaluateEvery > 0 && stepsDone % schedule.evaluateEvery == 0 {
                observe(.evaluation(try evaluate()))
            }
            if schedule.checkpointEvery > 0 && stepsDone % schedule.checkpointEvery == 0 { saveOrWarn() }
            snapshotIfDue()
        }
        observe(.evaluation(try evaluate()))
        try save()
        snapshotIfDue()
        if let finalMetadata, !shouldStop() {
            let metadata = try finalMetadata(self)
            if !metadata.isEmpty { try save(metadata) }
        }
        return .finished
    }
}
