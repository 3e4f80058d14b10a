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
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("model.eqx").path, contents: Data()))
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
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("model.eqx").path, contents: Data()))
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

    func testFolderWithoutCheckpointIsRefused() throws {
        let scratch = try makeScratchDirectory("empty-run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        XCTAssertThrowsError(try RunFolder(path: scratch.path)) { error in
            XCTAssertEqual("\(error)", "\(scratch.path): no reference checkpoint found: expected model.eqx, step=N/model.eqx, checkpoint/step=N/model.eqx or files/checkpoint/step=N/model.eqx")
        }
    }

    func testIsReferenceTellsFoldersAndEqxFromSafetensors() {
        XCTAssertTrue(RunFolder.isReference(ReferenceFixtures.files(fixture)))
        XCTAssertTrue(RunFolder.isReference(ReferenceFixtures.files(fixture) + "/checkpoint/step=9999/model.eqx"))
        XCTAssertFalse(RunFolder.isReference(ReferenceFixtures.files(fixture) + "/config.yaml"))
        XCTAssertFalse(RunFolder.isReference("/nonexistent/model.eqx"))
    }
}
