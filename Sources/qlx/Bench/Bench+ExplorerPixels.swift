import Foundation
import QLXExplorer
import QLXRender

/// Key → frame with each way of drawing images (cells, kitty, sixel), through the real paint
/// path (ncurses and the graphics painter writing to a file, whose growth gives the bytes a
/// terminal would receive), at 120×40 and 200×60. The protocols take turns key by key, so
/// the cells, the baseline pixels should match, see the same machine load.
enum ExplorerPixelsBench {
    static let sizes = [(120, 40), (200, 60)]
    static let protocols: [GraphicsProtocol] = [.cells, .kitty, .sixel]
    /// A cell of a common 10-pixel font.
    static let cell = CellPixels(width: 9, height: 18)

    final class Lane {
        let graphics: GraphicsProtocol
        let session: ExplorerSession
        let screen: CursesScreen
        let path: String
        var steps: [Double] = [], latents: [Double] = [], stepBytes: [Int] = [], stepEncodes: [Int] = []

        init(_ graphics: GraphicsProtocol, checkpoint: String, width: Int, height: Int) throws {
            self.graphics = graphics
            path = FileManager.default.temporaryDirectory
                .appendingPathComponent("qlx-bench-\(graphics.rawValue)-\(getpid())-\(width)").path
            session = try ExplorerSetup.session(.init(checkpointPath: checkpoint, metricSamples: 0, seed: 1))
            screen = try CursesScreen.offscreen(width: width, height: height, outputPath: path)
            if graphics.hasPixels {
                screen.graphicsPainter = GraphicsPainter(graphics: graphics, tmux: nil, colorRegisters: 256)
            }
            session.adaptGraphics(graphics, cellPixels: graphics.hasPixels ? ExplorerPixelsBench.cell : nil)
            session.start()
            settle(width: width, height: height)
        }

        deinit {
            screen.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        var bytesWritten: Int {
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : 0
        }

        /// One key: handle, collect, draw, paint; milliseconds and bytes.
        func press(_ key: Key, width: Int, height: Int) -> (Double, Int) {
            let before = bytesWritten
            let started = Date()
            _ = session.handle(key)
            _ = session.update()
            screen.paint(session.composed(width: width, height: height))
            return (Date().timeIntervalSince(started) * 1000, bytesWritten - before)
        }

        /// Until every image of the new traversal is decoded and on screen, and what the
        /// painter encodes ahead is ready: the idle time a person gives between keys (not timed).
        func settle(width: Int, height: Int) {
            session.settle(width: width, height: height)
            screen.paint(session.composed(width: width, height: height))
            screen.graphicsPainter?.waitForEncodesAhead()
        }
    }

    static func run(checkpoint: String) throws {
        print("  key → frame by protocol (ncurses and images to a file; cell \(cell); target median ≤ 10 ms, p95 ≤ 16 ms):")
        for (width, height) in sizes {
            let lanes = try protocols.map { try Lane($0, checkpoint: checkpoint, width: width, height: height) }
            let steps: [Key] = Array(repeating: .right, count: 9) + Array(repeating: .left, count: 9)
            for _ in 0..<2 {
                // Value steps, every lane one key in turn.
                for key in steps {
                    for lane in lanes {
                        let (ms, bytes) = lane.press(key, width: width, height: height)
                        lane.steps.append(ms)
                        lane.stepBytes.append(bytes)
                        lane.stepEncodes.append(lane.screen.imagesTransmittedLastPaint)
                    }
                }
                // Latent changes: the key's frame (decodes of the new latent's traversal may
                // finish in the background), then everything settled before the next key.
                for key in Array(repeating: Key.down, count: 6) {
                    for lane in lanes {
                        lane.latents.append(lane.press(key, width: width, height: height).0)
                        lane.settle(width: width, height: height)
                    }
                }
            }
            for lane in lanes {
                let bytes = lane.stepBytes.sorted()[lane.stepBytes.count / 2]
                let encodes = Double(lane.stepEncodes.reduce(0, +)) / Double(max(lane.stepEncodes.count, 1))
                print(String(format: "    %3d×%-3d %-6@ value step median %6.2f ms  p95 %6.2f ms   latent change median %6.2f ms  p95 %6.2f ms   %@ bytes per value step (median), %.2f images encoded (mean)",
                             width, height, lane.graphics.rawValue, ExplorerBench.median(lane.steps),
                             ExplorerBench.percentile(lane.steps, 95), ExplorerBench.median(lane.latents),
                             ExplorerBench.percentile(lane.latents, 95), grouped(bytes), encodes))
            }
        }
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
