import Foundation
import QLXIO
import QLXRender

/// Ties the pure parts together in three phases, as the event loop calls them: `handle` puts
/// a key through the state's reducer; `update` collects finished background work (decodes,
/// encodes, metrics) and schedules what the state now needs (decodes, a sample to encode, a
/// tour step); `frame` only draws, from the cache. No ncurses here, so tests and benchmarks
/// drive it headless.
public final class ExplorerSession {
    public private(set) var state: ExplorerState
    public let source: ImageSource
    public let metricsJob: MetricsJob?
    /// `qlx explore A B`: the background metrics of model B.
    public var comparisonJob: MetricsJob?
    /// Continuous models: the quantile codebooks of the whole sample (per model, nil for a
    /// quantized one), which replace the provisional ones when they arrive.
    public var codebookJob: BackgroundJob<[[[Float]]?]>?
    private var codebookVersion = -1
    private var comparisonVersion = -1
    /// Where `e` writes PNG files.
    public var exportDirectory: String
    /// `--mode` and `--colors`: applied when the terminal is known (`adapt`).
    public var preferredMode: RenderMode?
    public var colorLimit: ColorDepth?
    /// `--graphics`: applied with the terminal's answer (`adaptGraphics`).
    public var graphicsChoice: GraphicsChoice = .auto
    /// Milliseconds per tour step (the settings file's; `+`/`-` change it while touring).
    public var tourInterval: Int {
        get { state.tourInterval }
        set { state.tourInterval = newValue }
    }

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

    /// Encodes the first dataset sample (it becomes the code `z` resets to) before the first
    /// frame: one image costs milliseconds, and a code that changed under the user's first
    /// keys (a background encode landing after them) would undo those keys. Nothing is
    /// decoded here: images follow the first frame as they are ready.
    public func start() {
        if state.sampleCount > 0 && source.sampleCount > 0 {
            startSampleIndex = state.sampleIndex(at: 0)
            loadSample(startSampleIndex!, synchronously: true)
        }
        if state.statusMessage == nil { state.statusMessage = exportNote }
    }

    /// The first status line when nothing more pressing is to be said.
    private var exportNote: String { "e/E export to \(Self.shortPath(exportDirectory))" }

