import Foundation
import XCTest
import QLXCore
import QLXData
import QLXModel
import QLXModelTestSupport
import QLXTestSupport
import QLXTraining

final class TrainerTests: XCTestCase {
    func testTrainingLowersTheHeldOutReconstructionLoss() throws {
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 200, batchSize: 16, learningRate: 1e-2, seed: 1,
                                                           evaluationSamples: 200))
        let before = try trainer.evaluate()
        while !trainer.isFinished { try trainer.step() }
        let after = try trainer.evaluate()
        // Untrained: BCE ≈ ln 2 ≈ 0.69. Predicting every pixel as background alone gives ≈ 0.2;
        // a model that has learned something about the sprites goes well below that.
        XCTAssertGreaterThan(before.bce, 0.6)
        XCTAssertLessThan(after.bce, 0.12, "held-out BCE \(before.bce) → \(after.bce)")
        XCTAssertGreaterThan(after.psnr, before.psnr + 5)
    }

    func testTheSameSeedGivesTheSameModel() throws {
        let options = TrainingOptions(steps: 3, batchSize: 8, seed: 7, evaluationSamples: 50)
        var a = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        var b = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        for _ in 0..<3 { try a.step(); try b.step() }
        XCTAssertEqual(a.model.parameters, b.model.parameters)
        var other = options
        other.seed = 8
        var c = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: other)
        for _ in 0..<3 { try c.step() }
        XCTAssertNotEqual(a.model.parameters, c.model.parameters)
    }

    func testResumingFromACheckpointIsBitIdenticalToAnUninterruptedRun() throws {
        let options = TrainingOptions(steps: 6, batchSize: 8, learningRate: 2e-3, seed: 3, evaluationSamples: 50)
        var uninterrupted = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        while !uninterrupted.isFinished { try uninterrupted.step() }

        var first = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        for _ in 0..<4 { try first.step() }
        try first.evaluate()
        let folder = try makeScratchDirectory("training")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("resume.safetensors").path
        try first.checkpoint().write(to: path)
        let checkpoint = try Checkpoint.read(from: path)
        XCTAssertEqual(checkpoint.config.training?.stepsDone, 4)
        XCTAssertNotNil(checkpoint.tensors["optimizer.m.encoder.conv.0.weight"])
        XCTAssertNotNil(checkpoint.tensors["optimizer.v.latent.values"])
        var resumed = try Trainer(resuming: checkpoint, path: path, dataset: SpritesDataset())
        XCTAssertEqual(resumed.stepsDone, 4)
        XCTAssertEqual(resumed.lastEvaluation, first.lastEvaluation)
        while !resumed.isFinished { try resumed.step() }
        XCTAssertEqual(resumed.model.parameters, uninterrupted.model.parameters)
        XCTAssertEqual(resumed.optimizer.stateTensors, uninterrupted.optimizer.stateTensors)
        XCTAssertEqual(resumed.optimizer.step, 6)
    }

    func testResumeCanExtendAFinishedRunButNotShortenIt() throws {
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 2, batchSize: 4, seed: 1, evaluationSamples: 20))
        try trainer.step(); try trainer.step()
        let checkpoint = trainer.checkpoint()
        var extended = try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(), steps: 3)
        XCTAssertFalse(extended.isFinished)
        try extended.step()
        XCTAssertThrowsError(try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(), steps: 1)) { error in
            XCTAssertEqual("\(error)", "steps: expected at least the 2 steps already done in run.safetensors, found 1")
        }
    }

    func testResumeCanChangeTheLearningRateAndWeightDecayFromThereOn() throws {
        let options = TrainingOptions(steps: 4, batchSize: 4, learningRate: 1e-3, weightDecay: 2, seed: 2, evaluationSamples: 20)
        var first = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        try first.step(); try first.step()
        let checkpoint = first.checkpoint()
        var same = try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset())
        var changed = try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(),
                                  learningRate: 5e-4, weightDecay: 0.5)
        XCTAssertEqual(changed.options.hyperparameters.learningRate, 5e-4)
        XCTAssertEqual(changed.options.weightDecay, 0.5)
        XCTAssertEqual(changed.optimizer.hyperparameters.weightDecay, 0.5)
        XCTAssertEqual(changed.optimizer.hyperparameters.learningRate, 5e-4)
        XCTAssertEqual(changed.optimizer.step, 2, "the moments and bias correction carry on")
        XCTAssertThrowsError(try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(),
                                         weightDecay: -1)) { error in
            XCTAssertEqual("\(error)", "weight decay: expected a finite number ≥ 0, found -1.0")
        }

        // One step by hand with the new values: AdamW on the same gradients and moments.
        var expected = same.model
        var optimizer = same.optimizer
        optimizer.hyperparameters.learningRate = 5e-4
        optimizer.hyperparameters.weightDecay = 0.5
        let images = SpritesDataset().images(at: same.sampler.indices(step: 2))
        SubnormalFlush.enabled {
            let (_, gradients) = expected.lossAndGradients(images: images, weights: options.lossWeights)
            expected.applyUpdate(gradients: gradients, optimizer: &optimizer)
        }
        try changed.step(); try same.step()
        XCTAssertEqual(changed.model.parameters, expected.parameters)
        XCTAssertNotEqual(changed.model.parameters, same.model.parameters)
        XCTAssertEqual(changed.checkpoint().config.training?.weightDecay, 0.5, "later checkpoints record the new value")
    }

    func testALearningRateDropEqualsResumingWithTheNewRateThere() throws {
        var options = TrainingOptions(steps: 5, batchSize: 4, learningRate: 2e-3, weightDecay: 2, seed: 4, evaluationSamples: 20)
        options.learningRateDrops = [LearningRateDrop(step: 3, rate: 4e-4)]
        XCTAssertEqual((0..<5).map { options.learningRate(afterSteps: $0) }, [2e-3, 2e-3, 2e-3, 4e-4, 4e-4])
        var scheduled = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        while !scheduled.isFinished { try scheduled.step() }

        var constant = options
        constant.learningRateDrops = nil
        var first = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: constant)
        for _ in 0..<3 { try first.step() }
        var phased = try Trainer(resuming: first.checkpoint(), path: "run.safetensors", dataset: SpritesDataset(),
                                 learningRate: 4e-4)
        var unchanged = first
        while !phased.isFinished { try phased.step(); try unchanged.step() }
        XCTAssertEqual(scheduled.model.parameters, phased.model.parameters)
        XCTAssertEqual(scheduled.optimizer.stateTensors, phased.optimizer.stateTensors)
        XCTAssertNotEqual(scheduled.model.parameters, unchanged.model.parameters, "the drop changes the last two updates")
        XCTAssertEqual(scheduled.checkpoint().config.training?.learningRateDrops, [LearningRateDrop(step: 3, rate: 4e-4)])

        // A run reports the drop when it takes effect, so a log shows where the rate changed.
        var logged = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        var events: [String] = []
        let folder = try makeScratchDirectory("training")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try logged.run(schedule: TrainingSchedule(outputPath: folder.appendingPathComponent("drop.safetensors").path), shouldStop: { false },
                           observe: { event in
            switch event {
            case .step(let step, _, _, _, _): events.append("step \(step)")
            case .note(let text): events.append(text)
            default: break
            }
        })
        XCTAssertEqual(events, ["step 1", "step 2", "step 3", "learning rate 0.0004 from step 3 on", "step 4", "step 5"])

        // Resuming keeps the schedule; a resumed run from step 2 gives the same model.
        var early = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        try early.step(); try early.step()
        var resumed = try Trainer(resuming: early.checkpoint(), path: "run.safetensors", dataset: SpritesDataset())
        while !resumed.isFinished { try resumed.step() }
        XCTAssertEqual(resumed.model.parameters, scheduled.model.parameters)
    }

    func testResumeReplacesOnlyTheDropsStillAhead() throws {
        var options = TrainingOptions(steps: 10, batchSize: 4, seed: 1, evaluationSamples: 20)
        options.learningRateDrops = [LearningRateDrop(step: 2, rate: 5e-4), LearningRateDrop(step: 6, rate: 1e-4)]
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        for _ in 0..<4 { try trainer.step() }
        let checkpoint = trainer.checkpoint()
        let replaced = try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(),
                                   learningRateDrops: [LearningRateDrop(step: 8, rate: 2e-4)])
        XCTAssertEqual(replaced.options.learningRateDrops, [LearningRateDrop(step: 2, rate: 5e-4), LearningRateDrop(step: 8, rate: 2e-4)])
        let newRate = try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(), learningRate: 3e-4)
        XCTAssertEqual((4..<10).map { newRate.options.learningRate(afterSteps: $0) }, [3e-4, 3e-4, 1e-4, 1e-4, 1e-4, 1e-4])
        XCTAssertThrowsError(try Trainer(resuming: checkpoint, path: "run.safetensors", dataset: SpritesDataset(),
                                         learningRateDrops: [LearningRateDrop(step: 3, rate: 1e-4)])) { error in
            XCTAssertEqual("\(error)", "learning-rate drop: expected steps after the 4 already done in run.safetensors, found 3:0.0001")
        }
    }

    /// A tampered training state was reported as a bad --batch or --eval-samples, flags the
    /// user never passed on --resume; the state is named instead.
    func testATamperedTrainingStateIsBlamedNotTheFlags() throws {
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 2, batchSize: 4, seed: 1, evaluationSamples: 20))
        try trainer.step()
        let checkpoint = trainer.checkpoint()
        let edits: [(String, (inout TrainingOptions) -> Void)] = [
            ("batch size: expected a positive integer, found 0", { $0.batchSize = 0 }),
            ("batch size: expected at most ", { $0.batchSize = 1_000_000_000 }),
            ("evaluation samples: expected at most half the dataset", { $0.evaluationSamples = 999_999_999 }),
        ]
        for (message, edit) in edits {
            var state = try TrainingState.parse(checkpoint.metadata[TrainingState.metadataKey]!, path: "run")
            edit(&state.options)
            var tampered = checkpoint
            tampered.metadata[TrainingState.metadataKey] = state.json()
            XCTAssertThrowsError(try Trainer(resuming: tampered, path: "run.safetensors", dataset: SpritesDataset())) { error in
                XCTAssertTrue("\(error)".hasPrefix("run.safetensors: cannot resume: its training state's " + message), "\(error)")
            }
        }
    }

    func testResumeRefusesACheckpointWithoutTrainingState() throws {
        let model = QLAE(config: trainableSpritesConfig(), seed: 1)
        XCTAssertThrowsError(try Trainer(resuming: Checkpoint(model: model), path: "plain.safetensors", dataset: SpritesDataset())) { error in
            XCTAssertEqual(error as? TrainingError, .missingTrainingState(path: "plain.safetensors"))
        }
        var broken = Checkpoint(model: model, metadata: [TrainingState.metadataKey: "{\"format\": 1}"])
        XCTAssertThrowsError(try Trainer(resuming: broken, path: "broken.safetensors", dataset: SpritesDataset())) { error in
            XCTAssertTrue("\(error)".hasPrefix("broken.safetensors: cannot resume: metadata qlx.training_state is not valid"), "\(error)")
        }
        // Optimizer moments of the wrong shape are caught before training.
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 2, batchSize: 4, seed: 1, evaluationSamples: 20))
        try trainer.step()
        broken = trainer.checkpoint()
        broken.tensors["optimizer.m.encoder.head.bias"] = Tensor(zeros: [3])
        XCTAssertThrowsError(try Trainer(resuming: broken, path: "bad.safetensors", dataset: SpritesDataset())) { error in
            XCTAssertTrue("\(error)".contains("encoder.head.bias"), "\(error)")
        }
    }

    func testRunStopsOnRequestAndLeavesALoadableCheckpoint() throws {
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 50, batchSize: 4, seed: 2, evaluationSamples: 20))
        let folder = try makeScratchDirectory("training")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("stopped.safetensors").path
        var events: [String] = []
        var stepsSeen = 0
        let outcome = try trainer.run(schedule: TrainingSchedule(outputPath: path, evaluateEvery: 2, checkpointEvery: 2),
                                      shouldStop: { stepsSeen >= 5 }, observe: { event in
            switch event {
            case .step(let step, _, _, _, _): events.append("step \(step)"); stepsSeen = step
            case .evaluation(let e): events.append("eval \(e.step)")
            case .checkpoint(_, let step): events.append("save \(step)")
            case .note: break
            }
        })
        XCTAssertEqual(outcome, .stopped(step: 5))
        XCTAssertEqual(events, ["step 1", "step 2", "eval 2", "save 2", "step 3", "step 4", "eval 4", "save 4", "step 5", "save 5"])
        let resumed = try Trainer(resuming: try Checkpoint.read(from: path), path: path, dataset: SpritesDataset())
        XCTAssertEqual(resumed.stepsDone, 5)
        XCTAssertEqual(resumed.model.parameters, trainer.model.parameters)
    }

    func testSnapshotsKeepACheckpointEveryNSteps() throws {
        let options = TrainingOptions(steps: 4, batchSize: 4, seed: 2, evaluationSamples: 20)
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        let folder = try makeScratchDirectory("training")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("snapshots.safetensors").path
        let schedule = TrainingSchedule(outputPath: path, snapshotEvery: 2)
        XCTAssertEqual(schedule.snapshotPath(step: 4), folder.appendingPathComponent("snapshots-step4.safetensors").path)
        XCTAssertEqual(TrainingSchedule(outputPath: "/runs/model").snapshotPath(step: 7), "/runs/model-step7")
        var saved: [String] = []
        _ = try trainer.run(schedule: schedule, shouldStop: { false }, observe: { event in
            if case .checkpoint(let file, let step) = event { saved.append("\((file as NSString).lastPathComponent) \(step)") }
        })
        XCTAssertEqual(saved, ["snapshots-step2.safetensors 2", "snapshots.safetensors 4", "snapshots-step4.safetensors 4"],
                       "the last step is kept too, so extending the run later cannot overwrite it")
        var replay = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(), options: options)
        for _ in 0..<2 { try replay.step() }
        let snapshot = try Checkpoint.read(from: schedule.snapshotPath(step: 2))
        XCTAssertEqual(snapshot.config.training?.stepsDone, 2)
        XCTAssertEqual(try snapshot.model().parameters, replay.model.parameters, "a snapshot holds the model at its step")
        XCTAssertEqual(try Trainer(resuming: snapshot, path: "s", dataset: SpritesDataset()).stepsDone, 2, "and resumes from there")
    }

    func testAFinishedRunEvaluatesSavesAndStoresFinalMetadata() throws {
        var trainer = try Trainer(config: trainableSpritesConfig(), dataset: SpritesDataset(),
                                  options: TrainingOptions(steps: 3, batchSize: 4, seed: 2, evaluationSamples: 20))
        let folder = try makeScratchDirectory("training")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("finished.safetensors").path
        let outcome = try trainer.run(schedule: TrainingSchedule(outputPath: path), shouldStop: { false },
                                      finalMetadata: { _ in ["qlx.test": "done"] }, observe: { _ in })
        XCTAssertEqual(outcome, .finished)
        let checkpoint = try Checkpoint.read(from: path)
        XCTAssertEqual(checkpoint.metadata["qlx.test"], "done")
        XCTAssertEqual(checkpoint.config.training?.stepsDone, 3)
        let state = try TrainingState.parse(checkpoint.metadata[TrainingState.metadataKey]!, path: path)
        XCTAssertEqual(state.lastEvaluation?.step, 3)
        XCTAssertEqual(state.sampler.nextStep, 3)
    }
}
