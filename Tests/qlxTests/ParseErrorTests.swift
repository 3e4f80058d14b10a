import QLXTestSupport
import XCTest

/// Errors found by ArgumentParser itself (a missing value, an unknown option, a value of the
/// wrong type for commands that let it convert numbers) are one line on stderr with a pointer
/// to the right help, and its usage exit status 64; help still prints in full.
final class ParseErrorTests: XCTestCase {
    func assertOneLine(_ arguments: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try QLXBinary.run(arguments, environment: ["NO_COLOR": "1"])
        XCTAssertEqual(run.status, 64, "\(arguments)", file: file, line: line)
        XCTAssertEqual(run.stderr, expected + "\n", "\(arguments)", file: file, line: line)
        XCTAssertEqual(run.stdout, "", "\(arguments)", file: file, line: line)
    }

    func testParseErrorsAreOneLineWithTheHelpToRead() throws {
        try assertOneLine(["traverse", "--latent"], "qlx: missing value for '--latent <latent>' (see 'qlx traverse --help')")
        try assertOneLine(["info", "--bogus"], "qlx: unknown option '--bogus' (see 'qlx info --help')")
        try assertOneLine(["train", "--steps", "x"], "qlx: the value 'x' is invalid for '--steps <steps>' (see 'qlx train --help')")
    }

    func testHelpIsStillComplete() throws {
        let run = try QLXBinary.run(["traverse", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertTrue(run.stdout.contains("USAGE: qlx traverse"), run.stdout)
        XCTAssertTrue(run.stdout.contains("--latent"), run.stdout)
    }
}
