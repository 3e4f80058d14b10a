import Foundation
import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// `qlx info` run as a user runs it: the built binary on the committed checkpoints (written by
/// Python's safetensors) and on broken files.
final class InfoCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: QLXBinary.path) else {
            throw XCTSkip("qlx binary not built at \(QLXBinary.path); run `swift build -c release --product qlx` first")
        }
        directory = try makeScratchDirectory("info")
    }

    override func tearDownWithError() throws { if let directory { try? FileManager.default.removeItem(at: directory) } }

    private func fixture(_ name: String) -> String {
        QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXModelTests/Fixtures/\(name)").path
    }

    /// float32(((i·37 + k·11) mod 101 − 50) / 192) of scripts/golden/checkpoint_fixture.py.
    private func formula(_ name: String, count: Int) -> [Float] {
        let k = name.utf8.reduce(0) { $0 + Int($1) } % 97
        return (0..<count).map { i in Float(Double((i * 37 + k * 11) % 101 - 50) / 192) }
    }

    func testTextDescribesTheTinyImageCheckpoint() throws {
        let path = fixture("checkpoint_tiny_image_f32.safetensors")
        let run = try QLXBinary.run(["info", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // Parameter count added up by hand from the shapes in docs/checkpoint-format.md:
        // conv 64+8, 384+12; dense 125; head 18; codebooks 12; decoder dense 20; transition 144;
        // conv-transpose 384+8, 192+6; output conv 3.
        XCTAssertEqual(lines[0], "checkpoint    \(path)")
        XCTAssertEqual(lines[1], "architecture  encoder custom: 2 conv blocks 4,6 (kernel 4, stride 2, padding 1) → dense 5 → 3 latents")
        XCTAssertEqual(lines[2], "              decoder custom (image): dense 5 → 2 conv-transpose blocks 4,3 (kernel 4, stride 2, padding 1) → 1×1 conv")
        XCTAssertEqual(lines[3], "image         1×8×8")
        XCTAssertEqual(lines[4], "parameters    1,380")
        XCTAssertEqual(lines[5], "latents       3 × 4 values (quantized)")
        let values = formula("latent.values", count: 12)
        for j in 0..<3 {
            let row = values[4 * j..<4 * j + 4].map { String(format: "%6.3f", $0) }.joined(separator: " ")
            XCTAssertEqual(lines[6 + j], (j == 0 ? "codebooks     " : "              ") + "z\(j)  " + row)
        }
        XCTAssertEqual(lines[9], "dataset       tiny: shape 3, size 2")
        XCTAssertEqual(lines[10], "metadata      fixture.decoded_sum, fixture.writer")
        XCTAssertEqual(lines.count, 11)
    }

    func testTextShowsTrainingSettingsAndOptimizerStateOfTheStyleCheckpoint() throws {
        let run = try QLXBinary.run(["info", fixture("checkpoint_tiny_style_f32.safetensors")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("decoder custom (style_image): dense 6 → input map of 5 channels → 1 style block 3 (kernel 4, stride 2, padding 1) → 3×3 conv\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("encoder custom: 1 conv block 4 (kernel 4, stride 2, padding 1) → 2 latents\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\ntraining      step 250 of 1,000, batch 16, learning rate 0.001, weight decay 0.1, quantization 0.01, commitment 0.01, seed 7\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\noptimizer     state in 4 tensors\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\ndataset       tiny-colour: hue 4, posX 8, posY 8\n"), run.stdout)
    }

    func testJSONCarriesTheSameFacts() throws {
        let run = try QLXBinary.run(["info", "--json", fixture("checkpoint_tiny_image_bf16.safetensors")])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["parameterCount"] as? Int, 1380)
        let latents = try XCTUnwrap(object["latents"] as? [String: Any])
        XCTAssertEqual(latents["count"] as? Int, 3)
        XCTAssertEqual(latents["valuesPerLatent"] as? Int, 4)
        XCTAssertEqual(latents["quantized"] as? Bool, true)
        let codebooks = try XCTUnwrap(object["codebooks"] as? [[Double]])
        XCTAssertEqual(codebooks.count, 3)
        // BF16 keeps 8 significant bits.
        assertClose(codebooks.flatMap { $0 }.map(Float.init), formula("latent.values", count: 12), rtol: 0x1p-8, atol: 0)
        let dataset = try XCTUnwrap(object["dataset"] as? [String: Any])
        XCTAssertEqual(dataset["name"] as? String, "tiny")
        XCTAssertEqual((dataset["factors"] as? [[String: Any]])?.map { $0["size"] as? Int }, [3, 2])
        XCTAssertEqual((object["encoder"] as? [String: Any])?["preset"] as? String, "custom")
        XCTAssertEqual((object["decoder"] as? [String: Any])?["kind"] as? String, "image")
        XCTAssertNil(object["training"])
        XCTAssertEqual(object["optimizerTensors"] as? Int, 0)
    }

    func testStoredMetricsAreSummarised() throws {
        var checkpoint = try Checkpoint.read(from: fixture("checkpoint_tiny_image_f32.safetensors"))
        // A whole report for the fixture's 3 latents and 2 factors, as `qlx train` stores it.
        checkpoint.metadata = ["qlx.metrics": #"""
            {"factorNames":["a","b"],"nmi":[[0.9,0,0],[0,0.8,0]],"mutualInformation":[[1,0,0],[0,0.5,0]],
             "sourceEntropies":[1.1,0.69],"activeLatents":[true,true,false],"infoM": 0.8412, "infoE": 0.97,
             "infoC": 0.4904, "mig": 0.3,"explicitnessPerSource":[0.97,0.97],"latentFactor":[0,1,null],
             "latentKind":"discrete","samples": 10000}
            """#]
        let path = directory.appendingPathComponent("metrics.safetensors").path
        try checkpoint.write(to: path)
        let run = try QLXBinary.run(["info", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\nmetrics       InfoM 0.841  InfoE 0.970  InfoC 0.490  MIG 0.300  (10,000 samples)\n"), run.stdout)
    }

    func testAPartialStoredReportIsIgnoredWithAWarning() throws {
        var checkpoint = try Checkpoint.read(from: fixture("checkpoint_tiny_image_f32.safetensors"))
        checkpoint.metadata = ["qlx.metrics": #"{"infoM": 0.8412, "samples": 10000}"#]
        let path = directory.appendingPathComponent("partial.safetensors").path
        try checkpoint.write(to: path)
        let run = try QLXBinary.run(["info", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "qlx: warning: ignoring the checkpoint's qlx.metrics (not a metrics report for 3 latents)\n")
        XCTAssertFalse(run.stdout.contains("\nmetrics "), run.stdout)
    }

    func testAModelWithoutQuantizationHasNoCodebooks() throws {
        var config = try Checkpoint.read(from: fixture("checkpoint_tiny_image_f32.safetensors")).config
        config.latent.quantized = false
        let path = directory.appendingPathComponent("continuous.safetensors").path
        try Checkpoint(model: QLAE(config: config, seed: 5)).write(to: path)
        let run = try QLXBinary.run(["info", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\nparameters    1,368\nlatents       3 continuous (not quantized, no codebooks)\ndataset"), run.stdout)
        let json = try QLXBinary.run(["info", "--json", path])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["codebooks"] as? [Any])?.count, 0)
    }

    func testBadFilesFailWithOneLineOnStandardError() throws {
        let missing = directory.appendingPathComponent("missing.safetensors").path
        let empty = directory.appendingPathComponent("empty.safetensors").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let garbage = directory.appendingPathComponent("garbage.safetensors").path
        try Data("this is not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: garbage))
        var tensors = try Checkpoint.read(from: fixture("checkpoint_tiny_image_f32.safetensors")).tensors
        tensors["encoder.head.weight"]!.data[4] = .infinity
        let infinite = directory.appendingPathComponent("inf.safetensors").path
        try SafetensorsFile(tensors: tensors, metadata: ["qlx.config": try Checkpoint.encodeConfig(
            try Checkpoint.read(from: fixture("checkpoint_tiny_image_f32.safetensors")).config)]).write(to: infinite)

        let cases: [(path: String, message: String)] = [
            (missing, "qlx: \(missing): no such file"),
            // A folder is read as a reference run (wandb run folder, checkpoint/step=N, …).
            (directory.path, "qlx: \(directory.path): no reference checkpoint found: expected model.eqx, step=N/model.eqx"),
            (empty, "qlx: \(empty): not a valid safetensors checkpoint: file is 0 bytes, expected at least 8 (the header length)"),
            (garbage, "qlx: \(garbage): not a valid safetensors checkpoint: header length"),
            (infinite, "qlx: \(infinite): tensor encoder.head.weight: expected finite values, found NaN or Inf at element 4"),
        ]
        for (path, message) in cases {
            for arguments in [["info", path], ["info", "--json", path]] {
                let run = try QLXBinary.run(arguments)
                XCTAssertEqual(run.status, 1, "\(arguments)")
                XCTAssertEqual(run.stdout, "", "\(arguments)")
                XCTAssertTrue(run.stderr.hasPrefix(message), "expected “\(message)”, got “\(run.stderr)”")
                XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "not one line: \(run.stderr)")
            }
        }
    }
}
