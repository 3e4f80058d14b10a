import Foundation
import QLXExplorer
import QLXRender
import QLXTestSupport
import XCTest

final class ExplorerSessionTests: XCTestCase {
    func testTheTraversalIsDecodedInOneBatchAndSteppingNeverDecodes() {
        let source = FlatImageSource()
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: source)
        session.start()
        XCTAssertEqual(source.decodeCalls.count, 0, "start-up decodes nothing before the first frame")
        XCTAssertFalse(session.update(), "nothing is ready yet: the first decode goes to the background")
        XCTAssertTrue(session.frame(width: 100, height: 30).text.contains("decoding..."))
        session.settle(width: 100, height: 30)
        XCTAssertEqual(source.decodeCalls.first, [[1, 2, 3]], "the preview first, alone")
        XCTAssertEqual(source.decodeCalls.count, 2)
        XCTAssertEqual(Set(source.decodeCalls[1]), [[0, 2, 3], [2, 2, 3], [3, 2, 3]], "one batch for the rest")
        for key in [Key.right, .right, .left, .home, .end] {
            _ = session.handle(key)
            _ = session.update()
            _ = session.frame(width: 100, height: 30)
        }
        XCTAssertEqual(source.decodeCalls.count, 2, "every value of the selected latent is cached")
        _ = session.handle(.down)
        _ = session.update()
        _ = session.frame(width: 100, height: 30)
        XCTAssertEqual(source.decodeCalls.count, 3)
        XCTAssertEqual(source.decodeCalls[2].count, 3, "the current code is cached already")
    }

    func testSlowDecodesGoToTheBackgroundAndTheLastImageStaysMeanwhile() throws {
        let source = FlatImageSource()
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: source)
        session.start()
        session.settle(width: 100, height: 30)
        source.delay = 0.2
        session.synchronousBudget = 0
        _ = session.handle(.down)
        _ = session.handle(.right)
        let started = Date()
        _ = session.update()
        let grid = session.frame(width: 100, height: 30)
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.15, "the frame did not wait for the decode")
        XCTAssertTrue(grid.text.contains("decoding..."), grid.text)
        session.waitForDecodes()
        XCTAssertFalse(session.frame(width: 100, height: 30).text.contains("decoding..."))
    }

    func testSamplesAreEncodedAndShownBesideTheReconstruction() {
        let source = FlatImageSource()
        let session = ExplorerSession(state: Fixtures.state(), source: source)
        session.start()
        session.settle(width: 100, height: 30)
        let startIndex = session.state.sampleIndex(at: 0)
        XCTAssertEqual(session.state.sample?.index, startIndex)
        XCTAssertEqual(session.state.code, source.sample(at: startIndex).code)
        XCTAssertTrue(session.frame(width: 100, height: 30).text.contains("sample \(startIndex)"))
        _ = session.handle(.character("n"))
        _ = session.update()
        let next = session.state.sampleIndex(at: 1)
        XCTAssertEqual(session.state.code, source.sample(at: next).code)
        _ = session.handle(.right)
        let edited = session.frame(width: 100, height: 30).text
        XCTAssertTrue(edited.contains("sample \(next) (edited)"), edited)
        _ = session.handle(.character("z"))
        XCTAssertEqual(session.state.sample?.index, startIndex)
    }

    /// The start sample is encoded before the first frame even when encoding is slow, so a
    /// key pressed at once edits that sample's code and is not undone when the sample lands.
    func testTheFirstKeyEditsTheStartSampleAndStays() {
        let source = FlatImageSource()
        let session = ExplorerSession(state: Fixtures.state(), source: source)
        session.synchronousBudget = 0   // every later encode goes to the background
        let startCode = source.sample(at: session.state.sampleIndex(at: 0)).code
        XCTAssertNotEqual(session.state.code, startCode, "the test needs a start sample that changes the code")
        session.start()
        XCTAssertEqual(session.state.code, startCode, "the start sample is there before the first frame")
        _ = session.frame(width: 100, height: 30)
        let edited = startCode[0] == 3 ? 2 : 3
        _ = session.handle(.character(Character(String(edited))))
        _ = session.update()
        _ = session.frame(width: 100, height: 30)
        session.waitForDecodes()
        _ = session.update()
        _ = session.frame(width: 100, height: 30)
        XCTAssertEqual(session.state.code, [edited] + startCode.dropFirst(), "the key's edit stayed")
    }

    func testBelowTheMinimumSizeOnlyQuitAndRedrawDoAnything() {
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource())
        session.start()
        XCTAssertTrue(session.frame(width: 30, height: 10).text.contains("too small"))
        XCTAssertTrue(session.isTooSmall)
        XCTAssertEqual(session.handle(.right), .none)
        XCTAssertEqual(session.state.code, [1, 2, 3])
        XCTAssertEqual(session.handle(.character("q")), .quit)
        XCTAssertEqual(session.handle(.control("c")), .quit)
    }

    /// Presses `key` in a session settled at 100×30 that exports into a fresh directory;
    /// returns the bytes of `file` there once the status line names it.
    func export(key: Character, file: String, sampleCount: Int = 0, session made: ((ExplorerSession) -> Void)? = nil) throws -> [UInt8] {
        let directory = try makeScratchDirectory("explore")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = ExplorerSession(state: Fixtures.state(sampleCount: sampleCount), source: FlatImageSource(size: 8),
                                      exportDirectory: directory.path)
        session.start()
        XCTAssertEqual(session.state.statusMessage, "e/E export to \(directory.path)", "the status line names the export folder")
        session.settle(width: 100, height: 30)
        made?(session)
        XCTAssertEqual(session.handle(.character(key)), .none)
        let path = directory.appendingPathComponent(file).path
        XCTAssertEqual(session.state.statusMessage, "exported \(path)")
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func testExportWritesTheTraversalAsALabelledFigure() throws {
        var figure: TraversalFigure?
        let bytes = try export(key: "e", file: "qlx-traversal-z0-123.png") { session in
            figure = session.traversalFigure(session.state.traversalCodes.map { FlatImageSource(size: 8).decode(codes: [$0])[0] })
        }
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let f = try XCTUnwrap(figure)
        XCTAssertEqual(f.title, "tiny.safetensors · z0 · code 123")
        XCTAssertEqual(f.rows.map(\.labelLines), [["z0"]])
        XCTAssertEqual(f.rows[0].columnLabels, ["0", "1", "2", "3"], "value indices")
        XCTAssertEqual(f.rows[0].baseColumn, 1, "the current value is framed")
        XCTAssertNil(f.base, "no dataset sample behind a code without one")
        let g = f.geometry(scale: ExplorerSession.exportScale)
        XCTAssertEqual([be32(16), be32(20)], [g.width, g.height])
    }

    func testExportedFigureNamesTheFactorAndStartsWithTheOriginalSample() throws {
        let session = ExplorerSession(state: Fixtures.state(), source: FlatImageSource(size: 8))
        session.start()
        session.settle(width: 100, height: 30)
        var state = session.state
        state.metrics = Fixtures.metrics
        let withMetrics = ExplorerSession(state: state, source: FlatImageSource(size: 8))
        withMetrics.start()
        let images = state.traversalCodes.map { FlatImageSource(size: 8).decode(codes: [$0])[0] }
        let figure = withMetrics.traversalFigure(images)
        let index = try XCTUnwrap(withMetrics.state.sample?.index)
        XCTAssertEqual(figure.title, "tiny.safetensors · z0 (shape) · code \(withMetrics.state.code.map(String.init).joined()) · from sample \(index)")
        XCTAssertEqual(figure.rows[0].labelLines, ["z0", "shape"])
        XCTAssertEqual(figure.base, FlatImageSource(size: 8).sample(at: index).image, "the original sample comes first")
        XCTAssertEqual(figure.baseLabel, "sample")
    }

    /// `E`: the `e` figure animated, frame k its value column k with the figure's labels.
    func testCapitalEExportsTheTourAsALabelledGIF() throws {
        var figure: TraversalFigure?
        let bytes = try export(key: "E", file: "qlx-tour-z0-123.gif") { session in
            figure = session.traversalFigure(session.state.traversalCodes.map { FlatImageSource(size: 8).decode(codes: [$0])[0] })
        }
        XCTAssertEqual(Array(bytes[0..<6]), Array("GIF89a".utf8))
        let g = try XCTUnwrap(figure).column(0).geometry(scale: ExplorerSession.tourScale)
        XCTAssertEqual(g.thumbnailWidth, 32, "8-pixel images at 4×")
        XCTAssertEqual([Int(bytes[6]) | Int(bytes[7]) << 8, Int(bytes[8]) | Int(bytes[9]) << 8], [g.width, g.height])
    }

    func testTheStatusLineSaysWhenRequestedColoursWereLoweredAndWhy() {
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        session.colorLimit = .trueColor
        session.adapt(unicode: true, maximumColors: .palette256, colorReason: "terminfo xterm-256color has no RGB capability")
        XCTAssertEqual(session.state.statusMessage, "--colors 24bit lowered to 256: terminfo xterm-256color has no RGB capability")
        XCTAssertEqual(session.state.colorDepth, .palette256)
        let enough = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        enough.colorLimit = .palette256
        enough.adapt(unicode: true, maximumColors: .trueColor, colorReason: "unused")
        XCTAssertNil(enough.state.statusMessage)
    }

    func testSideBySideKeepsEachImagesPixelsAndFillsGapsWhite() {
        let a = RenderImage(width: 2, height: 1, channels: 1, pixels: [0.1, 0.2])
        let b = RenderImage(width: 1, height: 1, channels: 1, pixels: [0.3])
        let joined = TraversalImage.sideBySide([a, b], gap: 1)
        XCTAssertEqual(joined.width, 4)
        XCTAssertEqual(joined.pixels, [0.1, 0.2, 1, 0.3])
    }

    func testBackgroundMetricsReachTheScreenWithoutBlockingFrames() {
        let release = DispatchSemaphore(value: 0)
        let job = MetricsJob(samples: 100) { progress in
            progress(0.5)
            release.wait()
            return Fixtures.metrics
        }
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(), metricsJob: job)
        session.start()
        session.startMetrics()
        var grid = CellGrid(width: 0, height: 0)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            _ = session.update()
            grid = session.frame(width: 100, height: 30)
            if grid.text.contains("computing 50%") { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertTrue(grid.text.contains("computing 50% of 100"), grid.text)
        release.signal()
        XCTAssertNotNil(job.wait(timeout: 5))
        XCTAssertTrue(session.update())
        grid = session.frame(width: 100, height: 30)
        XCTAssertTrue(grid.text.contains("metrics · computed, 100 samples"), grid.text)
        XCTAssertTrue(grid.text.contains("0 shape  .81"), grid.text)
    }
}
