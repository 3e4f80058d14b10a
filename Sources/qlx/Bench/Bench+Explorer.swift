import Foundation
import QLXExplorer
import QLXModel

extension BenchSection {
    /// The explorer's responsiveness, measured through the real paint path (ncurses writing to
    /// /dev/null at 100×30): start-up to the first frame, and key press to refreshed frame for
    /// each kind of key, with and without the background metrics running.
    static let explorer = BenchSection(name: "explorer",
                                       summary: "start-up and key-to-frame latency (targets: ≤ 300 ms, ≤ 16 ms)") {
        let (path, source) = try ExplorerBench.checkpoint()
        print("  model: \(source)")
        defer { ExplorerBench.cleanUp(path) }

        // Start-up: read and check the checkpoint, draw, paint; then until the first sample is
        // encoded and every image on screen is decoded (in the background).
        var startups: [Double] = [], complete: [Double] = []
        for _ in 0..<5 {
            let started = Date()
            let session = try ExplorerSetup.session(.init(checkpointPath: path, metricSamples: 0))
            session.start()
            let screen = try CursesScreen.offscreen(width: 100, height: 30)
            _ = session.update()
            screen.paint(session.frame(width: 100, height: 30))
            startups.append(Date().timeIntervalSince(started) * 1000)
            session.settle(width: 100, height: 30)
            screen.paint(session.frame(width: 100, height: 30))
            complete.append(Date().timeIntervalSince(started) * 1000)
            screen.close()
        }
        print(String(format: "  start-up to first frame: median %.1f ms (5 runs; target ≤ 300 ms); all images on screen: median %.1f ms",
                     ExplorerBench.median(startups), ExplorerBench.median(complete)))

        try ExplorerPixelsBench.run(checkpoint: path)

        let session = try ExplorerSetup.session(.init(checkpointPath: path, metricSamples: 2_000, seed: 1))
        session.start()
        let screen = try CursesScreen.offscreen(width: 100, height: 30)
        defer { screen.close() }
        /// One pass of the event loop after a key: collect and schedule, then draw and paint.
        func frame() {
            _ = session.update()
            screen.paint(session.frame(width: 100, height: 30))
        }
        session.settle(width: 100, height: 30)
        frame()
        print(String(format: "  decode: %.2f ms per image (moving average); budget for decoding on the key path %.0f ms",
                     session.millisecondsPerImage ?? .nan, session.synchronousBudget))

        /// Times key → state → decode (or hand-off) → draw → paint for each key.
        func measure(_ label: String, _ keys: [Key], settle: Bool) {
            var latencies: [Double] = [], ready: [Double] = []
            for key in keys {
                let started = Date()
                _ = session.handle(key)
                frame()
                latencies.append(Date().timeIntervalSince(started) * 1000)
                if settle {
                    // Background decodes finishing: when the images are really on screen.
                    session.settle(width: 100, height: 30)
                    frame()
                    ready.append(Date().timeIntervalSince(started) * 1000)
                }
            }
            var line = String(format: "    %-34@ median %6.2f ms  p95 %6.2f ms  max %6.2f ms", label,
                              ExplorerBench.median(latencies), ExplorerBench.percentile(latencies, 95), latencies.max() ?? .nan)
            if settle { line += String(format: "   images ready: median %.1f ms", ExplorerBench.median(ready)) }
            print(line)
        }

        let steps: [Key] = Array(repeating: .right, count: 9) + Array(repeating: .left, count: 9)
        print("  key → refreshed frame, 100×30, half blocks, 256 colours (target ≤ 16 ms):")
        measure("←/→ value step (cached)", steps + steps, settle: false)
        measure("↓ next latent (new traversal)", Array(repeating: .down, count: 10), settle: true)
        measure("n next sample (encode)", Array(repeating: .character("n"), count: 10), settle: true)
        measure("r random code", Array(repeating: .character("r"), count: 10), settle: true)
        measure("m render mode", Array(repeating: .character("m"), count: 10), settle: false)

        // The same keys while the metrics compute on their own thread.
        session.startMetrics()
        print("  while the background metrics run (2,000 samples):")
        measure("←/→ value step (cached)", steps, settle: false)
        measure("↓ next latent (new traversal)", Array(repeating: .down, count: 5), settle: true)
        let metricsStarted = Date()
        let finished = session.metricsJob?.wait(timeout: 600) != nil
        print(String(format: "  background metrics: %@ after %.1f s more", finished ? "done" : "not done",
                     Date().timeIntervalSince(metricsStarted)))
    }
}

enum ExplorerBench {
    /// The bundled model, else a random-init one of the default training architecture written
    /// to a temporary file.
    static func checkpoint() throws -> (path: String, source: String) {
        if let path = try? BundledModel.locate() { return (path, "bundled \(path)") }
        let (model, description) = RenderBench.traversalModel()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-bench-explorer-\(getpid()).safetensors").path
        try Checkpoint(model: model).write(to: path)
        return (path, description)
    }

    static func cleanUp(_ path: String) {
        if path.contains("qlx-bench-explorer-") { try? FileManager.default.removeItem(atPath: path) }
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 50) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        ExplorerStats.percentile(values, p) ?? .nan
    }
}
