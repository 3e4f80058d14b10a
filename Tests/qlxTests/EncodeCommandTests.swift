import Foundation
import QLXCore
import QLXModel
import QLXTestSupport
import XCTest

/// `qlx encode` end to end: .npy files numpy can load, consistent with each other and with the
/// model, readable back by `qlx metrics`.
final class EncodeCommandTests: XCTestCase {
    var directory: URL!
    var checkpoint: String { file("tiny.safetensors") }

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("encode")
        try Checkpoint(model: QLAE(config: TinyModel.config, seed: TinyModel.seed)).write(to: checkpoint)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testExportsCodesFactorsValuesAndContinuousLatents() throws {
        let n = 120, latents = TinyModel.config.latent.count
        let run = try QLXBinary.run(["encode", checkpoint, "--samples", "\(n)", "--seed", "4", "-o", file("codes.npy"),
                                     "--factors", file("factors.npy"), "--values", file("values.npy"),
                                     "--continuous", file("continuous.npy"), "--indices", file("indices.npy")], timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("wrote \(file("codes.npy"))"), run.stdout)

        let codes = try TestNpy.read(file("codes.npy"))
        XCTAssertEqual(codes.descr, "<i8")
        XCTAssertEqual(codes.shape, [n, latents])
        let codeValues = TestNpy.int64s(codes.data)
        XCTAssertTrue(codeValues.allSatisfy { (0..<10).contains($0) })

        let factors = try TestNpy.read(file("factors.npy"))
        XCTAssertEqual(factors.descr, "<i8")
        XCTAssertEqual(factors.shape, [n, 5])
        let factorValues = TestNpy.int64s(factors.data)
        let sizes = TinyModel.config.dataset.factorSizes
        for (k, value) in factorValues.enumerated() { XCTAssertTrue((0..<Int64(sizes[k % 5])).contains(value)) }

        // Quantized values are the codebook entries of the codes.
        let values = try TestNpy.read(file("values.npy"))
        XCTAssertEqual(values.descr, "<f4")
        XCTAssertEqual(values.shape, [n, latents])
        let codebooks = QLAE(config: TinyModel.config, seed: TinyModel.seed).codebooks
        let valueFloats = TestNpy.float32s(values.data)
        for i in 0..<n {
            for j in 0..<latents { XCTAssertEqual(valueFloats[i * latents + j], codebooks[j][Int(codeValues[i * latents + j])]) }
        }
        // Each value is the codebook entry nearest the continuous output.
        let continuous = TestNpy.float32s(try TestNpy.read(file("continuous.npy")).data)
        for k in 0..<(n * latents) {
            let nearest = codebooks[k % latents].map { abs($0 - continuous[k]) }.min()!
            XCTAssertEqual(abs(valueFloats[k] - continuous[k]), nearest, accuracy: 1e-6)
        }
        let indices = try TestNpy.read(file("indices.npy"))
        XCTAssertEqual(indices.shape, [n])

        // The same seed gives the same files; qlx metrics reads them back.
        let again = try QLXBinary.run(["encode", checkpoint, "--samples", "\(n)", "--seed", "4", "-o", file("codes2.npy")], timeout: 300)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file("codes2.npy"))), try Data(contentsOf: URL(fileURLWithPath: file("codes.npy"))))
        let metrics = try QLXBinary.run(["metrics", "--sources", file("factors.npy"), "--latents", file("codes.npy"), "--json"])
        XCTAssertEqual(metrics.status, 0, metrics.stderr)
        XCTAssertTrue(metrics.stdout.contains("\"samples\" : \(n)"), metrics.stdout)
    }

    func testBadRequestsFailWithClearMessages() throws {
        let none = try QLXBinary.run(["encode", checkpoint])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("nothing to write"), none.stderr)
        let unwritable = try QLXBinary.run(["encode", checkpoint, "--samples", "3", "-o", "/nonexistent/qlx/codes.npy"], timeout: 120)
        XCTAssertNotEqual(unwritable.status, 0)
        XCTAssertTrue(unwritable.stderr.contains("/nonexistent/qlx/codes.npy: cannot write .npy file"), unwritable.stderr)

        var continuousConfig = TinyModel.config
        continuousConfig.latent.quantized = false
        let plain = file("plain.safetensors")
        try Checkpoint(model: QLAE(config: continuousConfig, seed: 1)).write(to: plain)
        let noCodes = try QLXBinary.run(["encode", plain, "--samples", "3", "-o", file("c.npy")], timeout: 120)
        XCTAssertNotEqual(noCodes.status, 0)
        XCTAssertTrue(noCodes.stderr.contains("not quantized"), noCodes.stderr)
        let ok = try QLXBinary.run(["encode", plain, "--samples", "3", "--continuous", file("c.npy")], timeout: 120)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try TestNpy.read(file("c.npy")).shape, [3, TinyModel.config.latent.count])
    }
}
