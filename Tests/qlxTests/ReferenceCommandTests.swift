import Foundation
import QLXTestSupport
import XCTest

/// The commands on runs of the reference code (Tests/QLXReferenceTests/Fixtures/reference, made
/// by scripts/golden/reference_fixture.py): the built binary's decode and encode agree with JAX.
final class ReferenceCommandTests: XCTestCase {
    static let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference").path
    static let quantized = ["qlae_image_style_image", "qlae_image_small_image_small", "qlae_image_image",
                            "qlae_image_small_style_image_small", "qlinfogan_image_small_style_image_small",
                            "qlae_dense_dense"]
    static let continuous = ["ae_image_small_image_small", "vae_image_small_style_image_small"]
    var directory: URL!

    override func setUpWithError() throws { directory = try makeScratchDirectory("reference-commands") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func fixture(_ name: String, _ path: String) -> String { "\(Self.fixtures)/\(name)/\(path)" }

    func testDecodeMatchesJAXOnEveryFixture() throws {
        for name in Self.quantized + Self.continuous {
            let flag = Self.quantized.contains(name) ? "--codes" : "--values"
            let run = try QLXBinary.run(["decode", fixture(name, "run/files"), flag, fixture(name, "expected/decode_in.npy"),
                                         "-o", file("\(name).npy")])
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            let ours = try TestNpy.read(file("\(name).npy"))
            let jax = try TestNpy.read(fixture(name, "expected/decoded.npy"))
            XCTAssertEqual(ours.descr, "<f4")
            XCTAssertEqual(ours.shape, jax.shape, name)
            let difference = zip(TestNpy.float32s(ours.data), TestNpy.float32s(jax.data)).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference, 1e-4, name)
        }
    }

    func testEncodeImagesGivesJAXsCodesAndLatents() throws {
        for name in Self.quantized + Self.continuous {
            let quantized = Self.quantized.contains(name)
            let run = try QLXBinary.run(["encode", fixture(name, "run"), "--images", fixture(name, "expected/images.npy"),
                                         "--continuous", file("\(name)-continuous.npy")]
                                        + (quantized ? ["-o", file("\(name)-codes.npy")] : []))
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            if quantized {
                let codes = try TestNpy.read(file("\(name)-codes.npy"))
                XCTAssertEqual(codes.descr, "<i8")
                XCTAssertEqual(TestNpy.int64s(codes.data), TestNpy.int64s(try TestNpy.read(fixture(name, "expected/codes.npy")).data), name)
            }
            let ours = TestNpy.float32s(try TestNpy.read(file("\(name)-continuous.npy")).data)
            let jax = TestNpy.float32s(try TestNpy.read(fixture(name, "expected/continuous.npy")).data)
            XCTAssertEqual(ours.count, jax.count, name)
            XCTAssertLessThanOrEqual(zip(ours, jax).map { abs($0 - $1) }.max() ?? .infinity, 1e-4, name)
        }
    }

    func testInfoListsTheStepsAndStepChoosesOne() throws {
        let run = try QLXBinary.run(["info", fixture("qlae_image_small_image_small", "run")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("reference     QuantizedAE from the reference code, step 9999\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("steps         4999, 9999\n"), run.stdout)
        let older = try QLXBinary.run(["info", fixture("qlae_image_small_image_small", "run/files"), "--step", "4999"])
        XCTAssertTrue(older.stdout.contains("step 4999\n"), older.stdout)
    }

    func testConvertWritesACheckpointThatDecodesTheSame() throws {
        let name = "qlae_image_small_style_image_small"
        let convert = try QLXBinary.run(["convert", fixture(name, "run/files/checkpoint/step=4999/model.eqx"), "-o", file("c.safetensors")])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let decode = try QLXBinary.run(["decode", file("c.safetensors"), "--codes", fixture(name, "expected/decode_in.npy"),
                                        "-o", file("d.npy")])
        XCTAssertEqual(decode.status, 0, decode.stderr)
        let ours = TestNpy.float32s(try TestNpy.read(file("d.npy")).data)
        let jax = TestNpy.float32s(try TestNpy.read(fixture(name, "expected/decoded.npy")).data)
        XCTAssertLessThanOrEqual(zip(ours, jax).map { abs($0 - $1) }.max() ?? .infinity, 1e-4)
    }

    func testTraverseSweepsAContinuousBaseline() throws {
        let run = try QLXBinary.run(["traverse", fixture("vae_image_small_style_image_small", "run"), "--png", file("t.png")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("4 latents × 10 values"), run.stderr)
    }

    func testUnsupportedModelIsOneLine() throws {
        let run = directory.appendingPathComponent("bio")
        try FileManager.default.copyItem(atPath: fixture("qlae_dense_dense", "run"), toPath: run.path)
        let config = run.appendingPathComponent("files/config.yaml").path
        try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "disentangle.models.QuantizedAE", with: "disentangle.models.BioAE")
            .write(toFile: config, atomically: true, encoding: .utf8)
        for command in ["info", "decode", "metrics", "traverse"] {
            let extra = command == "decode" ? ["--codes", "x.npy", "-o", file("x.npy")] : []
            try assertOneLineError([command, run.path] + extra, "qlx: \(config): not supported yet: 'disentangle.models.BioAE'")
        }
    }

    func testInfoDescribesTheDensePresets() throws {
        let info = try QLXBinary.run(["info", fixture("qlae_dense_dense", "run")])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("encoder custom: flatten → dense 8,6 (layer norm) → 4 latents"), info.stdout)
        XCTAssertTrue(info.stdout.contains("decoder custom (dense): dense 6,8 (layer norm) → linear to 3×64×64"), info.stdout)
    }

    /// A Hydra job folder with two wandb runs: the newest opens, and stderr names the other.
    func testJobFolderOpensTheNewestRunAndSaysSo() throws {
        let fm = FileManager.default
        let job = directory.appendingPathComponent("outputs/2024-05-01/12-00-00")
        let source = "\(Self.fixtures)/qlae_image_small_style_image_small/job"
        try fm.createDirectory(at: job.appendingPathComponent(".hydra"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: source + "/.hydra/config.yaml", toPath: job.path + "/.hydra/config.yaml")
        for run in ["run-20240501_120003-aaaa1111", "offline-run-20240501_130000-bbbb2222"] {
            let step = job.appendingPathComponent("wandb/\(run)/files/checkpoint/step=4999")
            try fm.createDirectory(at: step, withIntermediateDirectories: true)
            try fm.copyItem(atPath: source + "/wandb/run-x/files/checkpoint/step=4999/model.eqx", toPath: step.path + "/model.eqx")
        }
        let info = try QLXBinary.run(["info", job.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(info.stderr, "\(job.path): 2 wandb runs (run-20240501_120003-aaaa1111, offline-run-20240501_130000-bbbb2222); opened the newest, offline-run-20240501_130000-bbbb2222 (name a run's folder to open another)\n")
        XCTAssertTrue(info.stdout.contains("wandb/offline-run-20240501_130000-bbbb2222/files/checkpoint/step=4999/model.eqx"), info.stdout)
    }

    func testFolderWithoutCheckpointIsOneLine() throws {
        try assertOneLineError(["info", directory.path],
                               "qlx: \(directory.path): no reference checkpoint found: expected model.eqx, step=N/model.eqx, checkpoint/step=N/model.eqx, files/checkpoint/step=N/model.eqx or wandb/run-*/files/checkpoint/step=N/model.eqx")
    }
}
