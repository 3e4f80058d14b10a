import XCTest

/// Asserts that qlx refuses `arguments` the way every bad input must be refused: exactly
/// `expected` and a newline on stderr, nothing on stdout, and a failing exit status
/// (`status` when given, any non-zero one otherwise).
public func assertOneLineError(_ arguments: [String], _ expected: String, status: Int32? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws {
    let run = try QLXBinary.run(arguments, environment: ["NO_COLOR": "1"])
    if let status {
        XCTAssertEqual(run.status, status, "\(arguments)", file: file, line: line)
    } else {
        XCTAssertNotEqual(run.status, 0, "\(arguments)", file: file, line: line)
    }
    XCTAssertEqual(run.stderr, expected + "\n", "\(arguments)", file: file, line: line)
    XCTAssertEqual(run.stdout, "", "\(arguments)", file: file, line: line)
}
