import Foundation
import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// Checkpoints cross the language boundary both ways: files written by Python's `safetensors`
/// package (committed fixtures, F32/F16/BF16) load here with the values the generator put in,
/// and files written by qlx load in Python (live when Python has safetensors, and through the
/// committed report of scripts/golden/checkpoint_fixture.py on a committed qlx-written file).
final class CheckpointInteropTests: XCTestCase {
    typealias F = CheckpointFixtures

    func testPythonWrittenF32CheckpointHoldsTheGeneratorsValues() throws {
        let checkpoint = try Checkpoint.read(from: F.path("checkpoint_tiny_image_f32.safetensors"))
        XCTAssertEqual(checkpoint.config, F.tinyImage)
        XCTAssertEqual(checkpoint.tensors, try F.formulaTensors(F.tinyImage))
        XCTAssertEqual(checkpoint.metadata["fixture.writer"], "safetensors.numpy")
        XCTAssertNil(checkpoint.metadata[Checkpoint.configKey])
        let model = try checkpoint.model()
        XCTAssertEqual(model.parameters, checkpoint.tensors)
        XCTAssertEqual(model.parameterCount, checkpoint.parameterCount)
        XCTAssertEqual(model.codebooks, checkpoint.codebooks)
    }

    func testPythonWrittenHalfAndBFloat16CheckpointsDecodeAsNumpyDoes() throws {
        let reference = try Checkpoint.read(from: F.path("checkpoint_tiny_image_f32.safetensors"))
        for (suffix, relativeError) in [("f16", Float(0x1p-11)), ("bf16", Float(0x1p-8))] {
            let path = F.path("checkpoint_tiny_image_\(suffix).safetensors")
            let checkpoint = try Checkpoint.read(from: path)
            XCTAssertEqual(try SafetensorsFile.read(from: path).storedDTypes["encoder.head.weight"]?.rawValue,
                           suffix.uppercased())
            XCTAssertEqual(checkpoint.config, F.tinyImage)
            // numpy's own float64 sum of its decoded values; exact for these small fractions.
            let sum = checkpoint.tensors.keys.sorted().reduce(0.0) { total, name in
                total + checkpoint.tensors[name]!.data.reduce(0.0) { $0 + Double($1) }
            }
            XCTAssertEqual(sum, Double(checkpoint.metadata["fixture.decoded_sum"] ?? ""), suffix)
            for (name, tensor) in reference.tensors {
                assertClose(checkpoint.tensors[name]!.data, tensor.data, rtol: relativeError, atol: 0, "\(suffix) \(name)")
            }
            XCTAssertNoThrow(try checkpoint.model())
        }
    }

    func testPythonWrittenStyleCheckpointKeepsOptimizerStateAndTrainingSettings() throws {
        let checkpoint = try Checkpoint.read(from: F.path("checkpoint_tiny_style_f32.safetensors"))
        XCTAssertEqual(checkpoint.config, F.tinyStyle)
        XCTAssertEqual(checkpoint.config.training?.stepsDone, 250)
        XCTAssertEqual(checkpoint.tensors, try F.formulaTensors(F.tinyStyle, optimizerFor: ["encoder.head.weight", "latent.values"]))
        XCTAssertEqual(checkpoint.metadata["qlx.training_state"], #"{"step": 250}"#)
        let model = try checkpoint.model()
        XCTAssertEqual(Set(model.parameters.keys), Set(checkpoint.modelTensors.keys))
        XCTAssertEqual(checkpoint.tensors.count - checkpoint.modelTensors.count, 4)
        XCTAssertEqual(model.codebooks.count, 2)
    }

    /// The committed qlx-written file is exactly what qlx writes today, and the committed
    /// Python report verified these very bytes (matching CRC-32). Set QLX_REGENERATE_FIXTURES=1
    /// to rewrite it, then rerun the script's `verify` to refresh the report.
    func testCommittedQLXWrittenFixtureIsCurrentAndVerifiedByPython() throws {
        let fixture = F.path("checkpoint_written_by_qlx.safetensors")
        if ProcessInfo.processInfo.environment["QLX_REGENERATE_FIXTURES"] == "1" {
            try F.qlxWritten().write(to: fixture)
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-interop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try F.qlxWritten().write(to: temporary.path)
        let fresh = [UInt8](try Data(contentsOf: temporary))
        let committed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture)))
        XCTAssertEqual(fresh, committed, "qlx no longer writes the committed fixture byte for byte")

        let report = try String(contentsOfFile: F.path("checkpoint_written_by_qlx.verified.txt"), encoding: .utf8)
        let crc = String(F.crc32(committed), radix: 16)
        XCTAssertTrue(report.contains("(\(committed.count) bytes, crc32 \(String(repeating: "0", count: 8 - crc.count) + crc))"), report)
        XCTAssertTrue(report.hasSuffix("OK\n"), report)
        XCTAssertTrue(report.contains("all match"), report)
    }

    func testPythonSafetensorsReadsACheckpointQLXJustWrote() throws {
        let script = QLXBinary.repositoryRoot.appendingPathComponent("scripts/golden/checkpoint_fixture.py").path
        guard let probe = try? runPython(["-c", "import safetensors, numpy, ml_dtypes"]), probe.status == 0 else {
            throw XCTSkip("python3 with the safetensors, numpy and ml_dtypes packages is not available; the committed checkpoint_written_by_qlx.verified.txt still proves this direction")
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-py-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: temporary) }
        for checkpoint in [try F.qlxWritten(),
                           Checkpoint(model: QLAE(config: F.tinyImage, seed: 1), metadata: ["k": "v"])] {
            // Python recomputes the values from the formula, so fill the random-init model
            // with it too; its names and shapes come from Checkpoint(model:).
            var formulaFilled = checkpoint
            for (name, tensor) in checkpoint.tensors { formulaFilled.tensors[name] = F.formula(name, shape: tensor.shape) }
            try formulaFilled.write(to: temporary.path)
            let result = try runPython([script, "verify", temporary.path])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.hasSuffix("OK\n"), result.output)
        }
    }

    private func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
