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

        let (session, screen, frame) = try ExplorerBench.offscreenSession(checkpoint: path, metricSamples: 2_000, seed: 1)
        defer { screen.close() }
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
        // Its interventions follow on the same thread; the next step times keys during fresh
        // ones, so these end first.
        let interventionsStarted = Date()
        frame()
        while session.state.metrics?.interventionsPending == true && Date().timeIntervalSince(interventionsStarted) < 600 {
            Thread.sleep(forTimeInterval: 0.05)
            frame()
        }
        print(String(format: "  background interventions (200 base codes, no keys): done after %.1f s",
                     Date().timeIntervalSince(interventionsStarted)))
        try ExplorerBench.keysDuringInterventions(checkpoint: path)
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

    /// A started session on an off-screen 100×30 terminal, and one pass of its event loop
    /// after a key (collect and schedule, then draw and paint). The caller closes the screen.
    static func offscreenSession(checkpoint path: String, metricSamples: Int, seed: UInt64) throws
        -> (session: ExplorerSession, screen: CursesScreen, frame: () -> Void) {
        let session = try ExplorerSetup.session(.init(checkpointPath: path, metricSamples: metricSamples, seed: seed))
        session.start()
        let screen = try CursesScreen.offscreen(width: 100, height: 30)
        return (session, screen, {
            _ = session.update()
            screen.paint(session.frame(width: 100, height: 30))
        })
    }

    static func cleanUp(_ path: String) {
        if path.contains("qlx-bench-explorer-") { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Key → frame for value steps and latent changes while a session's background
    /// interventions run (200 base codes, after the metrics on 200 samples), each round followed
    /// by the same keys with nothing in the background, so the baseline shares the machine's
    /// state of the moment.
    static func keysDuringInterventions(checkpoint path: String, rounds: Int = 2) throws {
        typealias Figures = (steps: [Double], latents: [Double], ready: [Double])
        var during: Figures = ([], [], []), idle: Figures = ([], [], [])
        var seconds: [Double] = []
        let steps: [Key] = Array(repeating: .right, count: 9) + Array(repeating: .left, count: 9)
        for round in 0..<rounds {
            let (session, screen, frame) = try ExplorerBench.offscreenSession(checkpoint: path, metricSamples: 200,
                                                                               seed: UInt64(round + 1))
            defer { screen.close() }
            /// Key → frame, and key → every image on screen decoded when `settle`.
            func keyToFrame(_ key: Key, settle: Bool) -> (frame: Double, ready: Double) {
                let started = Date()
                _ = session.handle(key)
                frame()
                let milliseconds = Date().timeIntervalSince(started) * 1000
                if settle { session.settle(width: 100, height: 30) }
                return (milliseconds, Date().timeIntervalSince(started) * 1000)
            }
            session.settle(width: 100, height: 30)
            frame()
            session.startMetrics()
            let deadline = Date().addingTimeInterval(600)
            var pending: Bool { session.state.metrics?.interventionsPending == true }
            while !pending && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
                frame()
            }
            guard pending else {
                print("  while the background interventions run: skipped (the metrics job did not reach them)")
                return
            }
            // Keys in a fixed cycle until the interventions end: a random code (untimed, its
            // images decoded), a value step along its traversal, then a latent change, whose new
            // traversal is not in the cache.
            func cycle(_ index: Int, into figures: inout Figures) {
                _ = keyToFrame(.character("r"), settle: true)
                figures.steps.append(keyToFrame(steps[index % steps.count], settle: false).frame)
                Thread.sleep(forTimeInterval: 0.02)
                frame()
                let latent = keyToFrame(.down, settle: true)
                figures.latents.append(latent.frame)
                figures.ready.append(latent.ready)
                Thread.sleep(forTimeInterval: 0.02)
                frame()
            }
            let started = Date()
            var cycles = 0
            while pending && Date() < deadline {
                cycle(cycles, into: &during)
                cycles += 1
            }
            seconds.append(Date().timeIntervalSince(started))
            for index in 0..<cycles { cycle(index, into: &idle) }
        }
        func figures(_ values: [Double]) -> String {
            String(format: "median %6.2f ms  p95 %6.2f ms  (%d keys)", median(values), percentile(values, 95), values.count)
        }
        print(String(format: "  while the background interventions run (200 base codes, %d runs of %@ s, keys meanwhile), then idle:",
                     rounds, seconds.map { String(format: "%.1f", $0) }.joined(separator: ", ")))
        print("    ←/→ value step (cached)         during: \(figures(during.steps))   idle: \(figures(idle.steps))")
        print("    ↓ next latent (new traversal)   during: \(figures(during.latents))   idle: \(figures(idle.latents))")
        print("      its images ready              during: \(figures(during.ready))   idle: \(figures(idle.ready))")
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 50) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        ExplorerStats.percentile(values, p) ?? .nan
    }
}
