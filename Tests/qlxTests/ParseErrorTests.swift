import QLXTestSupport
import XCTest

/// Errors found by ArgumentParser itself (a missing value, an unknown option, a value of the
/// wrong type for commands that let it convert numbers) are one line on stderr with a pointer
/// to the right help, and its usage exit status 64; help still prints in full.
final class ParseErrorTests: XCTestCase {
    func testParseErrorsAreOneLineWithTheHelpToRead() throws {
        try assertOneLineError(["traverse", "--latent"], "qlx: missing value for '--latent <latent>' (see 'qlx traverse --help')", status: 64)
        try assertOneLineError(["info", "--bogus"], "qlx: unknown option '--bogus' (see 'qlx info --help')", status: 64)
        try assertOneLineError(["train", "--steps", "x"],
                               "qlx: the value 'x' is invalid for '--steps <steps>': expected an integer (see 'qlx train --help')", status: 64)
        try assertOneLineError(["train", "--lr", "fast"],
                               "qlx: the value 'fast' is invalid for '--lr <lr>': expected a finite number (see 'qlx train --help')", status: 64)
        // --seed is one option of every command, read as FlagValue reads numbers.
        try assertOneLineError(["train", "--seed", "-1"],
                               "qlx: --seed: expected an integer 0…18446744073709551615, found '-1'", status: 64)
    }

    func testAMistypedCommandIsAnUnknownCommandNotAMissingFile() throws {
        try assertOneLineError(["travers"], "qlx: unknown command 'travers'; did you mean 'traverse'?", status: 64)
        try assertOneLineError(["frobnicate"],
                               "qlx: unknown command 'frobnicate'; expected one of info, explore, traverse, metrics, encode, decode, convert, train, bench, or a checkpoint path",
                               status: 64)
    }

    func testVersionIsOneLine() throws {
        let run = try QLXBinary.run(["--version"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // The version, the commit and the kind of build: a source build here (scripts/package
        // stamps releases; ReleaseLayoutTests).
        XCTAssertNotNil(run.stdout.range(of: #"^qlx [0-9]+\.[0-9]+\.[0-9]+ \(commit [^ ,]+, source build\)\n$"#,
                                         options: .regularExpression), run.stdout)
    }

    func testHelpIsStillComplete() throws {
        let run = try QLXBinary.run(["traverse", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertTrue(run.stdout.contains("USAGE: qlx traverse"), run.stdout)
        XCTAssertTrue(run.stdout.contains("--latent"), run.stdout)
    }
}
