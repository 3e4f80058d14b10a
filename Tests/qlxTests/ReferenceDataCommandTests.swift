import Foundation
import QLXTestSupport
import XCTest

/// A reference run trained on Shapes3D (a dataset qlx reads from its file) through the
/// binary: which dataset it needs and how to give it, and samples drawn from a small file.
final class ReferenceDataCommandTests: XCTestCase {
    let run = ReferenceCommandTests.fixtures + "/qlae_image_image/run"
    /// 40 images in the Shapes3D format (scripts/golden/dataset_files.py).
    let data = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXDataTests/Fixtures/datasets/shapes3d_small.h5").path
    var directory: URL!

    override func setUpWithError() throws { directory = try makeScratchDirectory("reference-data") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
    /// No `$QLX_DATA` unless a test sets it.
    var environment: [String: String] { ["XDG_CACHE_HOME": file("cache"), "NO_COLOR": "1", "QLX_DATA": ""] }

    func testCommandsSayWhichDatasetFileTheRunNeeds() throws {
        let expected = "qlx: \(run) was trained on 'shapes3d', which qlx reads from its dataset file: pass --data FILE or set $QLX_DATA\n"
        for arguments in [["metrics", run], ["encode", run, "-o", file("codes.npy")], ["traverse", run, "--from", "sample", "3"]] {
            let result = try QLXBinary.run(arguments, environment: environment, timeout: 120)
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertEqual(result.stderr, expected, "\(arguments)")
        }
        // Without a sample to start from, traverse starts from zeros and says why.
        let traverse = try QLXBinary.run(["traverse", run, "--latent", "0"], environment: environment, timeout: 120)
        XCTAssertEqual(traverse.status, 0, traverse.stderr)
        XCTAssertTrue(traverse.stderr.hasPrefix("qlx: warning: \(run) was trained on 'shapes3d', which qlx reads from its dataset file, so the traversal starts from zeros (pass --data FILE or set $QLX_DATA to start from a sample)"), traverse.stderr)
        // $QLX_DATA names the file.
        var withData = environment
        withData["QLX_DATA"] = data
        let metrics = try QLXBinary.run(["metrics", run, "--json"], environment: withData, timeout: 300)
        XCTAssertEqual(metrics.status, 0, metrics.stderr)
    }

    /// A 40-image file: the default sample is the whole file, each image once; more asked for
    /// is kept, and said to repeat.
    func testSamplesFromASmallFileAreEachImageOnceUnlessMoreAreAskedFor() throws {
        let metrics = try QLXBinary.run(["metrics", run, "--data", data, "--json"], environment: environment, timeout: 300)
        XCTAssertEqual(metrics.status, 0, metrics.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(metrics.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["samples"] as? Int, 40)
        XCTAssertFalse(metrics.stderr.contains("repeat"), metrics.stderr)

        let every = try QLXBinary.run(["encode", run, "--data", data, "--indices", file("all.npy")], environment: environment, timeout: 300)
        XCTAssertEqual(every.status, 0, every.stderr)
        XCTAssertEqual(TestNpy.int64s(try TestNpy.read(file("all.npy")).data).sorted(), Array(0..<40))

        let some = try QLXBinary.run(["encode", run, "--data", data, "--samples", "30", "--indices", file("some.npy")],
                                     environment: environment, timeout: 300)
        XCTAssertEqual(some.status, 0, some.stderr)
        XCTAssertEqual(Set(TestNpy.int64s(try TestNpy.read(file("some.npy")).data)).count, 30, "30 distinct images")

        let more = try QLXBinary.run(["encode", run, "--data", data, "--samples", "100", "--indices", file("more.npy")],
                                     environment: environment, timeout: 300)
        XCTAssertEqual(more.status, 0, more.stderr)
        XCTAssertTrue(more.stderr.contains("--samples 100: 'shapes3d' has 40 images, so every image is drawn once and 60 draws repeat one\n"), more.stderr)
        let drawn = TestNpy.int64s(try TestNpy.read(file("more.npy")).data)
        XCTAssertEqual(drawn.count, 100)
        XCTAssertEqual(Set(drawn).count, 40)
    }
}
