import QLXRender
import XCTest

/// Sixel (through libsixel's own decoder), the terminal probe's parsing, the protocol choice
/// and tmux's passthrough wrapping.
final class TerminalGraphicsTests: XCTestCase {
    /// A gray test card: a ramp with every level, odd size.
    static let gray = PixelImage(width: 37, height: 19, channels: 1,
                                 bytes: (0..<(37 * 19)).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i * 7 + i / 37) })

    func testSixelOfAGrayImageDecodesToTheSamePixelsWithLibsixel() throws {
        let sixel = try SixelEncoder.encode(Self.gray)
        XCTAssertTrue(sixel.hasPrefix("\u{1B}P"), "a DCS sequence")
        let decoded = try SixelEncoder.decode(sixel)
        XCTAssertEqual(decoded.width, 37)
        XCTAssertEqual(decoded.height, 19)
        assertSame(decoded.bytes, Self.gray.rgbBytes)
    }

    /// Sixel colour registers are percentages (0…100), so a level comes back within half a
    /// percent step (1.3 of 255); anything else (a wrong palette index) is far off.
    func assertSame(_ decoded: [UInt8], _ expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(decoded.count, expected.count, file: file, line: line)
        var worst = 0
        for (a, b) in zip(decoded, expected) { worst = max(worst, abs(Int(a) - Int(b))) }
        XCTAssertLessThanOrEqual(worst, 2, "largest difference per channel", file: file, line: line)
    }

    func testSixelOfAColourImageWithFewColoursDecodesToTheSamePixels() throws {
        var bytes: [UInt8] = []
        for i in 0..<(64 * 48) {
            let c = (i * 13 + i / 64) % 200
            bytes += [UInt8(c), UInt8(255 - c), UInt8(c * 37 % 256)]
        }
        let image = PixelImage(width: 64, height: 48, channels: 3, bytes: bytes)
        let decoded = try SixelEncoder.decode(try SixelEncoder.encode(image))
        assertSame(decoded.bytes, bytes)
    }

    /// More colours than registers: libsixel's palette, close to the source on average.
    func testSixelOfAManyColouredImageStaysClose() throws {
        var bytes: [UInt8] = []
        for i in 0..<(64 * 64) { bytes += [UInt8(i % 64 * 4), UInt8(i / 64 * 4), 128] }
        let image = PixelImage(width: 64, height: 64, channels: 3, bytes: bytes)
        let decoded = try SixelEncoder.decode(try SixelEncoder.encode(image, colorRegisters: 16))
        XCTAssertEqual(decoded.width, 64)
        var total = 0
        for (a, b) in zip(decoded.bytes, bytes) { total += abs(Int(a) - Int(b)) }
        let error = total / bytes.count
        XCTAssertLessThan(error, 24, "mean error per channel")
    }

    func testWholeMultiplesRepeatPixelsAndOtherSizesAverage() {
        let image = RenderImage(width: 2, height: 1, channels: 1, pixels: [0, 1])
        XCTAssertEqual(PixelImage(image, width: 4, height: 2).bytes, [0, 0, 255, 255, 0, 0, 255, 255])
        XCTAssertEqual(PixelImage(image, width: 1, height: 1).bytes, [128])
    }

    func testProbeRepliesAreParsed() {
        let xterm = GraphicsProbe.parse(Array("\u{1B}[?1;0;256S\u{1B}[6;13;6t\u{1B}[?63;1;2;4;6;9;15;22c".utf8))
        XCTAssertEqual(xterm, { var p = GraphicsProbe(); p.sixel = true; p.colorRegisters = 256
            p.cellPixels = CellPixels(width: 6, height: 13); p.complete = true; return p }())
        let kitty = GraphicsProbe.parse(Array("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[6;20;10t\u{1B}[?62;c".utf8))
        XCTAssertTrue(kitty.kitty)
        XCTAssertFalse(kitty.sixel)
        XCTAssertEqual(kitty.cellPixels, CellPixels(width: 10, height: 20))
        // Class 4 is not attribute 4; a reply not yet finished is not complete.
        XCTAssertFalse(GraphicsProbe.parse(Array("\u{1B}[?4;6c".utf8)).sixel)
        XCTAssertFalse(GraphicsProbe.parse(Array("\u{1B}[?1;0;256S".utf8)).complete)
    }

    func testTheProtocolChoice() {
        var sixel = GraphicsProbe(); sixel.sixel = true
        var both = sixel; both.kitty = true
        XCTAssertEqual(GraphicsProbe.choose(.auto, probe: sixel, tmux: nil), .sixel)
        XCTAssertEqual(GraphicsProbe.choose(.auto, probe: both, tmux: nil), .kitty)
        XCTAssertEqual(GraphicsProbe.choose(.auto, probe: GraphicsProbe(), tmux: nil), .cells)
        XCTAssertEqual(GraphicsProbe.choose(.auto, probe: nil, tmux: nil), .cells)
        XCTAssertEqual(GraphicsProbe.choose(.sixel, probe: nil, tmux: nil), .sixel)
        // tmux without passthrough: cells, even when asked.
        XCTAssertEqual(GraphicsProbe.choose(.kitty, probe: both, tmux: TmuxState(passthrough: false)), .cells)
        XCTAssertEqual(GraphicsProbe.choose(.auto, probe: sixel, tmux: TmuxState(passthrough: true)), .sixel)
    }

    func testTmuxPassthroughDoublesEveryEscape() {
        XCTAssertEqual(TmuxState.wrap("\u{1B}[c\u{1B}P"), "\u{1B}Ptmux;\u{1B}\u{1B}[c\u{1B}\u{1B}P\u{1B}\\")
    }

    func testBase64MatchesTheStandardVectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                                 ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
        }
    }
}

extension PNGWriterTests {
    /// The kitty sequence's chunks joined, base64-decoded by Python and opened by Pillow, give
    /// back the pixels.
    func testKittyPayloadIsABase64PNGOfTheSamePixels() throws {
        var state: UInt32 = 12_345, bytes: [UInt8] = []   // noise (a linear congruential sequence): several chunks
        for _ in 0..<(70 * 70 * 3) {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes.append(UInt8(state >> 24))
        }
        let image = PixelImage(width: 70, height: 70, channels: 3, bytes: bytes)
        let sequence = try KittyGraphics.place(image, id: 7)
        XCTAssertTrue(sequence.hasPrefix("\u{1B}_Ga=T,f=100,i=7,p=1,C=1,q=2,m=1;"))
        XCTAssertGreaterThan(sequence.components(separatedBy: "\u{1B}_G").count - 1, 2, "chunked")
        XCTAssertTrue(sequence.hasSuffix("\u{1B}\\"))
        let base64Path = directory.appendingPathComponent("payload.b64").path
        let pngPath = directory.appendingPathComponent("payload.png").path
        try KittyGraphics.payload(of: sequence).write(toFile: base64Path, atomically: true, encoding: .ascii)
        _ = try run("/usr/bin/python3", ["-c", "import base64,sys; open(sys.argv[2],'wb').write(base64.b64decode(open(sys.argv[1]).read(), validate=True))",
                                         base64Path, pngPath])
        let decoded = try decodeWithPillow(pngPath)
        XCTAssertEqual(decoded.mode, "RGB")
        XCTAssertEqual(decoded.width, 70)
        XCTAssertEqual(decoded.bytes, bytes)
    }
}
