import Foundation
import QLXTestSupport
import XCTest

/// `--data FILE` end to end through the binary, on the small files of
/// scripts/golden/dataset_files.py: metrics, encode --all (file order), train and resume.
final class DataFileCommandTests: XCTestCase {
    var directory: URL!
    let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXDataTests/Fixtures/datasets")

    override func setUpWithError() throws { directory = try makeScratchDirectory("datafile") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
    var environment: [String: String] { ["XDG_CACHE_HOME": file("cache"), "NO_COLOR": "1"] }

    /// A tiny 3-channel model trained 3 steps on the Shapes3D-format file.
    func trainOnShapes3D(steps: Int = 3) throws -> String {
        let run = try QLXBinary.run(["train", "--data", fixture("shapes3d_small.h5"), "--steps", "\(steps)", "--eval-samples", "4",
                                     "--encoder-widths", "4,4,4,4", "--dense-widths", "8", "--metrics-samples", "0",
                                     "-o", file("s3.safetensors")], environment: environment, timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        return file("s3.safetensors")
    }

    func testTrainEncodeAllAndResumeOnAShapes3DFile() throws {
        let model = try trainOnShapes3D()
        let encode = try QLXBinary.run(["encode", model, "--data", fixture("shapes3d_small.h5"), "--all", "-o", file("codes.npy"),
                                        "--factors", file("factors.npy")], environment: environment, timeout: 300)
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let factors = try TestNpy.read(file("factors.npy"))
        XCTAssertEqual(factors.shape, [40, 6])
        // File order: the classes numpy's label encoding gives, row by row.
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
        let classes = ((expected as! [String: Any])["shapes3d_small.h5"] as! [String: Any])["classes"] as! [[Int]]
        XCTAssertEqual(TestNpy.int64s(factors.data).map(Int.init), classes.flatMap { $0 })
        XCTAssertEqual(try TestNpy.read(file("codes.npy")).shape, [40, 12])

        try assertOneLineError(["train", "--resume", model, "--steps", "5", "-o", model],
                               "qlx: --data: expected the dataset file \(model) was trained on (shapes3d), found none given")
        let resumed = try QLXBinary.run(["train", "--resume", model, "--data", fixture("shapes3d_small.h5"), "--steps", "5",
                                         "--metrics-samples", "0", "-o", model], environment: environment, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// A relative path that starts with a capital letter is quoted as given: the first letter of
    /// a message is lowered only for ArgumentParser's sentences ("Missing value ...").
    func testAnErrorKeepsTheFilePathAsTyped() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("Shapes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture("bad_no_labels.h5"), toPath: file("Shapes/bad.h5"))
        let run = try QLXBinary.run(["metrics", "scenes", "--data", "Shapes/bad.h5"], environment: environment, directory: directory)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "qlx: Shapes/bad.h5: expected a dataset 'labels', found none\n")
    }

    func testAnImageNpyWithItsClassesInASecondNpy() throws {
        let model = try trainOnShapes3D()
        // 6 images of 3×64×64 (float64, N×C×H×W) and their 2 factor columns.
        let pixels = 3 * 64 * 64
        var bytes = TestNpy.header(descr: "<f8", shape: [6, 3, 64, 64])
        for i in 0..<(6 * pixels) { withUnsafeBytes(of: (Double(i % 97) / 96).bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: file("images.npy")))
        try TestNpy.write(int64: (0..<6).map { [Double($0 % 2), Double($0 % 3)] }, to: file("classes.npy"))
        let run = try QLXBinary.run(["encode", model, "--data", file("images.npy"), "--data-classes", file("classes.npy"),
                                     "--factor-names", "colour,size", "--all", "--factors", file("factors.npy")],
                                    environment: environment, timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("colour, size"), run.stdout)
        XCTAssertEqual(TestNpy.int64s(try TestNpy.read(file("factors.npy")).data), [0, 0, 1, 1, 0, 2, 1, 0, 0, 1, 1, 2])
        try assertOneLineError(["encode", model, "--data", file("images.npy"), "--all", "--factors", file("f2.npy")],
                               "qlx: \(file("images.npy")): expected its factor classes in a second .npy (--data-classes FILE), found none given")
    }

    func testMetricsOnADSpritesFileAndItsErrors() throws {
        let model = try trainOnShapes3D()
        let metrics = try QLXBinary.run(["metrics", model, "--data", fixture("shapes3d_small.h5"), "--samples", "200", "--json"],
                                        environment: environment, timeout: 300)
        XCTAssertEqual(metrics.status, 0, metrics.stderr)
        XCTAssertTrue(metrics.stdout.contains("\"infoE\""), metrics.stdout)
        try assertOneLineError(["metrics", model, "--data", fixture("dsprites_small.npz")],
                               "qlx: dataset dsprites: expected images of 3×64×64 (the model's input), found 1×64×64")
        try assertOneLineError(["metrics", model, "--data", fixture("bad_row_count.npz")],
                               "qlx: \(fixture("bad_row_count.npz")): expected 4 rows of factor classes (one per image), found 3")
        try assertOneLineError(["metrics", model, "--data", file("missing.npz")], "qlx: \(file("missing.npz")): cannot read: no such file")
    }
}
