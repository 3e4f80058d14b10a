import Foundation
import QLXModel
import QLXTestSupport
import XCTest

/// Bad flag values end to end: each is exactly one line on stderr naming the flag, what was
/// expected and what was found, with a non-zero exit and nothing on stdout. ArgumentParser's
/// own messages for these are several lines (error, help, usage), and it reads "-3" as an
/// unknown option, so the commands convert numbers themselves.
final class FlagErrorTests: XCTestCase {
    var directory: URL!
    var checkpointPath: String { directory.appendingPathComponent("tiny.safetensors").path }
    /// A checkpoint that does not exist: flags whose values are wrong on their own must be
    /// refused before any file is read, so the message is about the flag, not the file.
    var missingPath: String { directory.appendingPathComponent("missing.safetensors").path }

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("flags")
        try Checkpoint(model: QLAE(config: TraverseCommandTests.config, seed: 3)).write(to: checkpointPath)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testTraverseRefusesBadNumbersBeforeLoadingTheModel() throws {
        let latentIndex = "a latent index (an integer ≥ 0)"
        try assertOneLineError(["traverse", missingPath, "--latent", "abc"], "qlx: --latent: expected \(latentIndex), found 'abc'")
        try assertOneLineError(["traverse", missingPath, "--latent", "-1"], "qlx: --latent: expected \(latentIndex), found -1")
        try assertOneLineError(["traverse", missingPath, "--latent", "1.5"], "qlx: --latent: expected \(latentIndex), found '1.5'")
        try assertOneLineError(["traverse", missingPath, "--cell-width", "x"], "qlx: --cell-width: expected 1…400, found 'x'")
        try assertOneLineError(["traverse", missingPath, "--cell-width", "-5"], "qlx: --cell-width: expected 1…400, found -5")
        try assertOneLineError(["traverse", missingPath, "--scale", "big"], "qlx: --scale: expected 1…64, found 'big'")
        try assertOneLineError(["traverse", missingPath, "--scale", "65"], "qlx: --scale: expected 1…64, found 65")
        try assertOneLineError(["traverse", missingPath, "--seed", "-1"],
                               "qlx: --seed: expected an integer 0…18446744073709551615, found '-1'")
        try assertOneLineError(["traverse", missingPath, "--from", "bogus"],
                               "qlx: --from: expected zeros, random or sample N, found 'bogus'")
        try assertOneLineError(["traverse", missingPath, "--mode", "x"],
                               "qlx: --mode: unknown mode 'x'; expected one of half, ascii, ascii-inverted, quadrant, sextant")
        try assertOneLineError(["traverse", missingPath, "--colors", "x"],
                               "qlx: --colors: unknown colour depth 'x'; expected one of 24bit, 256, 16, 8, none")
    }

    func testTraverseLatentBeyondTheModelNamesItsRange() throws {
        try assertOneLineError(["traverse", checkpointPath, "--latent", "99"],
                               "qlx: --latent: expected 0…2 (the model has 3 latents), found 99")
    }

    func testTraverseStillTakesGoodNumbers() throws {
        let run = try QLXBinary.run(["traverse", checkpointPath, "--latent", "2", "--cell-width", "4", "--seed", "9",
                                     "--from", "random"], environment: ["NO_COLOR": "1", "LANG": "C"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("z2") && !run.stdout.contains("z1"), run.stdout)
        // 4 cells wide: a 64×64 thumbnail is 2 cells high in ASCII (one pixel per cell).
        let thumbnailLines = run.stdout.split(separator: "\n").dropFirst()
        XCTAssertEqual(thumbnailLines.count, 2, run.stdout)
    }

    func testMetricsRefusesBadNumbersAndFlagCombinationsInOneLine() throws {
        let samples = "at least 2 (a whole number of images)"
        try assertOneLineError(["metrics", missingPath, "--samples", "-3"], "qlx: --samples: expected \(samples), found -3")
        try assertOneLineError(["metrics", missingPath, "--samples", "abc"], "qlx: --samples: expected \(samples), found 'abc'")
        try assertOneLineError(["metrics", missingPath, "--samples", "1"], "qlx: --samples: expected \(samples), found 1")
        try assertOneLineError(["metrics", missingPath, "--seed", "x"],
                               "qlx: --seed: expected an integer 0…18446744073709551615, found 'x'")
        try assertOneLineError(["metrics", "--sources", "s.npy"], "qlx: --sources and --latents go together; pass both .npy files")
        try assertOneLineError(["metrics", missingPath, "--continuous"],
                               "qlx: --continuous applies to --sources/--latents arrays only")
    }
}