    /// `path` with the home folder as "~".
    static func shortPath(_ path: String) -> String {
        let home = NSHomeDirectory()
        guard home.count > 1, path == home || path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    /// The dataset sample being loaded as the start, and the one the user asked for last.
    private var startSampleIndex: Int?
    private var wantedSample: Int?
    /// A sample a key asked for, loaded by the next `update`.
    private var requestedSample: Int?

    /// Encodes sample `index` now when that is quick (or `synchronously`), else in the background.
    private func loadSample(_ index: Int, synchronously: Bool = false) {
        wantedSample = index
        if synchronously || (millisecondsPerImage.map { $0 <= synchronousBudget } ?? false) {
            let began = Date()
            let sample = Result { try source.sample(at: index) }
            show(sample, index: index, milliseconds: Date().timeIntervalSince(began) * 1000)
        } else {
            worker.submitSample(index)
            state.statusMessage = "encoding sample \(index)..."
        }
    }

    private func show(_ result: Result<DatasetSample, any Error>, index: Int, milliseconds: Double) {
        record(milliseconds: milliseconds, images: 1)
        guard index == wantedSample else { return }
        let sample: DatasetSample
        switch result {
        case .success(let loaded): sample = loaded
        case .failure(let error):
            state.statusMessage = "sample \(index) unreadable: \(error)"
            return
        }
        if originals.count > 256 { originals = originals.filter { $0.key == state.startSample?.index } }
        originals[index] = sample.image
        let loaded = LoadedSample(index: index, factors: sample.factors, code: sample.code)
        if index == startSampleIndex && state.startSample == nil {
            state.setStart(loaded)
        } else {
            state.showSample(loaded)
        }
    }

    /// Starts the background work after the first frame, so it does not slow it down: the
    /// codebooks first, then the metrics (which would halve their speed on a small machine).
    public func startMetrics() {
        if let job = codebookJob, case .notStarted = job.poll().progress { job.start() }
        if codebookJob == nil {
            for job in [metricsJob, comparisonJob].compactMap({ $0 }) {
                if case .notStarted = job.poll().progress { job.start() }
            }
        }
        pollCodebooks()
        pollMetrics()
    }

    /// Shows the codebook job's progress; once it is done and no decode or encode runs, puts
    /// its codebooks in place (images decoded with the old ones are dropped, the samples on
    /// screen encoded again) and starts the metrics. True when the screen needs repainting.
    @discardableResult
    private func pollCodebooks() -> Bool {
        guard let job = codebookJob else { return false }
        let snapshot = job.poll()
        switch snapshot.progress {
        case .running(let fraction, let samples):
            guard snapshot.version != codebookVersion else { return false }
            codebookVersion = snapshot.version
            // The progress says more than the export folder does.
            if state.statusMessage == exportNote { state.statusMessage = nil }
            state.backgroundStatus = "quantile codebooks: encoding \(samples) images, \(Int(fraction * 100))% (values from the first \(QuantileCodebooks.provisionalSamples) until then)"
            return true
        case .failed(let reason):
            codebookJob = nil
            state.backgroundStatus = nil
            state.statusMessage = "quantile codebooks failed: \(reason); values stay at the quantiles of \(QuantileCodebooks.provisionalSamples) images"
            startMetrics()
            return true
        case .finished:
            guard let tables = snapshot.result, !worker.isPending else { return false }
            codebookJob = nil
            state.backgroundStatus = nil
            do {
                try source.replaceCodebooks(tables)
            } catch {
                state.statusMessage = "quantile codebooks failed: \(error)"
                startMetrics()
                return true
            }
            if let first = tables.first ?? nil { state.refineCodebooks(first) }
            cache = ImageCache(capacity: cache.capacity)
            requested = nil
            recodeShownSamples()
            state.statusMessage = "quantile codebooks: values at the quantiles of \(job.samples) images"
            startMetrics()
            return true
        case .notStarted:
            return false
        }
    }

    /// The start sample and the sample on screen, encoded again with new codebooks: their
    /// codes (and the current code, while it is still a sample's) follow the new quantiles.
    private func recodeShownSamples() {
        var shown = [state.startSample, state.sample].compactMap { $0 }
        if shown.count == 2 && shown[0].index == shown[1].index { shown.removeLast() }
        for loaded in shown {
            guard let sample = try? source.sample(at: loaded.index) else { continue }
            let recoded = LoadedSample(index: loaded.index, factors: loaded.factors, code: sample.code)
            if state.code == loaded.code { state.code = recoded.code }
            if state.startSample?.index == loaded.index {
                if state.startCode == loaded.code { state.startCode = recoded.code }
                state.startSample = recoded
            }
            if state.sample?.index == loaded.index { state.sample = recoded }
        }
    }

    /// The settings file's mode and colours: where the session starts, unlike the flags never
    /// a limit (c and m still reach everything the terminal has), and named in the status line
    /// while they hold the session below the terminal's best.
    public var saved = ExplorerConfig()
    /// Where the settings file is, for the status line ("~/.config/qlx/config.toml").
    public var savedPath: String?

    /// Fits the state to the terminal; when `--colors` asked for more than the terminal
    /// has, the status line says so and why (`colorReason`, from the screen).
    public func adapt(unicode: Bool, maximumColors: ColorDepth, colorReason: String? = nil) {
        state.adapt(unicode: unicode, maximumColors: maximumColors, preferredMode: preferredMode ?? saved.mode,
                    colorLimit: colorLimit)
        best = (state.renderModes[0], state.colorDepths[0])
        var fromFile: [String] = []
        if colorLimit == nil, let colors = saved.colors {
            let used = state.colorDepths.first { $0 <= colors } ?? state.colorDepths[0]
            state.colorDepth = used
            if used < state.colorDepths[0] { fromFile.append("colours \(used.rawValue)") }
        }
        if preferredMode == nil, let mode = saved.mode, state.renderMode == mode, mode != state.renderModes[0] {
            fromFile.append("mode \(mode.rawValue)")
        }
        startingSettings = (state.renderMode, state.colorDepth, tourInterval)
        if let asked = colorLimit, asked > maximumColors {
            let used = maximumColors == .none ? "no colour" : maximumColors.rawValue
            state.statusMessage = "--colors \(asked.rawValue) lowered to \(used)" + (colorReason.map { ": \($0)" } ?? "")
        } else if !fromFile.isEmpty {
            let keys = fromFile.count == 2 ? "c, m" : fromFile[0].hasPrefix("colours") ? "c" : "m"
            let saved = fromFile.joined(separator: ", ") + " from " + Self.shortPath(savedPath ?? "the settings file")
                + " (\(keys) to change)"
            // After notes about the run opened; instead of the export folder's.
            if let earlier = state.statusMessage, earlier != exportNote {
                state.statusMessage = earlier + "; " + saved
            } else {
                state.statusMessage = saved
            }
        }
    }

    /// Mode, colours and tour speed as the session began (after `adapt`).
    private var startingSettings: (mode: RenderMode, colors: ColorDepth, tour: Int)?
    /// The terminal's default mode and deepest colours (within `--colors`).
    private var best: (mode: RenderMode, colors: ColorDepth)?

    /// `saved` (the settings file) with what keys changed this session: the settings to keep.
    /// Only choices made with keys are kept, and a choice of the terminal's best removes the
    /// setting, so a depth chosen in one terminal never holds a better one back.
    public func settings(updating saved: ExplorerConfig) -> ExplorerConfig {
        var result = saved
        guard let start = startingSettings, let best else { return result }
        if state.renderMode != start.mode { result.mode = state.renderMode == best.mode ? nil : state.renderMode }
        if state.colorDepth != start.colors { result.colors = state.colorDepth == best.colors ? nil : state.colorDepth }
        if tourInterval != start.tour { result.tourMilliseconds = tourInterval }
        return result
    }

    /// Shows `message` in the status line (until the next key).
    public func note(_ message: String) { state.statusMessage = message }
    /// Puts `message` before whatever the status line already says (set up notes that must
    /// all be seen: the terminfo fallback, a lowered --colors).
    public func noteFirst(_ message: String) {
        state.statusMessage = state.statusMessage.map { "\(message); \($0)" } ?? message
    }

    public var isTooSmall: Bool {
        lastSize.width < ExplorerLayout.minimumWidth || lastSize.height < ExplorerLayout.minimumHeight
    }

    /// Applies one key; returns what the event loop must do (quit, full redraw).
    public func handle(_ key: Key) -> Effect {
        if isTooSmall && key != .resize {
            if case .mouse = key { return .none }
            let action = KeyTable.action(for: key)
            return action == .quit ? .quit : action == .redraw ? .redraw : .none
        }
        var effect: Effect
        if case .mouse(let event) = key, state.tour == nil, !state.showHelp {
            // Clicks go through the rectangles of the panels on screen; one that hits nothing does
            // nothing, and so does any click while the presentation or the sweep replaces them.
            let panelsShown = !state.presenting && state.sweep == nil
            let action = panelsShown ? ExplorerView.layout(state, width: lastSize.width, height: lastSize.height)
                .flatMap { MouseMap.action(for: event, state: state, layout: $0) } : nil
            effect = action.map { state.apply($0) } ?? .none
        } else {
            effect = state.handle(key)
        }
        switch effect {
        case .loadSample(let index):
            requestedSample = index
            effect = .none
        case .findSample(let constraints):
            if let index = source.sampleIndex(matching: constraints, near: state.sample?.index) {
                requestedSample = index
                state.statusMessage = "sample \(index) matches"
            } else {
                state.statusMessage = "no dataset sample has those factor values"
            }
            effect = .none
        case .exportTraversal:
            exportTraversal()
            effect = .none
        case .exportTourGIF:
            exportTourGIF()
            effect = .none
        default:
            break
        }
        if state.tour != nil { lastTourStep = .distantPast }
        return effect
    }

    /// The collect phase, before every frame: finished background work goes into the cache
    /// and the state, a due tour step is taken, and what the state now needs is scheduled
    /// (a requested sample; missing images, decoded now when that is quick, else in the
    /// background). Returns true when the screen needs repainting.
    public func update(now: Date = Date()) -> Bool {
        var changed = pollMetrics()
        if collectDecoded() { changed = true }
        if pollCodebooks() { changed = true }
        if let index = requestedSample {
            requestedSample = nil
            loadSample(index)
            changed = true
        }
        if state.tour != nil {
            if now.timeIntervalSince(lastTourStep) * 1000 >= Double(state.tourInterval) {
                state.advanceTour()
                lastTourStep = now
                changed = true
            } else if state.smoothTour && state.presenting {
                changed = true   // the next frame of the cross-fade
            }
        }
        if scheduleDecodes() { changed = true }
        return changed
    }

    /// Decodes the traversal's missing images now when the estimate fits the budget (true:
    /// new images), else hands them to the worker once. Unknown speed counts as slow: the
    /// first frame never waits for the model.
    private func scheduleDecodes() -> Bool {
        let codes = state.visibleCodes
        let missing = codes.filter { cache.image(for: $0) == nil }
        guard !missing.isEmpty else { return false }
        let estimate = (millisecondsPerImage ?? .infinity) * Double(missing.count)
        if estimate <= synchronousBudget {
            decodeNow(missing)
            return true
        }
        if requested != codes {
            requested = codes
            worker.submit(backgroundBatches(missing))
        }
        return false
    }

    /// Milliseconds until `update` has something to do (the event loop's read timeout).
    public func millisecondsUntilNextTick(now: Date = Date()) -> Int {
        var wait = 100
        if worker.isPending { wait = 5 }
        if state.tour != nil {
            wait = min(wait, max(0, state.tourInterval - Int(now.timeIntervalSince(lastTourStep) * 1000)))
            if state.smoothTour && state.presenting { wait = min(wait, Self.fadeFrameMilliseconds) }
        }
        return wait
    }

    /// Copies the background job's progress into the state; true when it changed.
    @discardableResult
    private func pollMetrics() -> Bool {
        var changed = false
        if let job = comparisonJob {
            let snapshot = job.poll()
            if snapshot.version != comparisonVersion {
                comparisonVersion = snapshot.version
                if let result = snapshot.result { state.comparisonMetrics = result }
                changed = true
            }
        }
        guard let job = metricsJob else { return changed }
        let snapshot = job.poll()
        guard snapshot.version != metricsVersion else { return changed }
        metricsVersion = snapshot.version
        state.metricsProgress = snapshot.progress
        if let result = snapshot.result { state.metrics = result }
        return true
    }

    /// Sets the measured frame time shown in the metrics panel (from the event loop, which
    /// also counts the paint).
    public func recordFrameTime(milliseconds: Double) { state.frameMilliseconds = milliseconds }

    /// The draw phase: the screen for `width` × `height` from what `update` has cached; an
    /// image still decoding shows the last preview meanwhile.
    public func frame(width: Int, height: Int) -> CellGrid { composed(width: width, height: height).grid }

    /// Frames of a cross-fade: about 30 a second.
    static let fadeFrameMilliseconds = 33

    /// The screen with the images the terminal draws in pixels (when it does).
    public func composed(width: Int, height: Int, now: Date = Date()) -> ExplorerFrame {
        lastSize = (width, height)
        if isTooSmall { return ExplorerView.compose(state, images: ViewImages(), width: width, height: height) }
        let traversal = state.traversalCodes.map { cache.image(for: $0) }
        let current = cache.image(for: state.code)
        if let current { lastPreview = current }
        let original = state.sample.flatMap { originals[$0.index] }
        var images = ViewImages(preview: current ?? lastPreview, original: original, traversal: traversal,
                                previewIsStale: current == nil)
        if state.sweep != nil { images.sweep = state.visibleCodes.map { cache.image(for: $0) } }
        if state.smoothTour, state.presenting, let next = state.nextTourCode, let image = cache.image(for: next) {
            let amount = now.timeIntervalSince(lastTourStep) * 1000 / Double(max(state.tourInterval, 1))
            images.fade = (image, Float(min(max(amount, 0), 1)))
        }
        return ExplorerView.compose(state, images: images, width: width, height: height)
    }

    /// Starts in presentation mode (`--present`).
    public func present() { state.presenting = true }

    /// Tells the state how images reach the terminal (`ExplorerApp` asks the terminal).
    public func adaptGraphics(_ graphics: GraphicsProtocol, cellPixels: CellPixels?, reason: String? = nil) {
        state.graphics = graphics
        state.cellPixels = cellPixels
        // A protocol asked for and not used says why, before the export folder's note.
        if let reason, graphicsChoice != .auto, graphicsChoice.forced != graphics,
           state.statusMessage == nil || state.statusMessage == exportNote {
            state.statusMessage = "--graphics \(graphicsChoice.rawValue): \(reason)"
        }
    }

    /// The terminal's background colour, when it said: accents are chosen to read on it.
    public func adaptBackground(_ background: RGB?) { state.terminalBackground = background }

    /// Decodes `codes` in one batch on this thread and caches them.
    private func decodeNow(_ codes: [[Int]]) {
        guard !codes.isEmpty else { return }
        let started = Date()
        let decoded = source.decode(codes: codes)
        record(codes: codes, images: decoded, milliseconds: Date().timeIntervalSince(started) * 1000)
    }

    private func record(codes: [[Int]], images: [RenderImage], milliseconds: Double) {
        for (code, image) in zip(codes, images) { cache.insert(image, for: code) }
        record(milliseconds: milliseconds, images: codes.count)
        state.decodeMilliseconds = milliseconds
    }

    /// Updates the moving average of model time per image (decodes and sample encodes cost
    /// about the same, one network pass each).
    private func record(milliseconds: Double, images: Int) {
        let perImage = milliseconds / Double(max(images, 1))
        millisecondsPerImage = millisecondsPerImage.map { 0.7 * $0 + 0.3 * perImage } ?? perImage
    }

    /// The current code alone first (the preview), then the rest nearest-value first, in
    /// batches of about 50 ms so a newer request is not stuck behind a long one.
    private func backgroundBatches(_ missing: [[Int]]) -> [[[Int]]] {
        var batches: [[[Int]]] = []
        if missing.contains(state.code) { batches.append([state.code]) }
        let latent = state.selectedLatent, value = state.code[latent]
        let rest = missing.filter { $0 != state.code }.sorted { abs($0[latent] - value) < abs($1[latent] - value) }
        let chunk = millisecondsPerImage.map { max(1, Int(50 / max($0, 0.01))) } ?? max(rest.count, 1)
        for start in stride(from: 0, to: rest.count, by: chunk) {
            batches.append(Array(rest[start..<min(start + chunk, rest.count)]))
        }
        return batches
    }

    /// Moves finished background work into the cache and the state; true when there was any.
    @discardableResult
    private func collectDecoded() -> Bool {
        let results = worker.collect()
        for result in results.decoded {
            record(codes: result.codes, images: result.images, milliseconds: result.milliseconds)
        }
        for result in results.sampled { show(result.sample, index: result.index, milliseconds: result.milliseconds) }
        if !results.decoded.isEmpty && !worker.isPending { requested = nil }
        return !results.decoded.isEmpty || !results.sampled.isEmpty
    }

    /// Waits until background decodes and encodes are done (tests and benchmarks only).
    public func waitForDecodes(timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while worker.isPending && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.002)
            collectDecoded()
        }
        collectDecoded()
    }

    /// Updates until every image the screen needs is decoded, then draws (tests and benchmarks).
    public func settle(width: Int, height: Int, timeout: TimeInterval = 30) {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            _ = update()
            waitForDecodes(timeout: max(0, deadline.timeIntervalSinceNow))
        } while (worker.isPending || state.visibleCodes.contains { cache.image(for: $0) == nil }) && Date() < deadline
        _ = frame(width: width, height: height)
    }

    /// Writes the selected latent's traversal as a labelled PNG (`traversalFigure`) and
    /// reports the path in the status line.
    private func exportTraversal() {
        export("traversal", extension: "png") { images, path in
            try PNGWriter.write(self.traversalFigure(images).picture(scale: Self.exportScale), to: path,
                                replacing: PNGWriter.fileKind.hinting(Self.exportHint))
        }
    }

    /// An export replaces an earlier export of its name, never a file of another kind.
    static let exportHint = "move it or choose another --export-dir"

    /// Model pixels per model pixel in exported figures.
    public static let exportScale = 2

    /// The `e` figure: a title (model, latent, what it encodes, the code), the dataset sample
    /// the code came from as the first column (when there is one), the latent's values by
    /// index with the current one framed.
    public func traversalFigure(_ images: [RenderImage]) -> TraversalFigure {
        let latent = state.selectedLatent
        let factor = state.encodedFactor(of: latent)
        let code = state.code.map(String.init).joined(separator: state.valuesPerLatent <= 10 ? "" : " ")
        var title = "\(state.checkpointName) · z\(latent)" + (factor.map { " (\($0))" } ?? "") + " · code \(code)"
        // (Two models side by side decode wider images than the sample: no sample column then.)
        var original = state.sample.flatMap { originals[$0.index] }
        if let image = original, image.width != images[0].width || image.height != images[0].height { original = nil }
        if let sample = state.sample, original != nil { title += " · from sample \(sample.index)" }
        let row = TraversalFigure.Row(labelLines: ["z\(latent)"] + (factor.map { [$0] } ?? []),
                                      columnLabels: images.indices.map(String.init), images: images,
                                      baseColumn: state.code[latent])
        return TraversalFigure(title: title, rows: [row], base: original, baseLabel: "sample")
    }

    /// Writes the selected latent's tour as a looping GIF, frame k the `e` figure's value k
    /// with its labels (`GIFWriter.write(animating:)`), each model pixel 4×4, and reports the
    /// path in the status line.
    private func exportTourGIF() {
        export("tour", extension: "gif") { images, path in
            try GIFWriter.write(animating: self.traversalFigure(images), scale: Self.tourScale, to: path,
                                replacing: GIFWriter.fileKind.hinting(Self.exportHint))
        }
    }

    /// Screen pixels per model pixel in the exported tour.
    public static let tourScale = 4

    /// The selected latent's codebook decoded (now, for values not decoded yet), written by
    /// `write` to "qlx-KIND-zJ-CODE.EXT" in the export directory.
    private func export(_ kind: String, extension ext: String, write: ([RenderImage], String) throws -> Void) {
        let codes = state.traversalCodes
        let missing = codes.filter { cache.image(for: $0) == nil }
        if !missing.isEmpty { decodeNow(missing) }
        let images = codes.map { cache.image(for: $0)! }
        let code = state.code.map(String.init).joined(separator: state.valuesPerLatent <= 10 ? "" : "-")
        let path = (exportDirectory as NSString).appendingPathComponent("qlx-\(kind)-z\(state.selectedLatent)-\(code).\(ext)")
        do {
            try write(images, path)
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
