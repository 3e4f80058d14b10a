import Foundation
import QLXExplorer
import QLXRender
import XCTest

/// The bytes the explorer sends in a pixel terminal, played into a terminal emulator: after
/// every frame (value steps, the sweep, Esc, presentation and back, a tour, help) the screen
/// shows exactly that frame's text and images, nothing of the view before. tmux's capture
/// cannot check this (it neither sees the images nor keeps backgrounds erased with ECH).
final class PixelFrameModelTests: XCTestCase {
    static let cell = CellPixels(width: 10, height: 20)

    func testSixelScreensShowOnlyTheCurrentView() throws {
        try playKeys(.sixel)
    }

    func testKittyScreensShowOnlyTheCurrentView() throws {
        try playKeys(.kitty)
    }

    func testInsideTmuxPassthroughTheScreenStaysInStep() throws {
        try playKeys(.sixel, tmux: TmuxState(passthrough: true))
    }

    /// Stepping through values already on screen: kitty places images it has (no pixels sent);
    /// sixel sends cached encodings.
    func testSteppingValuesResendsNoKittyPixels() throws {
        let run = try Run(.kitty, width: 120, height: 40)
        try run.paintAndCheck("start")
        for key in [Key.right, .right, .left, .left] {
            try run.press(key)
            XCTAssertEqual(run.screen.imagesTransmittedLastPaint, 0, "\(key): every image was sent already")
            XCTAssertGreaterThan(run.screen.imagesSentLastPaint, 0, "\(key): the preview moved to another image")
        }
    }

    /// Images move the terminal's cursor (a sixel leaves it below the image; the CUP before
    /// each image moves it too) behind ncurses' back: the painter's output puts it back where
    /// ncurses left it, so ncurses' next relative move lands where it means.
    func testImagesLeaveTheCursorWhereNcursesLeftIt() throws {
        for graphics in [GraphicsProtocol.sixel, .kitty] {
            for tmux in [nil, TmuxState(passthrough: true, paneLeft: 3, paneTop: 2)] {
                let run = try Run(graphics, width: 120, height: 40)
                let frame = run.session.composed(width: 120, height: 40)
                XCTAssertFalse(frame.placements.isEmpty)
                let painter = GraphicsPainter(graphics: graphics, tmux: tmux, colorRegisters: 256)
                let plan = painter.plan(frame, full: false)
                var emulator = TerminalEmulator(width: 130, height: 45, cell: PixelFrameModelTests.cell)
                emulator.feed(Array("\u{1B}[17;42H".utf8))
                emulator.feed(Array(plan.output.utf8))
                emulator.feed(Array("X".utf8))
                XCTAssertEqual(emulator.rows[16].dropFirst(41).first, "X", "\(graphics), tmux \(tmux != nil)")
            }
        }
    }

    /// The preview and the sample in pixels, as the terminal shows them: each image's cells
    /// are exactly the inside of its frame (the frame's glyphs on the ring around them, no
    /// pixel on the ring), and its pixels fit in those cells.
    func testPixelImagesSitExactlyInsideTheirFrames() throws {
        for graphics in [GraphicsProtocol.sixel, .kitty] {
            for (width, height) in [(120, 40), (80, 24)] {
                let run = try Run(graphics, width: width, height: height)
                try run.paintAndCheck("start")
                let frame = run.session.composed(width: width, height: height)
                let framed = frame.placements.filter { $0.id == 1 || $0.id == 2 }
                XCTAssertEqual(Set(framed.map(\.id)), [1, 2], "\(graphics) \(width)×\(height): the preview and the sample")
                for placement in framed {
                    let context = "\(graphics) \(width)×\(height) placement \(placement.id) at \(placement.rect)"
                    let r = placement.rect, ring = r.framed
                    XCTAssertLessThanOrEqual(placement.pixelWidth, r.width * Self.cell.width, context)
                    XCTAssertLessThanOrEqual(placement.pixelHeight, r.height * Self.cell.height, context)
                    XCTAssertGreaterThan(placement.pixelWidth, (r.width - 1) * Self.cell.width, "\(context): no empty column inside")
                    XCTAssertGreaterThan(placement.pixelHeight, (r.height - 1) * Self.cell.height, "\(context): no empty row inside")
                    let rows = run.emulator.rows.map(Array.init)
                    let edge = (ring.x..<ring.maxX).flatMap { [(x: $0, y: ring.y), (x: $0, y: ring.maxY - 1)] }
                        + (ring.y..<ring.maxY).flatMap { [(x: ring.x, y: $0), (x: ring.maxX - 1, y: $0)] }
                    for (x, y) in edge {
                        // Blanks only round the title in the top edge.
                        if y != ring.y { XCTAssertNotEqual(rows[y][x], " ", "\(context): the frame at \(x),\(y)") }
                        XCTAssertFalse(rows[y][x] == "\u{2800}", "\(context): image cells on the frame at \(x),\(y)")
                        if graphics == .sixel { XCTAssertNil(run.emulator.sixelCell[y][x], "\(context): pixels on the frame at \(x),\(y)") }
                    }
                    XCTAssertEqual(String([rows[ring.y][ring.x], rows[ring.y][ring.maxX - 1], rows[ring.maxY - 1][ring.x],
                                           rows[ring.maxY - 1][ring.maxX - 1]]), "╭╮╰╯", context)
                }
            }
        }
    }

