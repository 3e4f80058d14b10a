import XCTest
import QLXRender

final class MosaicTests: XCTestCase {
    /// A flat w×h gray image.
    func flat(_ value: Float, width: Int = 4, height: Int = 4) -> RenderImage {
        RenderImage(width: width, height: height, channels: 1, pixels: Array(repeating: value, count: width * height))
    }

    func testCellsLayoutSnapshot() {
        let rows = [
            MosaicRow(labelLines: ["z0", "shape"], columnLabels: ["-0.50", "0.00", "0.50"], images: [flat(0), flat(1), flat(0)]),
            MosaicRow(labelLines: ["z1"], columnLabels: ["-1.00", "0.00", "1.00"], images: [flat(1), flat(0), flat(1)]),
        ]
        let grid = Mosaic.cells(rows: rows, thumbnailWidth: 4, options: RenderOptions(mode: .halfBlock, colors: .none))
        // Label column 6 ("shape" + 1); columns 5 wide ("-0.50"), thumbnails 4×2 cells centred in them.
        XCTAssertEqual(grid.text, [
            "      -0.50  0.00  0.50",
            "z0          ████       ",
            "shape       ████       ",
            "      -1.00  0.00  1.00",
            "z1    ████        ████ ",
            "      ████        ████ ",
        ].joined(separator: "\n"))
        XCTAssertTrue(grid[0, 1].bold, "latent names stand out")
        XCTAssertFalse(grid[0, 2].bold)
    }

    /// A colour model's traversal piped as text (no colour): a dim object on a dark ground,
    /// luminance .14 against .29, shows as the object, not a field of one shade.
    func testPipedTextOfAColourModelShowsTheObject() {
        var pixels = [Float](repeating: 0, count: 3 * 64)
        for y in 0..<8 {
            for x in 0..<8 {
                let object = (2..<6).contains(x) && (2..<6).contains(y)
                let (r, g, b): (Float, Float, Float) = object ? (0.2, 0.3, 0.5) : (0.1, 0.15, 0.2)
                pixels[y * 8 + x] = r; pixels[64 + y * 8 + x] = g; pixels[128 + y * 8 + x] = b
            }
        }
        let image = RenderImage(planar: pixels[...], channels: 3, height: 8, width: 8)
        let rows = [MosaicRow(labelLines: [], columnLabels: [], images: [image, image])]
        for mode in [RenderMode.halfBlock, .ascii] {
            let text = Mosaic.cells(rows: rows, thumbnailWidth: 8, options: RenderOptions(mode: mode, colors: .none)).text
            let characters = Set(text.filter { $0 != "\n" })
            XCTAssertTrue(characters.contains(" ") && characters.contains(mode == .halfBlock ? "█" : "@"), "\(mode):\n" + text)
            XCTAssertFalse(characters.contains("░") || characters.contains("."), "\(mode):\n" + text)
        }
    }

    func testCellsWithoutLabelsSeparateRowsByABlankLine() {
        let rows = [MosaicRow(labelLines: [], columnLabels: [], images: [flat(1), flat(1)]),
                    MosaicRow(labelLines: [], columnLabels: [], images: [flat(1), flat(0)])]
        let grid = Mosaic.cells(rows: rows, thumbnailWidth: 2, options: RenderOptions(mode: .halfBlock, colors: .none))
        XCTAssertEqual(grid.text, ["██ ██", "", "██   "].joined(separator: "\n").replacingOccurrences(of: "\n\n", with: "\n     \n"))
    }

    func testPictureEnlargesAndSeparatesWithGutters() {
        let a = RenderImage(width: 2, height: 1, channels: 1, pixels: [0.1, 0.2])
        let b = RenderImage(width: 2, height: 1, channels: 1, pixels: [0.3, 0.4])
        let picture = Mosaic.picture(rows: [[a, b], [b, a]], scale: 2, gutter: 1, gutterValue: 0.5)
        XCTAssertEqual(picture.width, 9)
        XCTAssertEqual(picture.height, 5)
        let row0: [Float] = [0.1, 0.1, 0.2, 0.2, 0.5, 0.3, 0.3, 0.4, 0.4]
        XCTAssertEqual(Array(picture.pixels[0..<9]), row0)
        XCTAssertEqual(Array(picture.pixels[9..<18]), row0)
        XCTAssertEqual(Array(picture.pixels[18..<27]), Array(repeating: 0.5, count: 9))
        XCTAssertEqual(Array(picture.pixels[27..<36]), [0.3, 0.3, 0.4, 0.4, 0.5, 0.1, 0.1, 0.2, 0.2])
    }

    func testFontGlyphsAreDistinct() {
        let characters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-._:+()/,=[]'·×|#%")
        let glyphs = characters.map { PixelFont.glyph($0) }
        for i in glyphs.indices {
            XCTAssertEqual(glyphs[i].count, 5)
            for j in glyphs.indices where j > i {
                XCTAssertNotEqual(glyphs[i], glyphs[j], "\(characters[i]) and \(characters[j]) look the same")
            }
        }
        XCTAssertEqual(PixelFont.glyph("x"), PixelFont.glyph("X"))
        XCTAssertEqual(PixelFont.width(of: "-0.50"), 19)
    }
}
