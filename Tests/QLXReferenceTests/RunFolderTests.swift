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
