import Foundation
import QLXModel
import QLXTestSupport
import XCTest

/// `qlx decode` end to end: values the decoder cannot turn into an image are refused in one
/// line, and nothing is written for them.
final class DecodeCommandTests: XCTestCase {
    var directory: URL!
    var checkpoint: String { file("tiny.safetensors") }

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("decode")
        try Checkpoint(model: QLAE(config: TinyModel.config, seed: TinyModel.seed)).write(to: checkpoint)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testValuesThatDecodeToNaNOrAreNotFiniteAreRefusedAndNothingIsWritten() throws {
        let latents = TinyModel.config.latent.count
        let ordinary = [Double](repeating: 0.5, count: latents)
        let huge = [Double](repeating: 3e38, count: latents)
        try TestNpy.write(float64: [ordinary, huge], to: file("huge.npy"))
        let run = try QLXBinary.run(["decode", checkpoint, "--values", file("huge.npy"), "-o", file("images.npy")])
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertEqual(run.stderr, "qlx: --values: expected values the decoder can turn into an image (near the codebook values), found row 1 of \(file("huge.npy")), with magnitudes up to 3e+38, decodes to NaN pixels\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("images.npy")))

        var beyond = ordinary
        beyond[2] = 1e39   // a float64 that is infinite as the decoder's float32
        try TestNpy.write(float64: [ordinary, beyond], to: file("beyond.npy"))
        let infinite = try QLXBinary.run(["decode", checkpoint, "--values", file("beyond.npy"), "-o", file("images.npy")])
        XCTAssertEqual(infinite.stderr, "qlx: --values: expected finite 32-bit numbers in \(file("beyond.npy")), found 1e+39 at row 1, latent 2\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("images.npy")))

        try TestNpy.write(float64: [ordinary], to: file("ordinary.npy"))
        let fine = try QLXBinary.run(["decode", checkpoint, "--values", file("ordinary.npy"), "-o", file("images.npy")])
        XCTAssertEqual(fine.status, 0, fine.stderr)
        XCTAssertTrue(TestNpy.float32s(try TestNpy.read(file("images.npy")).data).allSatisfy { (0...1).contains($0) })
    }
}
