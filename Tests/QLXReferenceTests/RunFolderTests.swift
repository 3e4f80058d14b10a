import XCTest
import QLXCore
import QLXModel
import QLXReference
import QLXTestSupport

/// Finding model.eqx and its config from each thing a user may name.
final class RunFolderTests: XCTestCase {
    let fixture = "qlae_image_small_image_small"

    func testEveryFormOfTheRunFindsTheNewestStepAndWandbConfig() throws {
        let run = ReferenceFixtures.run(fixture)
        let files = run + "/files"
        let newest = files + "/checkpoint/step=9999/model.eqx"
        for path in [run, files, files + "/checkpoint"] {
            let found = try RunFolder(path: path)
            XCTAssertEqual(found.modelFile, newest, path)
            XCTAssertEqual(found.step, 9999, path)
            XCTAssertEqual(found.steps, [4999, 9999], path)
            XCTAssertEqual(found.configFile, files + "/config.yaml", path)
        }
        for path in [files + "/checkpoint/step=4999", files + "/checkpoint/step=4999/model.eqx"] {
            let found = try RunFolder(path: path)
            XCTAssertEqual(found.step, 4999, path)
            XCTAssertEqual(found.steps, [4999, 9999], path)
            XCTAssertEqual(found.configFile, files + "/config.yaml", path)
        }
    }

    func testStepPicksAnOlderCheckpoint() throws {
        let older = try ReferenceRun(path: ReferenceFixtures.files(fixture), step: 4999)
        XCTAssertEqual(older.location.step, 4999)
        let newest = try ReferenceRun(path: ReferenceFixtures.files(fixture))
        XCTAssertNotEqual(older.model.parameters["encoder.head.weight"], newest.model.parameters["encoder.head.weight"])
    }

    func testMissingStepNamesTheStepsFound() {
        let path = ReferenceFixtures.files(fixture)
        XCTAssertThrowsError(try RunFolder(path: path, step: 123)) { error in
            XCTAssertEqual("\(error)", "\(path): no checkpoint for step 123; steps found: 4999, 9999")
        }
    }

    /// A run saving every step printed a 29 kB list for a step it lacked; past a few steps the
    /// message gives their range and the nearest ones.
    func testMissingStepAmongThousandsNamesTheRangeAndTheNearest() throws {
        let scratch = try makeScratchDirectory("many-steps")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for step in stride(from: 0, through: 10_000, by: 25) {
            let folder = scratch.appendingPathComponent("checkpoint/step=\(step)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("model.eqx").path, contents: Data([0])))
        }
        XCTAssertThrowsError(try RunFolder(path: scratch.path, step: 5001)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): no checkpoint for step 5001; 401 steps found from 0 to 10000, the nearest 4975, 5000, 5025")
        }
    }

    /// `step=+7` read as step 7, and then `step=7/model.eqx` was opened and reported missing;
    /// only folders named as the reference names them count as steps.
    func testStepFoldersWithASignOrLeadingZerosAreNotSteps() throws {
        let scratch = try makeScratchDirectory("odd-steps")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for name in ["step=+7", "step=007", "step=-3", "step=12"] {
            let folder = scratch.appendingPathComponent("checkpoint/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("model.eqx").path, contents: Data([0])))
        }
        try FileManager.default.copyItem(atPath: ReferenceFixtures.files(fixture) + "/config.yaml",
                                         toPath: scratch.appendingPathComponent("config.yaml").path)
        let found = try RunFolder(path: scratch.path)
        XCTAssertEqual(found.steps, [12])
        XCTAssertEqual(found.modelFile, scratch.appendingPathComponent("checkpoint/step=12/model.eqx").path)
        XCTAssertThrowsError(try RunFolder(path: scratch.path, step: 7)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): no checkpoint for step 7; steps found: 12")
        }
    }

    func testHydraConfigInTheJobFolderIsFoundAndResolved() throws {
        let hydra = "qlae_image_small_style_image_small"
        let job = ReferenceFixtures.directory.appendingPathComponent("\(hydra)/job").path
        let run = try ReferenceRun(path: job + "/wandb/run-x/files")
        XCTAssertEqual(run.location.configFile, job + "/.hydra/config.yaml")
        let wandb = try ReferenceRun(path: ReferenceFixtures.files(hydra))
        XCTAssertEqual(run.model.config, wandb.model.config)
        XCTAssertEqual(run.model.parameters, wandb.model.parameters)
    }

