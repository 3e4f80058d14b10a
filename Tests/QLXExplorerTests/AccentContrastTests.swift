import QLXExplorer
import QLXRender
import XCTest

/// Accents (the caption, the sweep header, the selected code digit, NMI figures, selection
/// frames) read on the terminal's own background: the one that answered OSC 11, or either.
final class AccentContrastTests: XCTestCase {
    static let white = RGB(255, 255, 255), black = RGB(0, 0, 0)

    /// The caption's colour in presentation mode on `background` at `depth`.
    func captionColor(depth: ColorDepth, background: RGB?) -> RGB {
        var state = Fixtures.state(colors: depth)
        state.terminalBackground = background
        state.presenting = true
        let grid = ExplorerView.draw(state, images: ViewImages(preview: PresentationTests.gray(0.5), traversal: []),
                                     width: 80, height: 24)
        let caption = (0..<80).map { grid[$0, 21] }.first { $0.character == "z" }
        guard case .indexed(let index)? = caption?.foreground else {
            XCTFail("the caption has no palette colour: \(String(describing: caption))")
            return Self.white
        }
        let (r, g, b) = ColorQuantizer.rgb(ofIndex: index)
        return RGB(r, g, b)
    }

    func testAccentsReadOnAWhiteBackgroundAsOnABlackOne() {
        for depth in [ColorDepth.palette16, .palette256, .trueColor] {
            for background in [Self.white, Self.black, RGB(0xfd, 0xf6, 0xe3), RGB(0x28, 0x2c, 0x34)] {
                let accent = captionColor(depth: depth, background: background)
                XCTAssertGreaterThanOrEqual(RGB.contrast(accent, background), 4.5, "\(depth) on \(background): \(accent)")
            }
        }
    }

    func testAnUnknownBackgroundGetsAnAccentThatReadsOnBoth() {
        for depth in [ColorDepth.palette16, .palette256] {
            let accent = captionColor(depth: depth, background: nil)
            XCTAssertGreaterThanOrEqual(RGB.contrast(accent, Self.white), 3.5, "\(depth): \(accent)")
            XCTAssertGreaterThanOrEqual(RGB.contrast(accent, Self.black), 3.5, "\(depth): \(accent)")
        }
    }

    func testTheTerminalsBackgroundIsReadFromItsOSC11Reply() {
        XCTAssertEqual(GraphicsProbe.parse(Array("\u{1B}]11;rgb:ffff/ffff/ffff\u{1B}\\\u{1B}[?62;4c".utf8)).background, Self.white)
        XCTAssertEqual(GraphicsProbe.parse(Array("\u{1B}]11;rgb:28/2c/34\u{7}\u{1B}[?62c".utf8)).background, RGB(0x28, 0x2c, 0x34))
        XCTAssertNil(GraphicsProbe.parse(Array("\u{1B}[?62c".utf8)).background)
        XCTAssertTrue(GraphicsProbe.queries.contains("\u{1B}]11;?"))
    }
}
