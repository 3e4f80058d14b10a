import Foundation
import QLXRender
import XCTest

/// Animated GIFs keep the colours of their frames: one palette chosen from every frame, read
/// back by Pillow (an independent decoder).
final class GIFWriterTests: XCTestCase {
    /// Three frames of a slate-blue wall shading into a darker one (the scenes' walls): smooth
    /// gradients that a fixed 256-colour palette turned into a few noisy grays.
    static func frames() -> [RenderImage] {
        (0..<3).map { f in
            var pixels: [Float] = []
            for y in 0..<64 {
                for x in 0..<64 {
                    let t = Float(x + 64 * f) / 192, s = Float(y / 16) / 12
                    pixels += [0.28 + 0.2 * t - s, 0.33 + 0.15 * t - s, 0.55 + 0.25 * t - s]
                }
            }
            return RenderImage(width: 64, height: 64, channels: 3, pixels: pixels)
        }
    }

    func testColourFramesShareOnePaletteThatKeepsTheirShading() throws {
        let frames = Self.frames()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-gif-\(UUID().uuidString).gif").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GIFWriter.write(frames, to: path)
        let decoded = try Self.pillowFrames(path)
        XCTAssertEqual(decoded.count, 3)
        var worst = 0
        for (frame, rgb) in zip(frames, decoded) {
            for (value, byte) in zip(frame.pixels, rgb) { worst = max(worst, abs(Int(ColorQuantizer.byte(value)) - Int(byte))) }
        }
        XCTAssertLessThanOrEqual(worst, 6, "largest channel error (a fixed 256-colour palette: about 20)")
        for (k, rgb) in decoded.enumerated() {
            var colours = Set<Int>()
            for i in stride(from: 0, to: rgb.count, by: 3) {
                let red = Int(rgb[i]) << 16, green = Int(rgb[i + 1]) << 8
                colours.insert(red | green | Int(rgb[i + 2]))
            }
            XCTAssertGreaterThan(colours.count, 20, "frame \(k) keeps its shading")
        }
    }

    /// A labelled figure animated: every frame is its value column with the PNG's labels,
    /// and text and background keep their exact colours although the frames' shading needs
    /// all 256 palette entries (the median cut alone moved them by a few levels).
    func testAnimatedFigureFramesCarryThePNGsLabelsInTheirExactColours() throws {
        let shaded = Self.frames()
        let rows = ["z0", "z1"].enumerated().map { r, name in
            TraversalFigure.Row(labelLines: [name, r == 0 ? "wallHue" : "shape"], columnLabels: ["0", "1", "2"],
                                images: r == 0 ? shaded : shaded.reversed(), baseColumn: r)
        }
        let figure = TraversalFigure(title: "scenes · from sample 18000", rows: rows, base: shaded[1], baseLabel: "sample")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-gif-\(UUID().uuidString).gif").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try GIFWriter.write(animating: figure, scale: 2, to: path)
        let decoded = try Self.pillowFrames(path)
        XCTAssertEqual(decoded.count, 3)
        let frames = (0..<3).map { figure.column($0).picture(scale: 2) }
        XCTAssertEqual([written.width, written.height, written.frames], [frames[0].width, frames[0].height, 3])
        let text = TraversalFigure.labelColours.map { [$0.0, $0.1, $0.2] }
        for (k, (frame, rgb)) in zip(frames, decoded).enumerated() {
            let expected = frame.pixels.map(ColorQuantizer.byte)
            XCTAssertEqual(rgb.count, expected.count, "frame \(k): the size of the figure's column")
            let g = figure.column(k).geometry(scale: 2)
            var labelPixels = 0, inkPixels = 0, wrong = 0
            // Left of the base column and above the first row: only text and background.
            for y in 0..<frame.height {
                for x in 0..<frame.width where x < g.baseX! || y < g.rowY[0] - g.gutter {
                    let o = (y * frame.width + x) * 3
                    let want = Array(expected[o..<(o + 3)])
                    XCTAssertTrue(text.contains(want), "frame \(k) at \(x),\(y): \(want) is a label colour")
                    labelPixels += 1
                    if want == text[1] { inkPixels += 1 }
                    if Array(rgb[o..<(o + 3)]) != want { wrong += 1 }
                }
            }
            XCTAssertEqual(wrong, 0, "frame \(k): label pixels changed colour (of \(labelPixels))")
            XCTAssertGreaterThan(inkPixels, 200, "frame \(k) has text")
            // The column's own label "k" centred over the value column, its top row ink.
            let x = g.valueX(0) + (g.thumbnailWidth - PixelFont.width(of: "\(k)") * g.unit) / 2 + g.unit
            let o = (g.headerY! * frame.width + x) * 3
            XCTAssertEqual(Array(rgb[o..<(o + 3)]), text[1], "frame \(k): its value's label")
        }
    }

    /// Each frame as RGB bytes, decoded by Pillow.
    static func pillowFrames(_ path: String) throws -> [[UInt8]] {
        let script = """
        import sys
        try:
            from PIL import Image
        except ImportError:
            print("NOPIL"); sys.exit(0)
        im = Image.open(sys.argv[1])
        for k in range(im.n_frames):
            im.seek(k); sys.stdout.write(im.convert("RGB").tobytes().hex() + "\\n")
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("no python3") }
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if text.hasPrefix("NOPIL") { throw XCTSkip("Python's PIL is not importable") }
        return text.split(separator: "\n").map { line in
            let hex = Array(line.utf8)
            func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
            return stride(from: 0, to: hex.count - 1, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
        }
    }
}
