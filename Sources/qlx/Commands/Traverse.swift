import ArgumentParser
import Foundation
import QLXCore
import QLXData
import QLXIO
import QLXMetrics
import QLXModel
import QLXReference
import QLXRender

/// `qlx traverse`: the classic latent traversal figure as text (or PNG). Row j starts from one
/// base code and sweeps latent j through its whole codebook; everything is decoded in one batch.
struct Traverse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a latent traversal grid: one row per latent, one column per codebook value.",
        discussion: """
        Rows are latents (z3 shape: the factor from the checkpoint's stored metrics, if any); \
        columns are the latent's codebook values. Every other latent keeps the base code \
        chosen by --from: sample N (dataset image N of the checkpoint's dataset, encoded), \
        zeros (each latent at its value nearest 0, which can decode to images unlike any in the \
        data) or random (seeded by --seed). Without --from it is a sample in which every \
        factor's change shows: floor, wall and object in the colours furthest apart, a \
        mid-sized, centred object (named with its factor values when a file is written); zeros \
        when qlx has no dataset for the model.

        PNG figures (--png) have a title line, the base image as the first column of every row \
        (the dataset sample, or the base code decoded), each row's latent and factor on the \
        left, value indices above the columns (codebook values with --raw-values) and the base \
        code's own value framed. Labels grow with --scale and are sized for the figure printed a \
        paper column wide. GIF animations (--gif) show the figure one value column at a time: \
        frame k has the same title, row labels and base column, and value k of every row.

        On a terminal the grid is drawn with colour and Unicode blocks as TERM, COLORTERM, the \
        locale and NO_COLOR allow; through pipes and into files it is plain text without escape \
        sequences (half blocks without colour if the locale is UTF-8, the ASCII ramp otherwise) \
        unless --colors asks for colour. Without colour, half-block mode draws each cell with \
        the one of " ░▒▓█▀▄" nearest its two pixels (light ink on a dark background; use \
        --mode ascii-inverted for dark ink on light).
        """)

    @OptionGroup var checkpoint: CheckpointArgument

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Base code: sample N (also sample:N; default: a sample whose factors contrast), zeros or random.", valueName: "start"))
    var from: [String] = []

    @OptionGroup var seed: SeedOption
    @OptionGroup var dataset: DatasetOption

    // Numbers are read as text and converted in `run()` (see FlagValue): one-line errors.
    @Option(parsing: .unconditionalSingleValue,
            help: "Only these latents' rows (0-based; 1,3 or repeated; default: all latents).")
    var latent: [String] = []

    @Option(name: .customLong("cell-width"), parsing: .unconditional,
            help: "Width of each thumbnail in character cells; height follows the aspect ratio (default: fit the terminal's width, 10 in pipes).")
    var cellWidth: String?

    @OptionGroup var render: RenderFlags

    @Flag(help: "Ordered (Bayer) dithering.")
    var dither = false

    @Option(help: "Also write the grid as a PNG file (then the text is printed only with --text).")
    var png: String?

    @Option(parsing: .unconditional, help: "PNG: each model pixel becomes scale × scale pixels.")
    var scale = "4"

    @Option(help: "Also write an animated GIF: frame k is the figure's value column k (every chosen latent at its value k).")
    var gif: String?

    @Flag(help: "With --png or --gif, print the text grid as well.")
    var text = false

    @OptionGroup var force: ForceOption

    @Flag(name: .customLong("no-labels"), help: "PNG and GIF: thumbnails and gutters only, without the title, labels and base column.")
    var noLabels = false

    @Flag(name: .customLong("raw-values"), help: "PNG: label the columns with codebook values instead of value indices.")
    var rawValues = false

    @Flag(help: """
        PNG and GIF: caption every value with what it means, its latent's factor's most common value \
        among the samples coded to it ("2 CYLINDER"): from the checkpoint's stored metrics, else \
        from 2,000 samples of the dataset encoded now (quantized models).
        """)
    var captions = false

    /// Samples `--captions` encodes when the checkpoint stores no value meanings.
    static let captionSamples = 2_000

    func run() throws {
        // Flags first, so mistakes fail before the model loads.
        let renderMode = try render.mode()
        let colorFlag = try render.colors()
        let graphicsChoice = try render.graphics() ?? .auto
        let cellWidth = try self.cellWidth.map { try FlagValue.integer($0, flag: "--cell-width", in: 1...400) }
        let scale = try FlagValue.integer(self.scale, flag: "--scale", in: 1...64)
        let seed = try self.seed.value()
        // The upper end needs the model; a non-number or a negative fails before it loads.
        let chosen = try latent.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map {
            try FlagValue.integer(String($0), flag: "--latent", in: 0...Int.max, expected: "a latent index (an integer ≥ 0)")
        }
        let pngKind = force.replacing(PNGWriter.fileKind), gifKind = force.replacing(GIFWriter.fileKind)
        try refuseSharedOutputs([(png, "--png"), (gif, "--gif")].compactMap { path, flag in path.map { (path: $0, flag: flag) } })
        if let png { try checkImageOutput(png, replacing: pngKind) }
        if let gif { try checkImageOutput(gif, replacing: gifKind) }
        let parsed = try TraversalStart.parse(from)
        var start = parsed.0
        var path = checkpoint.checkpoint, surplus = parsed.surplus
        if path == nil, surplus.count == 1 { path = surplus.removeFirst() }   // `--from zeros model.safetensors`
        if let extra = surplus.first {
            throw FlagError.badValue(flag: "--from", expected: "zeros, random or sample N", found: "extra value '\(extra)'")
        }

        let checkpointPath = try BundledModel.resolve(path)
        let stored = try checkpoint.load(checkpointPath)
        // Titles name the run a job or wandb folder opened, not the folder.
        let modelPath = CheckpointSource.modelPath(of: stored, openedAs: checkpointPath)
        let model = try stored.model()
        let config = model.config
        guard config.image.channels == 1 || config.image.channels == 3 else {
            throw TraverseError.unsupported("\(checkpointPath): images with \(config.image.channels) channels cannot be drawn (1 or 3 expected)")
        }
        if let latent = chosen.first(where: { !(0..<config.latent.count).contains($0) }) {
            throw FlagError.badValue(flag: "--latent", expected: "0…\(config.latent.count - 1) (the model has \(config.latent.count) latents)",
                                     found: "\(latent)")
        }

        let latents = chosen.isEmpty ? Array(0..<config.latent.count) : chosen
        if from.isEmpty, config.latent.quantized, !dataset.isAvailable(for: config) {
            Streams.warn("\(checkpointPath) was trained on \(quoted(config.dataset.name)), which qlx reads from its dataset file, so the traversal starts from zeros (pass --data FILE or set $QLX_DATA to start from a sample)")
            start = .zeros
        }
        var opened: (any FactorDataset)?
        let open = {
            if let opened { return opened }
            let data = try dataset.dataset(for: config, checkpoint: checkpointPath)
            opened = data
            return data
        }
        if from.isEmpty, start != .zeros { start = .sample(try TraversalBase.contrastingSample(in: open())) }
        let traversal = try Traversal.make(model: model, start: start, latents: latents, seed: seed, dataset: open)
        let metrics = MetricsReport.stored(in: stored)
        if let warning = metrics.warning { Streams.warn(warning) }
        let names = LatentNames(report: metrics.report, latentCount: config.latent.count)
        let meanings = captions && (png != nil || gif != nil) && !noLabels ? try valueCaptions(model: model, stored: metrics.report, seed: seed) : nil
        let rows = zip(latents, zip(traversal.values, traversal.images)).map { j, pair in
            MosaicRow(labelLines: names.labelLines(latent: j), columnLabels: pair.0.map(formatValue), images: pair.1)
        }

        let startNote = try start.text(listingFactorsIn: from.isEmpty ? opened : nil)
        if let gif {
            // Frame k: the PNG figure's value column k (a latent with fewer values stays at its last).
            let written: (width: Int, height: Int, frames: Int)
            if noLabels {
                let frames = (0..<(traversal.images.map(\.count).max() ?? 0)).map { k in
                    Mosaic.picture(rows: [traversal.images.map { $0[min(k, $0.count - 1)] }], scale: scale, gutter: 2, gutterValue: 0.5)
                }
                try GIFWriter.write(frames, to: gif, replacing: gifKind)
                written = (frames[0].width, frames[0].height, frames.count)
            } else {
                written = try GIFWriter.write(animating: figure(traversal, latents: latents, names: names, start: start,
                                                                checkpointPath: modelPath, captions: meanings),
                                              scale: scale, to: gif, replacing: gifKind)
            }
            let latentList = latents.map(String.init).joined(separator: ",")
            Streams.note("wrote \(gif) (\(written.width)×\(written.height) pixels, \(written.frames) frames, latents \(latentList), \(startNote))")
            if png == nil && !text { return }
        }
        if let png {
            let picture = noLabels
                ? Mosaic.picture(rows: traversal.images, scale: scale, gutter: 2, gutterValue: 0.5)
                : figure(traversal, latents: latents, names: names, start: start, checkpointPath: modelPath,
                         captions: meanings).picture(scale: scale)
            try PNGWriter.write(picture, to: png, replacing: pngKind)
            Streams.note("wrote \(png) (\(picture.width)×\(picture.height) pixels, \(latents.count) latents × \(traversal.values.first?.count ?? 0) values, \(startNote))")
            if !text { return }
        }

        // A terminal that draws pixels gets the labelled picture itself.
        if graphicsChoice != .cells, Streams.standardOutputIsTerminal, cellWidth == nil {
            let setup = GraphicsDetection.detect(choice: graphicsChoice, environment: Streams.environment)
            if setup.graphics.hasPixels, let cell = setup.cellPixels {
                let columns = Streams.standardOutputColumns ?? 80
                try printPicture(figure(traversal, latents: latents, names: names, start: start, checkpointPath: modelPath),
                                 setup: setup, maxWidth: columns * cell.width)
                return
            }
            if graphicsChoice != .auto { Streams.warn("--graphics \(graphicsChoice.rawValue): \(setup.reason); drawing cells") }
        }

        let capabilities = Streams.standardOutput(colors: colorFlag, mode: renderMode)
        let options = RenderOptions(mode: renderMode ?? capabilities.preferredMode, colors: capabilities.colors, dither: dither)
        let thumbnailWidth = cellWidth ?? Streams.standardOutputColumns.map { fittingCellWidth(rows: rows, columns: $0) } ?? 10
        let grid = Mosaic.cells(rows: rows, thumbnailWidth: thumbnailWidth, options: options)
        try Streams.output(ANSI.encode(grid, colors: capabilities.colors) + "\n")
    }

    /// The labelled figure (the one --png writes) in pixels, kitty or sixel, at the largest
    /// whole scale that fits `maxWidth` pixels (shrunk to fit when even 1× is wider), then a new line.
    func printPicture(_ figure: TraversalFigure, setup: GraphicsSetup, maxWidth: Int) throws {
        var scale = 1
        while scale < 8, figure.picture(scale: scale + 1).width <= maxWidth {
            scale += 1
        }
        let picture = figure.picture(scale: scale)
        let shrink = min(1, Double(maxWidth) / Double(picture.width))
        let pixels = PixelImage(picture, width: max(1, Int(Double(picture.width) * shrink)),
                                height: max(1, Int(Double(picture.height) * shrink)))
        var sequence = try setup.graphics == .kitty ? KittyGraphics.place(pixels, id: 1, movesCursor: true)
                                                    : SixelEncoder.encode(pixels, colorRegisters: setup.colorRegisters)
        if setup.tmux != nil { sequence = TmuxState.wrap(sequence) }
        try Streams.output(sequence + "\n")
    }

    /// The PNG figure: titled with the model and the start, the base image first in every row.
    func figure(_ traversal: Traversal, latents: [Int], names: LatentNames, start: TraversalStart,
                checkpointPath: String, captions: [[String]]? = nil) -> TraversalFigure {
        let startText = start.text, baseLabel: String
        switch start {
        case .sample: baseLabel = "sample"
        case .zeros, .random: baseLabel = "base"
        }
        let columns = rawValues ? "codebook values" : "value index"
        let title = "\(Checkpoint.displayName(of: checkpointPath)) · \(startText) · columns: \(columns)"
        let rows = latents.indices.map { r in
            TraversalFigure.Row(labelLines: names.labelLines(latent: latents[r]),
                                columnLabels: (rawValues ? traversal.values[r].map(formatValue) : traversal.values[r].indices.map(String.init))
                                    .enumerated().map { v, label in
                                        guard let caption = captions?[latents[r]][safe: v], !caption.isEmpty else { return label }
                                        return label + " " + caption
                                    },
                                images: traversal.images[r], baseColumn: traversal.baseColumns[r])
        }
        return TraversalFigure(title: title, rows: rows, base: traversal.baseImage, baseLabel: baseLabel)
    }

    /// The widest thumbnails (4…16 cells) whose row still fits `columns`.
    func fittingCellWidth(rows: [MosaicRow], columns: Int) -> Int {
        let labelColumn = (rows.flatMap(\.labelLines).map(\.count).max() ?? 0) + 1
        let perRow = max(1, rows.map(\.images.count).max() ?? 1)
        return min(16, max(4, (columns - labelColumn + 1) / perRow - 1))
    }

    /// Two decimals, without a "-0.00".
    func formatValue(_ v: Float) -> String {
        let s = String(format: "%.2f", Double(v))
        return s == "-0.00" ? "0.00" : s
    }
}

