import Foundation
import QLXCore
import QLXData
import QLXModel
import QLXModelTestSupport
import QLXTestSupport
import XCTest

/// `qlx traverse` end to end: the real binary on a random-init tiny checkpoint.
final class TraverseCommandTests: XCTestCase {
    static let latents = 3, values = 5

    /// A tiny model on the sprites dataset (64×64 gray), so `--from sample N` works too.
    static let config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8,
                                          latents: latents, values: values)

    var directory: URL!
    var checkpointPath: String { directory.appendingPathComponent("tiny.safetensors").path }

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("traverse")
        try Checkpoint(model: QLAE(config: Self.config, seed: 11)).write(to: checkpointPath)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func traverse(_ arguments: [String], environment: [String: String] = ["TERM": "xterm-256color", "LANG": "C.UTF-8"]) throws -> QLXRun {
        var env = environment
        env["NO_COLOR"] = env["NO_COLOR"] ?? ""
        return try QLXBinary.run(["traverse"] + arguments, environment: env)
    }

    func testPipedOutputIsPlainTextWithOneBlockPerLatent() throws {
        let run = try traverse([checkpointPath, "--cell-width", "10"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains("\u{1B}"), "no escape sequences in a pipe")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        // Each latent: a line of values, then a 10×5-cell thumbnail (64×64 at two pixels per cell).
        XCTAssertEqual(lines.count, Self.latents * (1 + 5))
        XCTAssertEqual(Set(lines.map(\.count)).count, 1, "all lines equally wide")
        XCTAssertTrue(lines[0].contains("-0.50") && lines[0].contains("-0.25") && lines[0].contains("0.00")
                      && lines[0].contains("0.25") && lines[0].contains("0.50"), String(lines[0]))
        for j in 0..<Self.latents { XCTAssertTrue(lines[j * 6 + 1].hasPrefix("z\(j) "), String(lines[j * 6 + 1])) }
        // Half blocks without colour: only " ░▒▓█▀▄" in the thumbnails.
        let allowed = Set(" ░▒▓█▀▄z0123456789.-")
        XCTAssertTrue(run.stdout.filter { $0 != "\n" }.allSatisfy { allowed.contains($0) })
    }

    func testASCIIWithoutUTF8AndTheBaseCodeBeforeTheCheckpoint() throws {
        let run = try traverse(["--from", "zeros", checkpointPath, "--latent", "1"], environment: ["TERM": "xterm", "LANG": "C"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.unicodeScalars.allSatisfy { $0.isASCII }, run.stdout)
        XCTAssertTrue(run.stdout.contains("z1"))
        XCTAssertFalse(run.stdout.contains("z0") || run.stdout.contains("z2"))
    }

    func testColoursOnRequestEvenInAPipe() throws {
        let run = try traverse([checkpointPath, "--colors", "256", "--latent", "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\u{1B}[48;5;"), run.stdout)
        for line in run.stdout.split(separator: "\n") where line.contains("\u{1B}") {
            XCTAssertTrue(line.hasSuffix("\u{1B}[0m"))
        }
        let truecolor = try traverse([checkpointPath, "--colors", "24bit", "--mode", "sextant", "--latent", "0"])
        XCTAssertEqual(truecolor.status, 0, truecolor.stderr)
        XCTAssertTrue(truecolor.stdout.contains("\u{1B}[48;2;"))
    }

    /// On a terminal (a pty from util-linux `script`), colour follows TERM and NO_COLOR, and
    /// the thumbnails fit the terminal's width.
    func testOnATerminalColoursFollowTheEnvironment() throws {
        let script = "/usr/bin/script"
        guard FileManager.default.isExecutableFile(atPath: script) else { throw XCTSkip("\(script) (util-linux) not found") }
        func onTerminal(_ environment: String, graphics: String = "auto") throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = ["-qec", "stty cols 60; env \(environment) \(QLXBinary.path) traverse \(checkpointPath) --latent 0 --graphics \(graphics)", "/dev/null"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            return String(decoding: data, as: UTF8.self)
        }
        let colour = try onTerminal("TERM=xterm-256color LANG=C.UTF-8 COLORTERM= NO_COLOR=")
        XCTAssertTrue(colour.contains("\u{1B}[48;5;"), colour)
        let truecolor = try onTerminal("TERM=xterm-256color LANG=C.UTF-8 COLORTERM=truecolor NO_COLOR=")
        XCTAssertTrue(truecolor.contains("\u{1B}[48;2;"), truecolor)
        // Cells asked for: by default traverse first asks the terminal for pixels, and a pty
        // nobody answers shows those queries.
        let noColor = try onTerminal("TERM=xterm-256color LANG=C.UTF-8 NO_COLOR=1", graphics: "cells")
        XCTAssertFalse(noColor.contains("\u{1B}["), noColor)
        // 60 columns, label column 3, 5 values: thumbnails of (60 − 3 + 1) / 5 − 1 = 10 cells.
        let lines = noColor.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.map(\.count).max(), 3 + 5 * 11 - 1, noColor)
        let dumb = try onTerminal("TERM=dumb LANG=C.UTF-8 NO_COLOR=")
        XCTAssertTrue(dumb.unicodeScalars.allSatisfy { $0.isASCII } && !dumb.contains("\u{1B}["), dumb)
    }

    func testSampleAndRandomStarts() throws {
        for from in [["sample", "1234"], ["sample:99"], ["random"]] {
            let run = try traverse([checkpointPath, "--from"] + from + ["--seed", "3", "--latent", "2"])
            XCTAssertEqual(run.status, 0, "\(from): \(run.stderr)")
            XCTAssertTrue(run.stdout.contains("z2"))
        }
    }

    func testMetricsMetadataNamesTheFactors() throws {
        let path = directory.appendingPathComponent("labelled.safetensors").path
        try Checkpoint(model: QLAE(config: Self.config, seed: 11), metadata: ["qlx.metrics": threeLatentMetricsReport]).write(to: path)
        let run = try traverse([path, "--mode", "ascii"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("z0 ") } && lines.contains { $0.hasPrefix("posX ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("inactive ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("posY ") })
    }

    func testPNGHoldsTheDecodedImagesWithGutters() throws {
        let png = directory.appendingPathComponent("grid.png").path
        let run = try traverse([checkpointPath, "--png", png, "--scale", "1", "--no-labels", "--from", "zeros"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "", "no text unless --text")
        let gutter = 2
        let width = Self.values * 64 + (Self.values - 1) * gutter, height = Self.latents * 64 + (Self.latents - 1) * gutter
        let file = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(file[16..<24]), [0, 0, UInt8(width >> 8), UInt8(width & 255), 0, 0, UInt8(height >> 8), UInt8(height & 255)])

        // Compare with the model's own decoding of the same codes (zeros start: value index 2 = 0.0).
        let model = try Checkpoint.read(from: checkpointPath).model()
        var codes: [[Int]] = []
        for j in 0..<Self.latents { for v in 0..<Self.values { var c = [2, 2, 2]; c[j] = v; codes.append(c) } }
        let images = model.decode(codes: codes).images
        let pixels = try PillowDecoder.grayPixels(png)
        XCTAssertEqual(pixels.count, width * height)
        for j in 0..<Self.latents {
            for v in 0..<Self.values {
                for (y, x) in [(0, 0), (17, 40), (63, 63), (31, 5)] {
                    let expected = UInt8((images.data[(j * Self.values + v) * 4096 + y * 64 + x] * 255).rounded())
                    let actual = pixels[(j * (64 + gutter) + y) * width + v * (64 + gutter) + x]
                    XCTAssertEqual(Int(actual), Int(expected), accuracy: 1, "latent \(j) value \(v) pixel \(x),\(y)")
                }
            }
        }
        XCTAssertEqual(pixels[64 * width + 10], 128, "gutter row is mid-gray")
    }

    /// The figure's geometry at `scale` for this test's model (one label line per row, "z0"),
    /// as TraversalFigure documents it: margin 2u, title and header bands, the base column,
    /// 3 gutters, then the values; glyphs (5 font pixels) at least a 45th of the images' width.
    struct FigureGeometry {
        let scale: Int
        var unit: Int { max(2, scale, ((TraverseCommandTests.values + 1) * (size + gutter) + 224) / 225) }
        var gutter: Int { max(2, scale) }
        var size: Int { 64 * scale }
        var margin: Int { 2 * unit }
        var baseX: Int { margin + (PixelFont.width("z0") + 3) * unit }
        func valueX(_ c: Int) -> Int { baseX + size + 3 * gutter + c * (size + gutter) }
        var headerY: Int { margin + 7 * unit }
        func rowY(_ r: Int) -> Int { headerY + 6 * unit + gutter + r * (size + 2 * gutter) }
        func width(title: String) -> Int {
            max(valueX(TraverseCommandTests.values) - gutter + margin, 2 * margin + PixelFont.width(title) * unit)
        }
        var height: Int { rowY(TraverseCommandTests.latents) - gutter + margin }
        enum PixelFont { static func width(_ text: String) -> Int { text.count * 4 - 1 } }
    }

    /// `--png --from sample 0`: a title, sample 0 of the dataset as every row's first column,
    /// value indices over the columns, the sample's own value framed in each row; labels
    /// grow with --scale.
    func testPNGFigureStartsFromSampleZeroWithTitleLabelsAndFrames() throws {
        let png = directory.appendingPathComponent("figure.png").path
        let run = try traverse([checkpointPath, "--png", png, "--scale", "1", "--from", "sample", "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let g = FigureGeometry(scale: 1)
        let title = "tiny.safetensors · from sample 0 · columns: value index"
        let info = try PillowDecoder.size(png)
        XCTAssertEqual(info.width, g.width(title: title))
        XCTAssertEqual(info.height, g.height)
        let pixels = try PillowDecoder.grayPixels(png)
        func pixel(_ x: Int, _ y: Int) -> Int { Int(pixels[y * info.width + x]) }

        // Independently: dataset image 0, its code, and the model's decodings of each row.
        let model = try Checkpoint.read(from: checkpointPath).model()
        let sample = try Datasets.named("sprites").images(at: [0])
        let code = model.encode(sample).codes[0]
        for r in 0..<Self.latents {
            for (y, x) in [(0, 0), (20, 33), (63, 63), (40, 10)] {
                XCTAssertEqual(pixel(g.baseX + x, g.rowY(r) + y), Int((sample.data[y * 64 + x] * 255).rounded()), accuracy: 1,
                               "row \(r): the sample at \(x),\(y)")
            }
            var codes: [[Int]] = []
            for v in 0..<Self.values { var c = code; c[r] = v; codes.append(c) }
            let decoded = model.decode(codes: codes).images
            for v in 0..<Self.values {
                for (y, x) in [(5, 5), (32, 50), (60, 2)] {
                    XCTAssertEqual(pixel(g.valueX(v) + x, g.rowY(r) + y), Int((decoded.data[v * 4096 + y * 64 + x] * 255).rounded()),
                                   accuracy: 1, "row \(r) value \(v) at \(x),\(y)")
                }
                // The sample's own value is framed (white gutter); the others are not.
                let framed = pixel(g.valueX(v) + 10, g.rowY(r) - 1) == 255
                XCTAssertEqual(framed, v == code[r], "row \(r) value \(v) frame")
            }
        }
        // The title's "T" (top row 0b111, stem in the middle column) at the margin, 5 units high.
        XCTAssertEqual(pixel(g.margin, g.margin), 255)
        XCTAssertEqual(pixel(g.margin + 2 * g.unit + 1, g.margin), 255)
        XCTAssertEqual(pixel(g.margin + g.unit, g.margin + 5 * g.unit - 1), 255)
        XCTAssertEqual(pixel(g.margin + g.unit, g.margin + 5 * g.unit), 38, "below the title: background")
        // The header's "0" over the first value column (its top row 0b111).
        let zeroX = g.valueX(0) + (g.size - 3 * g.unit) / 2
        XCTAssertEqual((0..<(3 * g.unit)).map { pixel(zeroX + $0, g.headerY) }, Array(repeating: 255, count: 3 * g.unit))

        // At --scale 3 the figure is about 1,200 pixels wide: letters of 6 pixels per font
        // pixel (the T 30 rows high), a 45th of the images' width, for print.
        let large = directory.appendingPathComponent("large.png").path
        XCTAssertEqual(try traverse([checkpointPath, "--png", large, "--scale", "3", "--latent", "0"]).status, 0)
        let g3 = FigureGeometry(scale: 3)
        XCTAssertEqual(g3.unit, 6)
        let largeInfo = try PillowDecoder.size(large)
        let largePixels = try PillowDecoder.grayPixels(large)
        func largePixel(_ x: Int, _ y: Int) -> Int { Int(largePixels[y * largeInfo.width + x]) }
        XCTAssertEqual(largePixel(g3.margin + g3.unit, g3.margin + 29), 255)
        XCTAssertEqual(largePixel(g3.margin + g3.unit, g3.margin + 30), 38)
    }

    func testRawValuesLabelEachRowAndOtherStartsNameTheirBase() throws {
        let png = directory.appendingPathComponent("raw.png").path
        let run = try traverse([checkpointPath, "--png", png, "--scale", "1", "--raw-values", "--from", "zeros"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let g = FigureGeometry(scale: 1)
        // This model's latents share one codebook, so the values label the columns once (rows
        // whose values differ get a band each: TraversalFigureTests).
        XCTAssertEqual(try PillowDecoder.size(png).height, g.height)
        let title = "tiny.safetensors · from the values nearest 0 · columns: codebook values"
        XCTAssertEqual(try PillowDecoder.size(png).width, g.width(title: title))
    }

    /// `--captions` labels each value with its meaning (encoded from dataset samples when the
    /// checkpoint stores none): the labels change, and where captions differ between latents
    /// every row gets its own label band, so the figure never shrinks.
    func testCaptionsLabelEveryRowWithWhatItsValuesMean() throws {
        let plain = directory.appendingPathComponent("plain.png").path
        let captioned = directory.appendingPathComponent("captioned.png").path
        XCTAssertEqual(try traverse([checkpointPath, "--png", plain, "--scale", "1"]).status, 0)
        let run = try traverse([checkpointPath, "--png", captioned, "--scale", "1", "--captions"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertGreaterThanOrEqual(try PillowDecoder.size(captioned).height, try PillowDecoder.size(plain).height)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: captioned)), try Data(contentsOf: URL(fileURLWithPath: plain)))
    }

    /// `--gif`: frame k is the PNG figure's value column k, with its title, row labels, base
    /// column and value label; `--no-labels` gives the bare strip of the latents' images.
    func testGIFHasOneLabelledFramePerValueOfTheChosenLatentsAndOpensInPillow() throws {
        let gif = directory.appendingPathComponent("tour.gif").path
        // The column figure: unit 2 (its images are 2 × 66 pixels wide), margin 4, title and
        // header bands, then the two rows; as wide as its title.
        let title = "tiny.safetensors · from the values nearest 0 · columns: value index"
        let unit = 2, margin = 4, baseX = 4 + (7 + 3) * 2, valueX = baseX + 64 + 6, rowY = [32, 100]
        // "--latent 0,2" and a repeated --latent mean the same two latents.
        for latentArguments in [["--latent", "0,2"], ["--latent", "0", "--latent", "2"]] {
            let run = try traverse([checkpointPath, "--gif", gif, "--scale", "1", "--from", "zeros"] + latentArguments)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, "")
            XCTAssertTrue(run.stderr.contains("\(Self.values) frames, latents 0,2, from the values nearest 0"), run.stderr)
            let info = try PillowDecoder.gifInfo(gif)
            XCTAssertEqual(info.frames, Self.values)
            XCTAssertEqual(info.width, 2 * margin + (title.count * 4 - 1) * unit)
            XCTAssertEqual(info.height, rowY[1] + 64 + 2 + margin)
        }
        // Frame 0: latent 0 at value 0 (the rest at the zeros start, value index 2), beside the
        // base code's decoding, with the figure's labels.
        let model = try Checkpoint.read(from: checkpointPath).model()
        let images = model.decode(codes: [[0, 2, 2], [2, 2, 2]]).images
        let info = try PillowDecoder.gifInfo(gif)
        func pixel(_ x: Int, _ y: Int) -> Int { Int(info.firstFrame[y * info.width + x]) }
        for (y, x) in [(0, 0), (17, 40), (63, 63), (31, 5)] {
            XCTAssertEqual(pixel(valueX + x, rowY[0] + y), Int((images.data[y * 64 + x] * 255).rounded()), accuracy: 1, "value at \(x),\(y)")
            XCTAssertEqual(pixel(baseX + x, rowY[1] + y), Int((images.data[4096 + y * 64 + x] * 255).rounded()), accuracy: 1, "base at \(x),\(y)")
        }
        XCTAssertEqual([pixel(margin, margin), pixel(margin + unit, margin + 5 * unit - 1)], [255, 255], "the title's T")
        XCTAssertEqual(pixel(margin + unit, margin + 5 * unit), 38, "background under it")
        XCTAssertEqual((0..<6).map { pixel(margin + $0, rowY[1]) }, Array(repeating: 255, count: 6), "Z of z2's label")
        XCTAssertEqual((0..<6).map { pixel(valueX + 29 + $0, 18) }, Array(repeating: 255, count: 6), "the header's 0")

        let bare = try traverse([checkpointPath, "--gif", gif, "--scale", "1", "--from", "zeros", "--latent", "0,2", "--no-labels"])
        XCTAssertEqual(bare.status, 0, bare.stderr)
        let strip = try PillowDecoder.gifInfo(gif)
        XCTAssertEqual([strip.frames, strip.width, strip.height], [Self.values, 2 * 64 + 2, 64])
        XCTAssertEqual(Int(strip.firstFrame[17 * 130 + 40]), Int((images.data[17 * 64 + 40] * 255).rounded()), accuracy: 1)
    }

    func testErrorsAreOneLineWithNonZeroExit() throws {
        let cases: [([String], String)] = [
            ([checkpointPath, "--latent", "3"], "qlx: --latent: expected 0…2"),
            ([checkpointPath, "--latent", "1,x"], "qlx: --latent: expected a latent index"),
            ([checkpointPath, "--mode", "braille"], "qlx: --mode: unknown mode 'braille'"),
            ([checkpointPath, "--colors", "12"], "qlx: --colors: unknown colour depth '12'"),
            ([checkpointPath, "--from", "everything"], "qlx: --from: expected zeros, random or sample N"),
            ([checkpointPath, "--from", "sample", "99999999"], "qlx: --from sample: expected an image index"),
            ([checkpointPath, "--png", "/nonexistent-dir/x.png"], "qlx: cannot write /nonexistent-dir/x.png"),
            ([directory.appendingPathComponent("missing.safetensors").path], "qlx: "),
            ([checkpointPath, "--cell-width", "0"], "qlx: --cell-width: expected 1…400"),
        ]
        for (arguments, prefix) in cases {
            let run = try traverse(arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertTrue(run.stderr.hasPrefix(prefix), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stdout, "")
        }
    }
}

/// Decodes PNG and GIF files with Pillow, an implementation independent of ours.
enum PillowDecoder {
    /// Frame count, size and the first frame's gray pixels of a GIF.
    static func gifInfo(_ path: String) throws -> (frames: Int, width: Int, height: Int, firstFrame: [UInt8]) {
        let output = try run("""
        im = Image.open(sys.argv[1]); frames = im.n_frames; im.seek(0)
        first = im.convert("L")
        sys.stdout.write("%d %d %d " % (frames, im.size[0], im.size[1]) + first.tobytes().hex())
        """, path)
        let parts = output.split(separator: " ")
        guard parts.count == 4, let frames = Int(parts[0]), let width = Int(parts[1]), let height = Int(parts[2]) else {
            throw POSIXError(.EINVAL)
        }
        return (frames, width, height, bytes(fromHex: Array(parts[3].utf8)))
    }

    /// Runs `body` after `import sys` and `from PIL import Image` with `path` as its argument.
    static func run(_ body: String, _ path: String) throws -> String {
        let python = "/usr/bin/python3"
        let script = """
        import sys
        try:
            from PIL import Image
        except ImportError:
            print("NOPIL"); sys.exit(0)

        """ + body
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("\(python) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if text == "NOPIL\n" {
            throw XCTSkip("Python's PIL is not importable (Debian python3-pil; scripts/ensure-deps --test installs it)")
        }
        return text
    }

    static func bytes(fromHex hex: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        for i in stride(from: 0, to: hex.count - 1, by: 2) { bytes.append(nibble(hex[i]) << 4 | nibble(hex[i + 1])) }
        return bytes
    }

    static func size(_ path: String) throws -> (width: Int, height: Int) {
        let parts = try run("im = Image.open(sys.argv[1]); sys.stdout.write('%d %d' % im.size)", path).split(separator: " ")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { throw POSIXError(.EINVAL) }
        return (width, height)
    }

    static func grayPixels(_ path: String) throws -> [UInt8] {
        let hex = try run("""
        im = Image.open(sys.argv[1]); im.load()
        assert im.mode == "L", im.mode
        sys.stdout.write(im.tobytes().hex())
        """, path)
        return bytes(fromHex: Array(hex.utf8))
    }
}
