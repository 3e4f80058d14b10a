import QLXTestSupport
import XCTest
import QLXRender

final class PNGWriterTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("png")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Decodes a PNG with Pillow (an independent decoder) and returns mode, size and bytes.
    func decodeWithPillow(_ path: String) throws -> (mode: String, width: Int, height: Int, bytes: [UInt8]) {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("\(python) not found (scripts/ensure-deps --test installs python3-pil)")
        }
        let script = """
        import sys
        try:
            from PIL import Image
        except ImportError:
            print("NOPIL"); sys.exit(0)
        im = Image.open(sys.argv[1]); im.load()
        print(im.mode, im.size[0], im.size[1], im.tobytes().hex())
        """
        let output = try run(python, ["-c", script, path])
        if output.trimmingCharacters(in: .whitespacesAndNewlines) == "NOPIL" {
            throw XCTSkip("Python's PIL is not importable (Debian python3-pil; scripts/ensure-deps --test installs it)")
        }
        let parts = output.split(separator: " ").map(String.init)
        XCTAssertEqual(parts.count, 4, output)
        let hex = Array(parts[3].trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: hex.count, by: 2) { bytes.append(UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16)!) }
        return (parts[0], Int(parts[1])!, Int(parts[2])!, bytes)
    }

    func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "\(executable) \(arguments.last ?? ""): \(text)")
        return text
    }

    func checkWithPngcheckIfPresent(_ path: String) throws {
        for candidate in ["/usr/bin/pngcheck", "/usr/local/bin/pngcheck"] where FileManager.default.isExecutableFile(atPath: candidate) {
            XCTAssertTrue(try run(candidate, [path]).contains("OK"))
        }
    }

    func testGrayscaleFileDecodesToTheSamePixels() throws {
        let width = 37, height = 11   // odd sizes: no accidental alignment
        let bytes = (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / width) }
        let path = directory.appendingPathComponent("gray.png").path
        try PNGWriter.write(width: width, height: height, channels: 1, bytes: bytes, to: path)
        let decoded = try decodeWithPillow(path)
        XCTAssertEqual(decoded.mode, "L")
        XCTAssertEqual(decoded.width, width)
        XCTAssertEqual(decoded.height, height)
        XCTAssertEqual(decoded.bytes, bytes)
        try checkWithPngcheckIfPresent(path)
    }

    func testRGBFileDecodesToTheSamePixels() throws {
        let width = 5, height = 4
        var pixels: [Float] = []
        for y in 0..<height { for x in 0..<width { pixels += [Float(x) / 4, Float(y) / 3, Float((x + y) % 2)] } }
        let image = RenderImage(width: width, height: height, channels: 3, pixels: pixels)
        let path = directory.appendingPathComponent("rgb.png").path
        try PNGWriter.write(image, to: path)
        let decoded = try decodeWithPillow(path)
        XCTAssertEqual(decoded.mode, "RGB")
        XCTAssertEqual(decoded.bytes, pixels.map { UInt8(($0 * 255).rounded()) })
        try checkWithPngcheckIfPresent(path)
    }

    func testOverwritingReplacesTheFileAndLeavesNoTemporaries() throws {
        let path = directory.appendingPathComponent("out.png").path
        try PNGWriter.write(width: 1, height: 1, channels: 1, bytes: [0], to: path)
        try PNGWriter.write(width: 2, height: 1, channels: 1, bytes: [10, 200], to: path)
        let decoded = try decodeWithPillow(path)
        XCTAssertEqual(decoded.bytes, [10, 200])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["out.png"])
    }

    func testUnwritablePathsThrowWithoutLeavingFiles() throws {
        let missing = directory.appendingPathComponent("no/such/dir/x.png").path
        XCTAssertThrowsError(try PNGWriter.write(width: 1, height: 1, channels: 1, bytes: [0], to: missing)) { error in
            guard case RenderError.cannotWrite(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missing)
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(missing): "))
        }
        XCTAssertThrowsError(try PNGWriter.write(width: 1, height: 1, channels: 1, bytes: [0], to: directory.path + "/"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testRejectsInconsistentSizes() {
        XCTAssertThrowsError(try PNGWriter.encode(width: 2, height: 2, channels: 1, bytes: [1, 2, 3]))
        XCTAssertThrowsError(try PNGWriter.encode(width: 2, height: 2, channels: 2, bytes: [UInt8](repeating: 0, count: 8)))
        XCTAssertThrowsError(try PNGWriter.encode(width: 0, height: 2, channels: 1, bytes: []))
    }

    func testFileStartsWithTheSignatureAndHeader() throws {
        let file = try PNGWriter.encode(width: 300, height: 2, channels: 3, bytes: [UInt8](repeating: 9, count: 1800))
        XCTAssertEqual(Array(file[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(file[8..<16]), [0, 0, 0, 13] + Array("IHDR".utf8))
        XCTAssertEqual(Array(file[16..<29]), [0, 0, 1, 44, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        XCTAssertEqual(Array(file.suffix(12)), [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    }
}
