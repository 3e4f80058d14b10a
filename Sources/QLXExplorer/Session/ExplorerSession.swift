import Foundation
import QLXRender

/// Ties the pure parts together: keys go through the state's reducer, effects that need
/// the model (encode a sample, export) run here, and `frame` decodes what the view needs
/// (cached by code) and draws it. No ncurses here, so tests and benchmarks drive it
/// headless.
public final class ExplorerSession {
    public private(set) var state: ExplorerState
    public let source: ImageSource
    public let metricsJob: MetricsJob?
    /// Where `e` writes PNG files.
    public var exportDirectory: String
    /// `--mode` and `--colors`: applied when the terminal is known (`adapt`).
    public var preferredMode: RenderMode?
    public var colorLimit: ColorDepth?
    /// Milliseconds between tour frames.
    public var tourInterval = 150

    /// Decodes estimated to take longer than this (milliseconds) go to the background worker,
    /// so a key never waits for them; faster ones happen right away, in the same frame.
    public var synchronousBudget = 8.0

    private var cache = ImageCache(capacity: 1024)
    private lazy var worker = DecodeWorker(source: source)
    /// Moving average of decode time per image, for the budget decision.
    public private(set) var millisecondsPerImage: Double?
    /// The traversal last handed to the worker (not resubmitted while it is in flight).
    private var requested: [[Int]]?
    /// The last preview shown, kept on screen while the current one decodes.
    private var lastPreview: RenderImage?
    /// Dataset images by sample index (the start sample's stays, for `z`).
    private var originals: [Int: RenderImage] = [:]
    private var lastTourStep = Date.distantPast
    private var metricsVersion = -1
    /// The last size drawn: keys other than quit do nothing while it is below the minimum.
    private var lastSize: (width: Int, height: Int) = (0, 0)

    public init(state: ExplorerState, source: ImageSource, metricsJob: MetricsJob? = nil,
                exportDirectory: String = FileManager.default.currentDirectoryPath) {
        self.state = state
        self.source = source
        self.metricsJob = metricsJob
        self.exportDirectory = exportDirectory
    }

    /// Shows the first dataset sample (it becomes the code `z` resets to) and decodes its
    /// reconstruction, which also measures the decode speed.
    public func start() {
        if state.sampleCount > 0 && source.sampleCount > 0 {
            let index = state.sampleIndex(at: 0)
            let sample = source.sample(at: index)
            originals[index] = sample.image
            state.setStart(LoadedSample(index: index, factors: sample.factors, code: sample.code))
        }
        decodeNow([state.code])
    }

    /// Starts the background metrics (after the first frame, so they do not slow it down).
    public func startMetrics() {
        guard let job = metricsJob, case .notStarted = job.poll().progress else { return }
        job.start()
        pollMetrics()
    }

    /// Fits the state to the opened terminal.
    public func adapt(unicode: Bool, maximumColors: ColorDepth) {
        state.adapt(unicode: unicode, maximumColors: maximumColors, preferredMode: preferredMode, colorLimit: colorLimit)
    }

    public var isTooSmall: Bool {
        lastSize.width < ExplorerLayout.minimumWidth || lastSize.height < ExplorerLayout.minimumHeight
    }

    /// Applies one key; returns what the event loop must do (quit, full redraw).
    public func handle(_ key: Key) -> Effect {
        if isTooSmall && key != .resize {
            let action = KeyTable.action(for: key)
            return action == .quit ? .quit : action == .redraw ? .redraw : .none
        }
        var effect = state.handle(key)
        switch effect {
        case .loadSample(let index):
            let sample = source.sample(at: index)
            if originals.count > 256 { originals = originals.filter { $0.key == state.startSample?.index } }
            originals[index] = sample.image
            state.showSample(LoadedSample(index: index, factors: sample.factors, code: sample.code))
            effect = .none
        case .exportTraversal:
            exportTraversal()
            effect = .none
        default:
            break
        }
        if state.tour != nil { lastTourStep = .distantPast }
        return effect
    }

    /// Time-driven changes: a tour frame when one is due, new metrics figures. Returns true
    /// when the screen needs repainting.
    public func tick(now: Date = Date()) -> Bool {
        var changed = pollMetrics()
        if collectDecoded() { changed = true }
        if state.tour != nil, now.timeIntervalSince(lastTourStep) * 1000 >= Double(tourInterval) {
            state.advanceTour()
            lastTourStep = now
            changed = true
        }
        return changed
    }

    /// Milliseconds until `tick` has something to do (the event loop's read timeout).
    public func millisecondsUntilNextTick(now: Date = Date()) -> Int {
        var wait = 100
        if worker.isPending { wait = 5 }
        if state.tour != nil {
            wait = min(wait, max(0, tourInterval - Int(now.timeIntervalSince(lastTourStep) * 1000)))
        }
        return wait
    }

    /// Copies the background job's progress into the state; true when it changed.
    @discardableResult
    private func pollMetrics() -> Bool {
        guard let job = metricsJob else { return false }
        let snapshot = job.poll()
        guard snapshot.version != metricsVersion else { return false }
        metricsVersion = snapshot.version
        state.metricsProgress = snapshot.progress
        if let result = snapshot.result { state.metrics = result }
        return true
    }

