import QLXExplorer
import QLXRender
import XCTest

final class ExplorerLayoutTests: XCTestCase {
    func testPanelsStayInsideTheScreenAndDoNotOverlapAtCommonSizes() throws {
        for (width, height) in [(60, 18), (80, 24), (100, 30), (160, 48), (240, 70)] {
            let layout = try XCTUnwrap(ExplorerLayout.compute(width: width, height: height, latentCount: 10, valuesPerLatent: 10,
                                                               imageWidth: 64, imageHeight: 64, mode: .halfBlock))
            let rects = [layout.title, layout.latents, layout.metrics, layout.preview, layout.traversal, layout.status]
            for rect in rects {
                XCTAssertTrue(rect.x >= 0 && rect.y >= 0 && rect.maxX <= width && rect.maxY <= height, "\(rect) at \(width)×\(height)")
            }
            for (i, a) in rects.enumerated() {
                for b in rects[(i + 1)...] where !a.isEmpty && !b.isEmpty {
                    let overlaps = a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
                    XCTAssertFalse(overlaps, "\(a) overlaps \(b) at \(width)×\(height)")
                }
            }
            XCTAssertEqual(layout.visibleThumbnails, 10, "all ten values fit at \(width)×\(height)")
            if width >= 80 && height >= 24 {
                XCTAssertGreaterThanOrEqual(layout.latents.height, 11, "every latent has a row at \(width)×\(height)")
            }
        }
    }

    func testLargerTerminalsGetLargerImages() throws {
        func previewArea(_ w: Int, _ h: Int) throws -> Int {
            let l = try XCTUnwrap(ExplorerLayout.compute(width: w, height: h, latentCount: 10, valuesPerLatent: 10,
                                                         imageWidth: 64, imageHeight: 64, mode: .halfBlock))
            return l.preview.width * l.preview.height + l.thumbnailWidth * l.thumbnailHeight
        }
        XCTAssertLessThan(try previewArea(80, 24), try previewArea(100, 30))
        XCTAssertLessThan(try previewArea(100, 30), try previewArea(200, 60))
    }

    func testBelowTheMinimumThereIsNoLayout() {
        XCTAssertNil(ExplorerLayout.compute(width: 59, height: 30, latentCount: 10, valuesPerLatent: 10,
                                            imageWidth: 64, imageHeight: 64, mode: .halfBlock))
        XCTAssertNil(ExplorerLayout.compute(width: 100, height: 17, latentCount: 10, valuesPerLatent: 10,
                                            imageWidth: 64, imageHeight: 64, mode: .halfBlock))
    }
}