    private func playKeys(_ graphics: GraphicsProtocol, tmux: TmuxState? = nil) throws {
        for (width, height) in [(120, 40), (80, 24)] {
            let run = try Run(graphics, width: width, height: height, tmux: tmux)
            try run.paintAndCheck("start")
            let keys: [Key] = [.right, .right, .down, .character("s"), .up, .escape, .character("p"), .right,
                               .character("p"), .character("p"), .character("t")]
            for key in keys { try run.press(key) }
            for step in 0..<3 { try run.tourStep("tour step \(step)") }
            for key in [Key.character("x"), .escape, .character("?"), .character("?"), .character("s"), .character("p"),
                        .control("l"), .character("p")] {
                try run.press(key)
            }
        }
    }

    /// A session painted through ncurses into a file, the file played into an emulator.
    final class Run {
        let session: ExplorerSession
        let screen: CursesScreen
        var emulator: TerminalEmulator
        let graphics: GraphicsProtocol
        let width: Int, height: Int
        let path: String
        var offset = 0
        var history: [String] = []

        init(_ graphics: GraphicsProtocol, width: Int, height: Int, tmux: TmuxState? = nil) throws {
            self.graphics = graphics
            self.width = width
            self.height = height
            path = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-frames-\(UUID().uuidString)").path
            screen = try CursesScreen.offscreen(width: width, height: height, outputPath: path)
            screen.graphicsPainter = GraphicsPainter(graphics: graphics, tmux: tmux, colorRegisters: 256)
            session = ExplorerSession(state: Fixtures.state(), source: FlatImageSource(size: 8))
            session.adaptGraphics(graphics, cellPixels: PixelFrameModelTests.cell)
            session.start()
            session.settle(width: width, height: height)
            emulator = TerminalEmulator(width: width, height: height, cell: PixelFrameModelTests.cell)
        }

        deinit {
            screen.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        func press(_ key: Key) throws {
            let effect = session.handle(key)
            session.settle(width: width, height: height)
            try paintAndCheck("\(key)", full: effect == .redraw)
        }

        func tourStep(_ label: String) throws {
            _ = session.update(now: Date().addingTimeInterval(10))
            try paintAndCheck(label)
        }

        func paintAndCheck(_ label: String, full: Bool = false) throws {
            history.append(label)
            // The title's frame time changes every frame, as in the event loop.
            session.recordFrameTime(milliseconds: 1.7 * Double(history.count))
            let frame = session.composed(width: width, height: height)
            screen.paint(frame, full: full)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            emulator.feed(Array(data[offset...]))
            offset = data.count
            try check(frame, after: history.joined(separator: " "))
        }

        private func check(_ frame: ExplorerFrame, after keys: String) throws {
            let context = "\(graphics) \(width)×\(height) after \(keys)"
            XCTAssertEqual(emulator.problems, [], context)
            let expected = (0..<height).map { y in String((0..<width).map { frame.grid[$0, y].character }) }
            for y in 0..<height where emulator.rows[y] != expected[y] {
                XCTFail("\(context): row \(y) shows\n\(emulator.rows[y])\ninstead of\n\(expected[y])")
                return
            }
            switch graphics {
            case .sixel:
                var covered = Set<Int>()
                for placement in frame.placements {
                    let r = placement.rect
                    let index = emulator.sixelCell[r.y][r.x]
                    let shown = try XCTUnwrap(index.map { emulator.sixels[$0] }, "\(context): no pixels at placement \(placement.id)")
                    XCTAssertEqual(shown.row, r.y, context)
                    XCTAssertEqual(shown.column, r.x, context)
                    let sequence = try SixelEncoder.encode(placement.image, width: placement.pixelWidth,
                                                           height: placement.pixelHeight, colorRegisters: 256)
                    XCTAssertTrue(shown.sequence.hasSuffix(sequence), "\(context): placement \(placement.id) shows another image")
                    for y in r.y..<min(r.maxY, height) {
                        for x in r.x..<min(r.maxX, width) {
                            XCTAssertEqual(emulator.sixelCell[y][x], index, "\(context): cell \(x),\(y) of placement \(placement.id)")
                            covered.insert(y * width + x)
                        }
                    }
                }
                for y in 0..<height {
                    for x in 0..<width where emulator.sixelCell[y][x] != nil && !covered.contains(y * width + x) {
                        XCTFail("\(context): stale sixel pixels at \(x),\(y)")
                        return
                    }
                }
            case .kitty:
                XCTAssertEqual(emulator.placements.count, frame.placements.count, "\(context): placements on screen")
                for placement in frame.placements {
                    let shown = emulator.placements.filter { $0.key.placement == placement.id }
                    XCTAssertEqual(shown.count, 1, "\(context): placement \(placement.id)")
                    guard let (key, where_) = shown.first else { continue }
                    XCTAssertEqual(where_, .init(row: placement.rect.y, column: placement.rect.x,
                                                 columns: placement.rect.width, rows: placement.rect.height), context)
                    let pixels = PixelImage(placement.image, width: placement.image.width, height: placement.image.height)
                    let expectedPayload = KittyGraphics.payload(of: try KittyGraphics.transmit(pixels, id: 0))
                    XCTAssertEqual(emulator.kittyImages[key.image], expectedPayload,
                                   "\(context): placement \(placement.id) shows another image")
                }
            case .cells:
                break
            }
        }
    }
}
