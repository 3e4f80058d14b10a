import Foundation
import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// Reading and writing the safetensors container, independent of any model: byte layout
/// checked against hand-built files, dtype conversions against known bit patterns, and every
/// kind of malformed file rejected with a one-line message.
final class SafetensorsFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("qlx-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    // MARK: Writing

    func testWriteProducesTheExactSafetensorsByteLayout() throws {
        // Eight names, so a writer that lost the sort (dictionary order) fails every time, not
        // one time in two.
        var tensors = ["b": Tensor(shape: [2], data: [1, -2]), "a": Tensor(shape: [1, 1], data: [0.5])]
        for (name, value) in zip(["h", "c", "g", "d", "f", "e"], [8, 3, 7, 4, 6, 5] as [Float]) {
            tensors[name] = Tensor(shape: [1], data: [value])
        }
        let file = SafetensorsFile(tensors: tensors, metadata: ["k": "v\"q"])
        let bytes = try file.encoded()
        // Built by hand: metadata first, tensors sorted by name, F32, spaces to a multiple of 8.
        var header = #"{"__metadata__":{"k":"v\"q"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"#
            + #""c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},"d":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"#
            + #""e":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},"f":{"dtype":"F32","shape":[1],"data_offsets":[24,28]},"#
            + #""g":{"dtype":"F32","shape":[1],"data_offsets":[28,32]},"h":{"dtype":"F32","shape":[1],"data_offsets":[32,36]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var expected: [UInt8] = []
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { expected += $0 }
        expected += Array(header.utf8)
        for value: Float in [0.5, 1, -2, 3, 4, 5, 6, 7, 8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { expected += $0 } }
        XCTAssertEqual(bytes, expected)
    }

    func testRoundTripKeepsValuesShapesAndMetadata() throws {
        let tensors: [String: Tensor] = [
            "w": Tensor(shape: [2, 3], data: [1, 2, 3, -4, 5.25, .leastNonzeroMagnitude]),
            "scalar": Tensor(shape: [], data: [7]),
            "empty": Tensor(shape: [0, 3], data: []),
            "ünïcode name": Tensor(shape: [1], data: [.greatestFiniteMagnitude]),
        ]
        let metadata = ["qlx.config": "{\"a\": [1, 2]}\n\t", "other": "ключ ✓"]
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: path("x.safetensors"))
        let read = try SafetensorsFile.read(from: path("x.safetensors"))
        XCTAssertEqual(read.tensors, tensors)
        XCTAssertEqual(read.metadata, metadata)
        XCTAssertEqual(Set(read.storedDTypes.values), [.f32])
        let size = try FileManager.default.attributesOfItem(atPath: path("x.safetensors"))[.size] as! Int
        let headerLength = try Data(contentsOf: directory.appendingPathComponent("x.safetensors"))
            .prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        XCTAssertEqual(headerLength % 8, 0)
        XCTAssertEqual(size, 8 + headerLength + 4 * 8)
    }

    func testWriteReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        try SafetensorsFile(tensors: ["a": Tensor(shape: [1], data: [1])]).write(to: path("m.safetensors"))
        try SafetensorsFile(tensors: ["a": Tensor(shape: [2], data: [3, 4])]).write(to: path("m.safetensors"))
        XCTAssertEqual(try SafetensorsFile.read(from: path("m.safetensors")).tensors["a"]?.data, [3, 4])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["m.safetensors"])
    }

    func testWriteIntoAMissingDirectoryFailsCleanly() {
        let target = path("no/such/dir/m.safetensors")
        XCTAssertThrowsError(try SafetensorsFile(tensors: [:]).write(to: target)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(target): cannot write checkpoint: the folder \(self.path("no/such/dir")) does not exist"), "\(error)")
        }
    }

    func testWriteOverADirectoryIsRefusedAndWritesNothing() throws {
        try FileManager.default.createDirectory(atPath: path("d"), withIntermediateDirectories: false)
        try Data().write(to: URL(fileURLWithPath: path("d/inner")))
        XCTAssertThrowsError(try SafetensorsFile(tensors: ["a": Tensor(shape: [1], data: [1])]).write(to: path("d"))) {
            XCTAssertEqual("\($0)", "\(self.path("d")): cannot write checkpoint: exists and is a folder, not a regular file; qlx replaces only regular files")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["d"])
    }

    func testReservedTensorNameIsRefused() {
        XCTAssertThrowsError(try SafetensorsFile(tensors: ["__metadata__": Tensor(shape: [0], data: [])])
            .write(to: path("r.safetensors"))) { XCTAssertTrue("\($0)".contains("reserved"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("r.safetensors")))
    }

    // MARK: Reading other dtypes

    func testHalfPrecisionBitPatternsDecodeExactly() throws {
        let patterns: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x3555]
        let expected: [Float] = [1, -2, 65504, 0x1p-24, 1023 * 0x1p-24, -0.0, .infinity, -.infinity, 0.333251953125]
        try writeRaw("h.safetensors", entries: [("h", "F16", [patterns.count + 1])], data: bytes(of: patterns + [0x7E00]))
        let values = try SafetensorsFile.read(from: path("h.safetensors")).tensors["h"]!.data
        XCTAssertEqual(Array(values.prefix(patterns.count)).map(\.bitPattern), expected.map(\.bitPattern))
        XCTAssertTrue(values.last!.isNaN)
    }

    func testBFloat16IsTheTopHalfOfFloat32() throws {
        let values: [Float] = [1, -3.140625, 1e30, -0.0, .infinity]
        let patterns = values.map { UInt16($0.bitPattern >> 16) }
        try writeRaw("b.safetensors", entries: [("b", "BF16", [5])], data: bytes(of: patterns))
        let file = try SafetensorsFile.read(from: path("b.safetensors"))
        XCTAssertEqual(file.tensors["b"]!.data.map(\.bitPattern), values.map { $0.bitPattern & 0xFFFF_0000 })
        XCTAssertEqual(file.storedDTypes["b"], .bf16)
    }

    // MARK: Malformed files

    func testMissingPathAndDirectoryAreNamed() {
        assertReadFails(path("absent.safetensors"), "absent.safetensors: no such file")
        assertReadFails(directory.path, "expected a checkpoint file, found a directory")
    }

    func testFIFOsAndDevicesAreRefusedWithoutBlocking() throws {
        XCTAssertEqual(mkfifo(path("fifo"), 0o600), 0)
        assertReadFails(path("fifo"), "cannot read: is a named pipe, not a regular file")
        assertReadFails("/dev/zero", "cannot read: is a character device, not a regular file")
    }

    func testSymlinkToACheckpointIsFollowed() throws {
        try SafetensorsFile(tensors: ["a": Tensor(shape: [1], data: [5])]).write(to: path("real"))
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: path("real"))
        XCTAssertEqual(try SafetensorsFile.read(from: path("link")).tensors["a"]?.data, [5])
    }

    func testEmptyFile() throws {
        try Data().write(to: URL(fileURLWithPath: path("e")))
        assertReadFails(path("e"), "file is 0 bytes, expected at least 8")
    }

    func testHeaderLengthBeyondTheFile() throws {
        var bytes = le64(1000)
        bytes += Array("{}".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path("l")))
        assertReadFails(path("l"), "header length 1000 exceeds the 2 bytes after the length field")
    }

    func testHugeHeaderLengthIsRefusedBeforeAllocating() throws {
        // A sparse 200 MB file whose header claims all of it: refused by the cap, never read.
        let size: UInt64 = 200_000_008
        try Data(le64(size - 8)).write(to: URL(fileURLWithPath: path("big")))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path("big")))
        try handle.truncate(atOffset: size)
        try handle.close()
        assertReadFails(path("big"), "exceeds the 100000000-byte limit")
    }

    func testTruncatedFileIsReportedAsDataOutsideTheSection() throws {
        try SafetensorsFile(tensors: ["w": Tensor(shape: [4], data: [1, 2, 3, 4])]).write(to: path("t"))
        let full = try Data(contentsOf: URL(fileURLWithPath: path("t")))
        try full.prefix(full.count - 3).write(to: URL(fileURLWithPath: path("t")))
        assertReadFails(path("t"), "tensor w: data_offsets [0, 16] fall outside the 13-byte data section")
        try full.prefix(20).write(to: URL(fileURLWithPath: path("t")))
        assertReadFails(path("t"), "exceeds the 12 bytes after the length field")
    }

    func testInvalidAndNonObjectJSONHeaders() throws {
        for (text, message) in [("{\"a\": ", "invalid JSON header at byte 6: unexpected end of header"),
                                ("[1, 2]", "header is an array, expected a JSON object"),
                                ("{\"a\":1,\"a\":2}", "duplicate key 'a'"),
                                (String(repeating: "[", count: 5000), "nested deeper than 64 levels"),
                                ("{\"__metadata__\": {\"k\": 3}}", "__metadata__ key k: expected a string, found a number"),
                                ("{\"w\": 5}", "tensor w: expected an object with dtype, shape and data_offsets")] {
            var bytes = le64(UInt64(text.utf8.count))
            bytes += Array(text.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path("j")))
            assertReadFails(path("j"), message)
        }
        var bytes = le64(4)
        bytes += [0x7B, 0x22, 0xFF, 0x22]  // {"<invalid UTF-8>"
        try Data(bytes).write(to: URL(fileURLWithPath: path("u")))
        assertReadFails(path("u"), "not valid UTF-8")
    }

    func testUnknownDTypeNamesTheTensor() throws {
        try writeRaw("d", entries: [("w", "F64", [1])], data: [UInt8](repeating: 0, count: 8))
        assertReadFails(path("d"), "tensor w: unsupported dtype F64 (expected F32, F16 or BF16)")
    }

    func testOffsetsOutsideOverlappingOrOfTheWrongSize() throws {
        let data = [UInt8](repeating: 0, count: 16)
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#, data: data)
        assertReadFails(path("o"), "tensor w: data_offsets [12, 20] fall outside the 16-byte data section")
        try writeRaw("o", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: data)
        assertReadFails(path("o"), "tensor b: bytes [4, 12) overlap tensor a at [0, 8)")
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: data)
        assertReadFails(path("o"), "tensor w: shape [3] as F32 needs 12 bytes, data_offsets [0, 8] hold 8")
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,4]}}"#, data: data)
        assertReadFails(path("o"), "data_offsets [8, 4] fall outside")
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: data)
        assertReadFails(path("o"), "shape must be an array of non-negative integers")
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: data)
        assertReadFails(path("o"), "has too many elements")
        try writeRaw("o", header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: data)
        assertReadFails(path("o"), "tensor w: missing \"data_offsets\"")
    }

    func testGapsAndTrailingBytesAreTolerated() throws {
        var data = bytes(of: [Float(1)].map(\.bitPattern))
        data += [0, 0, 0, 0]
        data += bytes(of: [Float(2)].map(\.bitPattern))
        data += [9, 9]
        try writeRaw("g", header: #"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: data)
        let file = try SafetensorsFile.read(from: path("g"))
        XCTAssertEqual(file.tensors["a"], Tensor(shape: [], data: [1]))
        XCTAssertEqual(file.tensors["b"], Tensor(shape: [1], data: [2]))
    }

    func testHeaderStringEscapesAreDecoded() throws {
        let header = #"{"__metadata__":{"k\u00e9":"a\"b\\c\/d\n\ud83d\ude00"}}"# + "   "
        try writeRaw("s", header: header, data: [])
        XCTAssertEqual(try SafetensorsFile.read(from: path("s")).metadata, ["k\u{e9}": "a\"b\\c/d\n\u{1F600}"])
        try writeRaw("s", header: #"{"__metadata__":{"k":"\ud83d"}}"#, data: [])
        assertReadFails(path("s"), "unpaired surrogate")
        // A multi-byte character cut by an escape (its lead byte, then \n): not UTF-8 once the
        // in-place reader joins the pieces, as it was not piece by piece before.
        var bytes = le64(13)
        bytes += Array(#"{"k":""#.utf8) + [0xC3] + Array(#"\n"}"#.utf8) + [0x20, 0x20]
        try Data(bytes).write(to: URL(fileURLWithPath: path("s")))
        assertReadFails(path("s"), "invalid JSON header at byte 5: string is not valid UTF-8")
    }

    // MARK: Helpers

    private func assertReadFails(_ target: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsFile.read(from: target), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(target + ":"), "message does not name the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "expected “\(fragment)” in: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "message spans lines: \(message)", file: file, line: line)
        }
    }

    private func le64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private func bytes<T: FixedWidthInteger>(of values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    private func writeRaw(_ name: String, header: String, data: [UInt8]) throws {
        var out = le64(UInt64(header.utf8.count))
        out += Array(header.utf8)
        out += data
        try Data(out).write(to: URL(fileURLWithPath: path(name)))
    }

    private func writeRaw(_ name: String, entries: [(String, String, [Int])], data: [UInt8]) throws {
        var offset = 0
        let size = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8]
        let members = entries.map { (tensor, dtype, shape) -> String in
            let end = offset + shape.reduce(1, *) * size[dtype]!
            defer { offset = end }
            return "\"\(tensor)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(end)]}"
        }
        try writeRaw(name, header: "{" + members.joined(separator: ",") + "}", data: data)
    }
}