extension Traverse {
    /// Per latent and value, the caption `--captions` draws: the most common value of the
    /// latent's factor among the samples coded to it (empty for values no sample takes).
    func valueCaptions(model: QLAE, stored: MetricsReport?, seed: UInt64) throws -> [[String]] {
        guard model.config.latent.quantized else {
            throw FlagError.badCombination("--captions describes codebook values: this checkpoint's latents are continuous")
        }
        if let stored, let meanings = stored.valueMeanings {
            return Self.captions(meanings, latentFactor: stored.latentFactor)
        }
        let data = try dataset.dataset(default: model.config.dataset.name)
        let samples = min(Self.captionSamples, data.count)
        let encoded = try ModelEvaluation.encode(model: model, dataset: data, samples: samples, seed: seed, decode: false) { _ in }
        let meanings = ValueMeanings(codes: encoded.codes, factors: encoded.factors,
                                     codebookSize: model.config.latent.valuesPerLatent, valueNames: data.valueNames)
        // Without a stored report, each latent's factor is the one its values predict best.
        let latentFactor: [Int?] = meanings.entries.map { values in
            let used = values.filter { $0.samples > 0 }
            guard let first = used.first else { return nil }
            return first.modes.indices.max { a, b in
                used.reduce(0) { $0 + $1.modes[a].share * Double($1.samples) } < used.reduce(0) { $0 + $1.modes[b].share * Double($1.samples) }
            }
        }
        return Self.captions(meanings, latentFactor: latentFactor)
    }

    static func captions(_ meanings: ValueMeanings, latentFactor: [Int?]) -> [[String]] {
        meanings.entries.enumerated().map { j, values in
            values.map { entry in
                guard let factor = j < latentFactor.count ? latentFactor[j] : nil, entry.modes.indices.contains(factor) else { return "" }
                return meanings.name(factor: factor, value: entry.modes[factor].value)
            }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