    func testConfigGivenExplicitlyForALoneModelFile() throws {
        let scratch = try makeScratchDirectory("lone-eqx")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let lone = scratch.appendingPathComponent("model.eqx").path
        try FileManager.default.copyItem(atPath: ReferenceFixtures.files(fixture) + "/checkpoint/step=9999/model.eqx", toPath: lone)
        XCTAssertThrowsError(try RunFolder(path: lone)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(lone): no config.yaml beside the checkpoint"), "\(error)")
        }
        let run = try ReferenceRun(path: lone, config: ReferenceFixtures.files(fixture) + "/config.yaml")
        XCTAssertNil(run.location.step)
        XCTAssertEqual(run.model.config.latent.count, 4)
    }

    /// A newest step whose model.eqx is a dangling link or empty opened the older step in its
    /// place without a word; now it is refused, naming the step --step opens.
    func testAnUnreadableNewestStepIsRefusedRatherThanReplacedByAnOlderOne() throws {
        let scratch = try makeScratchDirectory("broken-step")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let checkpoint = scratch.appendingPathComponent("checkpoint").path
        try FileManager.default.createDirectory(atPath: checkpoint + "/step=9999", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ReferenceFixtures.files(fixture) + "/checkpoint/step=4999", toPath: checkpoint + "/step=4999")
        try FileManager.default.copyItem(atPath: ReferenceFixtures.files(fixture) + "/config.yaml", toPath: scratch.appendingPathComponent("config.yaml").path)
        let newest = checkpoint + "/step=9999/model.eqx"
        XCTAssertEqual(symlink(scratch.appendingPathComponent("gone.eqx").path, newest), 0)
        XCTAssertThrowsError(try RunFolder(path: checkpoint)) { error in
            XCTAssertEqual("\(error)", "\(checkpoint): the newest checkpoint, step=9999/model.eqx, is a link to a missing file; pass --step 4999 to open the newest readable one")
        }
        unlink(newest)
        XCTAssertTrue(FileManager.default.createFile(atPath: newest, contents: nil))
        XCTAssertThrowsError(try RunFolder(path: scratch.path)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): the newest checkpoint, step=9999/model.eqx, is empty (an interrupted save?); pass --step 4999 to open the newest readable one")
        }
        XCTAssertEqual(try RunFolder(path: checkpoint, step: 4999).step, 4999)
    }

    func testFolderWithoutCheckpointIsRefused() throws {
        let scratch = try makeScratchDirectory("empty-run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        XCTAssertThrowsError(try RunFolder(path: scratch.path)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): no reference checkpoint found: expected model.eqx, step=N/model.eqx, checkpoint/step=N/model.eqx, files/checkpoint/step=N/model.eqx or wandb/run-*/files/checkpoint/step=N/model.eqx")
        }
    }

    /// Older wandb and `wandb restore` write `wandb_version: 1` first (the committed file is
    /// made by scripts/golden/wandb_version_config.py as wandb's own writer makes it).
    func testWandbVersionOneConfigIsRead() throws {
        let scratch = try makeScratchDirectory("wandb-version")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let run = try ReferenceFixtures.copy(fixture, into: scratch)
        let config = run.appendingPathComponent("files/config.yaml").path
        try FileManager.default.removeItem(atPath: config)
        try FileManager.default.copyItem(atPath: ReferenceFixtures.directory.appendingPathComponent("wandb_version_1/config.yaml").path,
                                         toPath: config)
        XCTAssertTrue(try String(contentsOfFile: config, encoding: .utf8).hasPrefix("wandb_version: 1\n"))
        let restored = try ReferenceRun(path: run.path)
        XCTAssertEqual(restored.location.configFile, config)
        XCTAssertEqual(restored.location.notes, [])
        let original = try ReferenceRun(path: ReferenceFixtures.run(fixture))
        XCTAssertEqual(restored.model.config, original.model.config)
        XCTAssertEqual(restored.model.parameters, original.model.parameters)
    }

    /// A Hydra job folder as the training script leaves it: `.hydra/config.yaml` beside
    /// `wandb/`, whose runs hold the checkpoints; `style` is the fixture whose job folder exists.
    let style = "qlae_image_small_style_image_small"

    func makeJob(in scratch: URL, runs: [String]) throws -> URL {
        let fm = FileManager.default
        let job = scratch.appendingPathComponent("outputs/2024-05-01/12-00-00")
        try fm.createDirectory(at: job.appendingPathComponent(".hydra"), withIntermediateDirectories: true)
        let source = ReferenceFixtures.directory.appendingPathComponent("\(style)/job")
        try fm.copyItem(at: source.appendingPathComponent(".hydra/config.yaml"), to: job.appendingPathComponent(".hydra/config.yaml"))
        for run in runs {
            let step = job.appendingPathComponent("wandb/\(run)/files/checkpoint/step=4999")
            try fm.createDirectory(at: step, withIntermediateDirectories: true)
            try fm.copyItem(at: source.appendingPathComponent("wandb/run-x/files/checkpoint/step=4999/model.eqx"),
                            to: step.appendingPathComponent("model.eqx"))
            try fm.createDirectory(at: job.appendingPathComponent("wandb/\(run)/logs"), withIntermediateDirectories: true)
        }
        if let newest = runs.last {
            try fm.createSymbolicLink(atPath: job.appendingPathComponent("wandb/latest-run").path, withDestinationPath: newest)
        }
        try Data("wandb: log".utf8).write(to: job.appendingPathComponent("wandb/debug.log"))
        return job
    }

    func testJobFolderAndItsWandbFolderOpenTheRunInside() throws {
        let scratch = try makeScratchDirectory("job-folder")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let job = try makeJob(in: scratch, runs: ["offline-run-20240501_120003-k2j4x9"])
        let model = job.path + "/wandb/offline-run-20240501_120003-k2j4x9/files/checkpoint/step=4999/model.eqx"
        for path in [job.path, job.path + "/wandb"] {
            let run = try ReferenceRun(path: path)
            XCTAssertEqual(run.location.modelFile, model, path)
            XCTAssertEqual(run.location.configFile, job.path + "/.hydra/config.yaml", path)
            XCTAssertEqual(run.location.notes, [], path)
            XCTAssertEqual(run.model.config.latent.count, 6, path)
        }
    }

    func testSeveralRunsInAJobFolderOpenTheNewestAndNameTheOthers() throws {
        let scratch = try makeScratchDirectory("job-runs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // wandb names runs by start time: the offline run of 09:30 is the newest.
        let job = try makeJob(in: scratch, runs: ["run-20240501_120003-aaaa1111", "offline-run-20240502_093000-bbbb2222",
                                                  "run-20240501_180000-cccc3333"])
        let found = try RunFolder(path: job.path)
        XCTAssertEqual(found.modelFile, job.path + "/wandb/offline-run-20240502_093000-bbbb2222/files/checkpoint/step=4999/model.eqx")
        XCTAssertEqual(found.notes, ["\(job.path): 3 wandb runs (run-20240501_120003-aaaa1111, run-20240501_180000-cccc3333, offline-run-20240502_093000-bbbb2222); opened the newest, offline-run-20240502_093000-bbbb2222 (name a run's folder to open another)"])
    }

    func testStepPicksAStepBesideANamedModelFile() throws {
        let checkpoint = ReferenceFixtures.files(fixture) + "/checkpoint"
        for path in [checkpoint + "/step=9999/model.eqx", checkpoint + "/step=9999"] {
            let found = try RunFolder(path: path, step: 4999)
            XCTAssertEqual(found.modelFile, checkpoint + "/step=4999/model.eqx", path)
            XCTAssertEqual(found.step, 4999, path)
            XCTAssertThrowsError(try RunFolder(path: path, step: 19)) { error in
                XCTAssertEqual("\(error)", "\(path): no checkpoint for step 19; steps found: 4999, 9999")
            }
        }
    }

    /// wandb's copy of the config can lack the model (a run restored from another project's
    /// config); Hydra's above it describes the model and is read instead, saying so.
    func testNearestConfigWithoutTheModelGivesWayToTheOneAbove() throws {
        let scratch = try makeScratchDirectory("config-fallback")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let job = try makeJob(in: scratch, runs: ["run-20240501_120003-aaaa1111"])
        let files = job.path + "/wandb/run-20240501_120003-aaaa1111/files"
        let wandb = files + "/config.yaml"
        try "wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.12.21\ndata:\n  desc: null\n  value:\n    name: dsprites\n"
            .write(toFile: wandb, atomically: true, encoding: .utf8)
        let run = try ReferenceRun(path: files)
        XCTAssertEqual(run.location.configFile, job.path + "/.hydra/config.yaml")
        XCTAssertEqual(run.location.notes, ["\(wandb) does not describe the model; read \(job.path)/.hydra/config.yaml instead"])
        XCTAssertEqual(run.model.config.latent.count, 6)
        // With no config that describes the model, the nearest one's error.
        try "model_partial: [unclosed".write(toFile: job.path + "/.hydra/config.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReferenceRun(path: files)) { error in
            XCTAssertEqual("\(error)", "\(wandb): config has no model_partial._target_ (expected the reference's resolved Hydra config)")
        }
    }

    func testIsReferenceTellsFoldersAndEqxFromSafetensors() {
        XCTAssertTrue(RunFolder.isReference(ReferenceFixtures.files(fixture)))
        XCTAssertTrue(RunFolder.isReference(ReferenceFixtures.files(fixture) + "/checkpoint/step=9999/model.eqx"))
        XCTAssertFalse(RunFolder.isReference(ReferenceFixtures.files(fixture) + "/config.yaml"))
        XCTAssertFalse(RunFolder.isReference("/nonexistent/model.eqx"))
    }
}
