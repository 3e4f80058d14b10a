import Foundation
import QLXTestSupport
import XCTest

/// The models in assets/ open by name, and a file of that name in the current folder wins.
final class BundledModelTests: XCTestCase {
    func testABundledModelOpensByName() throws {
        let run = try QLXBinary.run(["info", "sprites"], environment: ["QLX_MODEL": ""])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("assets/sprites-qlae.safetensors"), run.stdout)
        XCTAssertTrue(run.stdout.contains("posX"), run.stdout)
    }

    func testAMissingPathIsNotMistakenForAName() throws {
        try assertOneLineError(["info", "scenes-typo"], "qlx: scenes-typo: no such file")
    }
}
