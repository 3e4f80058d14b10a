import Foundation
import QLXData
import QLXTestSupport
import XCTest

/// .npy files written by numpy (scripts/golden/metrics_golden.py → Tests/QLXMetricsTests/
/// Fixtures/npy, described by index.json) read back element for element, plus round trips of
/// what qlx writes.
final class NpyTests: XCTestCase {
    struct Entry: Decodable {
        var shape: [Int]
        var kind: String
        var values: [Double]?
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("QLXMetricsTests/Fixtures/npy")

    func index() throws -> [String: Entry] {
        try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: Self.folder.appendingPathComponent("index.json")))
    }

    func path(_ name: String) -> String { Self.folder.appendingPathComponent(name).path }

    func testEveryNumpyFixtureReadsBackItsValues() throws {
        let entries = try index()
        XCTAssertGreaterThan(entries.count, 20)
        for (name, entry) in entries where entry.kind != "refused" {
            let array = try Npy.read(path: path(name))
            XCTAssertEqual(array.shape, entry.shape, name)
            XCTAssertEqual(array.isInteger, entry.kind == "int", name)
            guard let expected = entry.values else { continue }
            switch array.values {
            case .int64(let values):
                XCTAssertEqual(values.map(Double.init), expected, name)
            case .float64(let values):
                XCTAssertEqual(values, expected, name)
            }
        }
    }

    func testIntegersKeepExactExtremes() throws {
        let array = try Npy.read(path: path("int_i8_negative.npy"))
        XCTAssertEqual(array.values, .int64([Int64.min, -1, 0, Int64.max]))
        XCTAssertEqual(try Npy.read(path: path("int_i2_be.npy")).values, .int64([0, 1, 2, 3, 4, 5, 6, 127]))
    }

    func testFortranOrderIsReorderedToRowMajor() throws {
        let array = try Npy.read(path: path("int_i4_fortran.npy"))
        XCTAssertEqual(array.shape, [2, 3, 4])
        XCTAssertEqual(array.values, .int64((0..<24).map(Int64.init)))
    }

    func testHalfPrecisionFloats() throws {
        let array = try Npy.read(path: path("float_f2_le.npy"))
        XCTAssertEqual(array.doubles, [0.5, -1.25, 3.0, 0.0010004043579101562, 65504.0, -0.0])
    }

    func testPickledObjectArraysAreRefusedWithAClearMessage() {
        XCTAssertThrowsError(try Npy.read(path: path("object.npy"))) { error in
            XCTAssertEqual(error as? DataError, .npyObjectArray(path: path("object.npy")))
            XCTAssertTrue("\(error)".contains("pickled object array"))
        }
    }

    func testUnsupportedDTypesAreRefused() {
        for name in ["complex.npy", "string.npy"] {
            XCTAssertThrowsError(try Npy.read(path: path(name))) { error in
                guard case .npyUnsupportedDType(let p, _)? = error as? DataError else {
                    return XCTFail("\(name): \(error)")
                }
                XCTAssertEqual(p, path(name))
            }
        }
    }

    func testUnsignedValuesBeyondInt64AreRefused() {
        XCTAssertThrowsError(try Npy.read(path: path("int_u8_large.npy"))) { error in
            XCTAssertEqual(error as? DataError, .npyValueOutOfRange(path: path("int_u8_large.npy"), index: 1, dtype: "<u8"))
        }
    }

    func testMalformedFilesThrow() throws {
        let bad: [(String, [UInt8])] = [
            ("not npy", Array("hello world, not numpy".utf8)),
            ("bad version", NpyHeaderBytes.with(version: 9, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }")),
            ("no shape", NpyHeaderBytes.with(version: 1, header: "{'descr': '<f8', 'fortran_order': False, }")),
            ("truncated data", NpyHeaderBytes.with(version: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }") + [0, 0, 0]),
        ]
        for (label, bytes) in bad {
            XCTAssertThrowsError(try Npy.decode(Data(bytes), path: "x.npy"), label) { error in
                guard case .npyMalformed(let p, _)? = error as? DataError else { return XCTFail("\(label): \(error)") }
                XCTAssertEqual(p, "x.npy")
            }
        }
        XCTAssertThrowsError(try Npy.read(path: "/nonexistent/qlx/file.npy")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/qlx/file.npy: cannot read .npy file: no such file"), "\(error)")
        }
    }

    func testWrittenFilesRoundTripAndMatchNumpyBytes() throws {
        let dir = try makeScratchDirectory("npy")
        defer { try? FileManager.default.removeItem(at: dir) }

        let ints = dir.appendingPathComponent("ints.npy").path
        try Npy.write(int64: [1, -2, 3, Int64.max, Int64.min, 0], shape: [2, 3], to: ints)
        XCTAssertEqual(try Npy.read(path: ints), NpyArray(shape: [2, 3], values: .int64([1, -2, 3, Int64.max, Int64.min, 0]), dtype: "<i8"))

        let doubles = dir.appendingPathComponent("doubles.npy").path
        try Npy.write(float64: [0.5, -1.25, 3.0, 1e-3, 65504.0, -0.0], shape: [2, 3], to: doubles)
        // numpy's own bytes for the same array (header padded to 64 bytes, then data).
        let numpyBytes = try Data(contentsOf: Self.folder.appendingPathComponent("float_f8_le.npy"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: doubles)), numpyBytes)

        let floats = dir.appendingPathComponent("floats.npy").path
        try Npy.write(float32: [1.5, -2, 0.25], shape: [3], to: floats)
        let back = try Npy.read(path: floats)
        XCTAssertEqual(back.dtype, "<f4")
        XCTAssertEqual(back.doubles, [1.5, -2, 0.25])
        XCTAssertEqual(back.shape, [3])

        let scalar = dir.appendingPathComponent("scalar.npy").path
        try Npy.write(float64: [2.5], shape: [], to: scalar)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: scalar)),
                       try Data(contentsOf: Self.folder.appendingPathComponent("scalar_f8.npy")))

        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testWritingIntoAMissingDirectoryThrows() {
        XCTAssertThrowsError(try Npy.write(int64: [1], shape: [1], to: "/nonexistent/qlx/out.npy")) { error in
            guard case .npyWriteFailed(let p, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, "/nonexistent/qlx/out.npy")
        }
    }
}

/// Hand-made .npy headers for malformed-file tests.
enum NpyHeaderBytes {
    static func with(version: UInt8, header: String) -> [UInt8] {
        let text = Array((header + "\n").utf8)
        return [0x93] + Array("NUMPY".utf8) + [version, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text
    }
}