    /// Sets the measured frame time shown in the metrics panel (from the event loop, which
    /// also counts the paint).
    public func recordFrameTime(milliseconds: Double) { state.frameMilliseconds = milliseconds }

    /// The screen for `width` × `height`: decodes what is missing (now when it is quick, else
    /// in the background, showing the last image meanwhile), then draws.
    public func frame(width: Int, height: Int) -> CellGrid {
        lastSize = (width, height)
        if isTooSmall { return ExplorerView.draw(state, images: ViewImages(), width: width, height: height) }
        collectDecoded()
        let codes = state.traversalCodes
        let missing = codes.filter { cache.image(for: $0) == nil }
        if !missing.isEmpty {
            let estimate = (millisecondsPerImage ?? 0) * Double(missing.count)
            if estimate <= synchronousBudget {
                decodeNow(missing)
            } else if requested != codes {
                requested = codes
                worker.submit(backgroundBatches(missing))
            }
        }
        let traversal = codes.map { cache.image(for: $0) }
        let current = cache.image(for: state.code)
        if let current { lastPreview = current }
        let original = state.sample.flatMap { originals[$0.index] }
        let images = ViewImages(preview: current ?? lastPreview, original: original, traversal: traversal,
                                previewIsStale: current == nil)
        return ExplorerView.draw(state, images: images, width: width, height: height)
    }

    /// Decodes `codes` in one batch on this thread and caches them.
    private func decodeNow(_ codes: [[Int]]) {
        guard !codes.isEmpty else { return }
        let started = Date()
        let decoded = source.decode(codes: codes)
        record(codes: codes, images: decoded, milliseconds: Date().timeIntervalSince(started) * 1000)
    }

    private func record(codes: [[Int]], images: [RenderImage], milliseconds: Double) {
        for (code, image) in zip(codes, images) { cache.insert(image, for: code) }
        let perImage = milliseconds / Double(max(codes.count, 1))
        millisecondsPerImage = millisecondsPerImage.map { 0.7 * $0 + 0.3 * perImage } ?? perImage
        state.decodeMilliseconds = milliseconds
    }

    /// The current code alone first (the preview), then the rest nearest-value first, in
    /// batches of about 50 ms so a newer request is not stuck behind a long one.
    private func backgroundBatches(_ missing: [[Int]]) -> [[[Int]]] {
        var batches: [[[Int]]] = []
        if missing.contains(state.code) { batches.append([state.code]) }
        let latent = state.selectedLatent, value = state.code[latent]
        let rest = missing.filter { $0 != state.code }.sorted { abs($0[latent] - value) < abs($1[latent] - value) }
        let chunk = max(1, Int(50 / max(millisecondsPerImage ?? 50, 0.01)))
        for start in stride(from: 0, to: rest.count, by: chunk) {
            batches.append(Array(rest[start..<min(start + chunk, rest.count)]))
        }
        return batches
    }

    /// Moves finished background decodes into the cache; true when there were any.
    @discardableResult
    private func collectDecoded() -> Bool {
        let results = worker.collect()
        for result in results { record(codes: result.codes, images: result.images, milliseconds: result.milliseconds) }
        if !results.isEmpty && !worker.isPending { requested = nil }
        return !results.isEmpty
    }

    /// Waits until background decodes are done (tests and benchmarks only).
    public func waitForDecodes(timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while worker.isPending && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.002)
            collectDecoded()
        }
        collectDecoded()
    }

    /// Writes the selected latent's traversal as one PNG (the images side by side, a
    /// 2-pixel gap between them) and reports the path in the status line.
    private func exportTraversal() {
        let codes = state.traversalCodes
        let missing = codes.filter { cache.image(for: $0) == nil }
        if !missing.isEmpty { decodeNow(missing) }
        let images = codes.map { cache.image(for: $0)! }
        let code = state.code.map(String.init).joined(separator: state.valuesPerLatent <= 10 ? "" : "-")
        let path = (exportDirectory as NSString).appendingPathComponent(
            "qlx-traversal-z\(state.selectedLatent)-\(code).png")
        do {
            try PNGWriter.write(TraversalImage.sideBySide(images, gap: 2), to: path)
            state.statusMessage = "exported \(path)"
        } catch {
            state.statusMessage = "export failed: \(error)"
        }
    }
}

/// Images placed in a row on a white background (the PNG the `e` key writes).
public enum TraversalImage {
    public static func sideBySide(_ images: [RenderImage], gap: Int) -> RenderImage {
        precondition(!images.isEmpty)
        let channels = images.map(\.channels).max()!
        let height = images.map(\.height).max()!
        let width = images.map(\.width).reduce(0, +) + gap * (images.count - 1)
        var pixels = [Float](repeating: 1, count: width * height * channels)
        var x0 = 0
        for image in images {
            for y in 0..<image.height {
                for x in 0..<image.width {
                    for c in 0..<channels {
                        let source = image.pixels[(y * image.width + x) * image.channels + min(c, image.channels - 1)]
                        pixels[(y * width + x0 + x) * channels + c] = source
                    }
                }
            }
            x0 += image.width + gap
        }
        return RenderImage(width: width, height: height, channels: channels, pixels: pixels)
    }
}
