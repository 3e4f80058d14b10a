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
    /// Milliseconds between tour frames.
    public var tourInterval = 150

    private var cache = ImageCache(capacity: 1024)
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

    /// Shows the first dataset sample (it becomes the code `z` resets to) and starts the
    /// metrics in the background.
    public func start() {
        if source.sampleCount > 0 {
            let index = state.sampleIndex(at: 0)
            let sample = source.sample(at: index)
            originals[index] = sample.image
            state.setStart(LoadedSample(index: index, factors: sample.factors, code: sample.code))
        }
        metricsJob?.start()
        pollMetrics()
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

    /// The screen for `width` × `height`: decodes what is missing (one batch), then draws.
    public func frame(width: Int, height: Int) -> CellGrid {
        lastSize = (width, height)
        if isTooSmall { return ExplorerView.draw(state, images: ViewImages(), width: width, height: height) }
        let codes = state.traversalCodes
        let missing = codes.filter { cache.image(for: $0) == nil }
        if !missing.isEmpty {
            let started = Date()
            let decoded = source.decode(codes: missing)
            state.decodeMilliseconds = Date().timeIntervalSince(started) * 1000
            for (code, image) in zip(missing, decoded) { cache.insert(image, for: code) }
        }
        let traversal = codes.map { cache.image(for: $0) }
        let original = state.sample.flatMap { originals[$0.index] }
        let images = ViewImages(preview: cache.image(for: state.code), original: original, traversal: traversal)
        return ExplorerView.draw(state, images: images, width: width, height: height)
    }

    /// Writes the selected latent's traversal as one PNG (the images side by side, a
    /// 2-pixel gap between them) and reports the path in the status line.
    private func exportTraversal() {
        let codes = state.traversalCodes
        let images = codes.map { code in cache.image(for: code) ?? source.decode(codes: [code])[0] }
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
