import Foundation
import XCTest
import QLXCore
import QLXData

/// Inputs the fuzz targets (Fuzz/README.md) found mishandled, each reduced to the case it
/// showed, so the fix stays.
final class FuzzFindingsTests: XCTestCase {
    var folder = ""

    override func setUp() {
        folder = NSTemporaryDirectory() + "qlx-fuzz-findings-\(getpid())-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// An .npy file of `descr` and `shape` holding `data` as it is (version 1.0 header).
    func npy(_ name: String, descr: String, shape: [Int], data: [UInt8]) throws -> String {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        dict += String(repeating: " ", count: 63 - (10 + dict.utf8.count) % 64) + "\n"
        let length = UInt16(dict.utf8.count)
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8) + data
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// npy target: a bool array stores True as any nonzero byte (numpy reads 0x20 as True and
    /// casts it to 1.0). Npy.decode gave 1, the memory-mapped reader of dataset files 32: bool
    /// images had pixels of 32, far outside [0, 1].
    func testBoolImagesReadNonzeroBytesAsOne() throws {
        let stored: [UInt8] = [0x00, 0x20, 0x01, 0xFF]
        let images = try npy("images.npy", descr: "|b1", shape: [1, 2, 2], data: stored)
        let classes = try npy("classes.npy", descr: "|b1", shape: [1, 1], data: [0x07])
        XCTAssertEqual(try Npy.read(path: images).values, .int64([0, 1, 1, 1]))
        let dataset = try DatasetFile.open(path: images, classesPath: classes, cache: DatasetCache(root: folder + "/cache"))
        XCTAssertEqual(dataset.images(at: [0]).data, [0, 1, 1, 1])
    }

    /// Float factor classes holding NaN: NaN equals nothing, so the label encoding's lookup of
    /// its own values failed (a crash). Refused, naming the row and column.
    func testNaNClassesAreRefusedNamingWhere() throws {
        let images = try npy("images.npy", descr: "|u1", shape: [2, 2, 2], data: [UInt8](repeating: 9, count: 8))
        var nan = Double.nan.bitPattern.littleEndian, one = (1.0).bitPattern.littleEndian
        let data = withUnsafeBytes(of: &one) { Array($0) } + withUnsafeBytes(of: &nan) { Array($0) }
        let classes = try npy("classes.npy", descr: "<f8", shape: [2, 1], data: data)
        XCTAssertThrowsError(try DatasetFile.open(path: images, classesPath: classes, cache: DatasetCache(root: folder + "/cache"))) {
            XCTAssertEqual("\($0)", "\(classes): expected numeric factor classes, found NaN in row 1, column 0")
        }
    }

    /// An image array with no images: Shapes3D's reader read image −1 to check the file's end.
    /// Every format refuses it where the image layout is inferred.
    func testAnEmptyImageArrayIsRefused() throws {
        let images = try npy("images.npy", descr: "|u1", shape: [0, 2, 2], data: [])
        let classes = try npy("classes.npy", descr: "<i8", shape: [0, 1], data: [])
        XCTAssertThrowsError(try DatasetFile.open(path: images, classesPath: classes, cache: DatasetCache(root: folder + "/cache"))) {
            XCTAssertEqual("\($0)", "\(images): expected at least one image, found an array of shape [0, 2, 2]")
        }
    }
}
