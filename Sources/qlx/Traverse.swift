import ArgumentParser
import Foundation
import QLXCore
import QLXData
import QLXMetrics
import QLXModel
import QLXRender

/// `qlx traverse`: the classic latent traversal figure as text (or PNG). Row j starts from one
/// base code and sweeps latent j through its whole codebook; everything is decoded in one batch.
struct Traverse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a latent traversal grid: one row per latent, one column per codebook value.",
        discussion: """
        Rows are latents (z3 shape: the factor from the checkpoint's stored metrics, if any); \
        columns are the latent's codebook values. Every other latent keeps the base code \
        chosen by --from: zeros (each latent at its value nearest 0), random (seeded by --seed), \
        or sample N (dataset image N of the checkpoint's dataset, encoded).

        On a terminal the grid is drawn with colour and Unicode blocks as TERM, COLORTERM, the \
        locale and NO_COLOR allow; through pipes and into files it is plain text without escape \
        sequences (half blocks without colour if the locale is UTF-8, the ASCII ramp otherwise) \
        unless --colors asks for colour. Without colour, half-block mode draws each cell with \
        the one of " ░▒▓█▀▄" nearest its two pixels (light ink on a dark background; use \
        --mode ascii-inverted for dark ink on light).
        """)

    @Argument(help: "A .safetensors checkpoint or a reference run (run folder, files/, step=N/, model.eqx); default: the bundled model.")
    var checkpoint: String?

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Base code: zeros, random, or sample N (also sample:N).", valueName: "start"))
    var from: [String] = []

    // Numbers are read as text and converted in `traverse()` (see FlagValue): one-line errors.
    @Option(parsing: .unconditional, help: "Seed for --from random.")
    var seed = "0"

    @Option(parsing: .unconditional, help: "Only this latent's row (0-based; default: all latents).")
    var latent: String?

    @Option(name: .customLong("cell-width"), parsing: .unconditional,
            help: "Width of each thumbnail in character cells; height follows the aspect ratio (default: fit the terminal's width, 10 in pipes).")
    var cellWidth: String?

    @Option(help: "Render mode: \(RenderMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: half, or ascii without UTF-8).")
    var mode: String?

    @Option(help: "Colour depth: \(ColorDepth.allCases.map(\.rawValue).joined(separator: ", ")) (default: detected; none in pipes).")
    var colors: String?

    @Flag(help: "Ordered (Bayer) dithering.")
    var dither = false

    @Option(help: "Also write the grid as a PNG file (then the text is printed only with --text).")
    var png: String?

    @Option(parsing: .unconditional, help: "PNG: each model pixel becomes scale × scale pixels.")
    var scale = "4"

    @Flag(help: "With --png, print the text grid as well.")
    var text = false

    @Flag(name: .customLong("no-labels"), help: "PNG: thumbnails and gutters only, without the latent and value labels.")
    var noLabels = false

    func run() throws {
        do {
            try traverse()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("qlx: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func traverse() throws {
        // Flags first, so mistakes fail before the model loads.
        let renderMode = try mode.map { value in
            guard let m = RenderMode(rawValue: value) else { throw RenderError.unknownMode(flag: "--mode", value: value) }
            return m
        }
        let colorFlag = try colors.map { value in
            guard let c = ColorDepth(rawValue: value) else { throw RenderError.unknownColorDepth(flag: "--colors", value: value) }
            return c
        }
        let cellWidth = try self.cellWidth.map { try FlagValue.integer($0, flag: "--cell-width", in: 1...400) }
        let scale = try FlagValue.integer(self.scale, flag: "--scale", in: 1...64)
        let seed = try FlagValue.seed(self.seed)
        // The upper end needs the model; a non-number or a negative fails before it loads.
        let latent = try self.latent.map {
            try FlagValue.integer($0, flag: "--latent", in: 0...Int.max, expected: "a latent index (an integer ≥ 0)")
        }
        let (start, parsedSurplus) = try TraversalStart.parse(from)
        var path = checkpoint, surplus = parsedSurplus
        if path == nil, surplus.count == 1 { path = surplus.removeFirst() }   // `--from zeros model.safetensors`
        if let extra = surplus.first {
            throw FlagError.badValue(flag: "--from", expected: "zeros, random or sample N", found: "extra value '\(extra)'")
        }

        let checkpointPath = try path ?? BundledModel.locate()
        let stored = try loadCheckpoint(checkpointPath, referenceRun)
        let model = try stored.model()
        let config = model.config
        guard config.image.channels == 1 || config.image.channels == 3 else {
            throw TraverseError.unsupported("\(checkpointPath): images with \(config.image.channels) channels cannot be drawn (1 or 3 expected)")
        }
        if let latent, !(0..<config.latent.count).contains(latent) {
            throw FlagError.badValue(flag: "--latent", expected: "0…\(config.latent.count - 1) (the model has \(config.latent.count) latents)",
                                     found: "\(latent)")
        }

        let latents = latent.map { [$0] } ?? Array(0..<config.latent.count)
        let traversal = try Traversal.make(model: model, start: start, latents: latents, seed: seed)
        let names = LatentNames(metadataJSON: stored.metadata["qlx.metrics"], latentCount: config.latent.count)
        let rows = zip(latents, zip(traversal.values, traversal.images)).map { j, pair in
            MosaicRow(labelLines: names.labelLines(latent: j), columnLabels: pair.0.map(formatValue), images: pair.1)
        }

        if let png {
            let picture = noLabels
                ? Mosaic.picture(rows: traversal.images, scale: scale, gutter: 2, gutterValue: 0.5)
                : Mosaic.labelledPicture(rows: rows, scale: scale, gutter: 2, gutterValue: 0.5)
            try PNGWriter.write(picture, to: png)
            FileHandle.standardError.write(Data("wrote \(png) (\(picture.width)×\(picture.height) pixels, \(latents.count) latents × \(traversal.values.first?.count ?? 0) values)\n".utf8))
            if !text { return }
        }

        let isTerminal = isatty(STDOUT_FILENO) == 1
        let capabilities = TerminalCapabilities.detect(environment: ProcessInfo.processInfo.environment, isTerminal: isTerminal)
            .overriding(colors: colorFlag, mode: renderMode)
        let options = RenderOptions(mode: renderMode ?? capabilities.preferredMode, colors: capabilities.colors, dither: dither)
        let thumbnailWidth = cellWidth ?? (isTerminal ? fittingCellWidth(rows: rows) : 10)
        let grid = Mosaic.cells(rows: rows, thumbnailWidth: thumbnailWidth, options: options)
        FileHandle.standardOutput.write(Data((ANSI.encode(grid, colors: capabilities.colors) + "\n").utf8))
    }

    /// The widest thumbnails (4…16 cells) whose row still fits the terminal's width.
    func fittingCellWidth(rows: [MosaicRow]) -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 10 }
        let labelColumn = (rows.flatMap(\.labelLines).map(\.count).max() ?? 0) + 1
        let columns = max(1, rows.map(\.images.count).max() ?? 1)
        return min(16, max(4, (Int(size.ws_col) - labelColumn + 1) / columns - 1))
    }

    /// Two decimals, without a "-0.00".
    func formatValue(_ v: Float) -> String {
        let s = String(format: "%.2f", Double(v))
        return s == "-0.00" ? "0.00" : s
    }
}

enum TraverseError: Error, CustomStringConvertible {
    case unsupported(String)

    var description: String {
        switch self {
        case let .unsupported(reason): return reason
        }
    }
}

/// Where every row of a traversal starts.
enum TraversalStart: Equatable {
    case zeros
    case random
    case sample(Int)

    /// Reads `--from` values; returns what is left over (a checkpoint path typed after them).
    static func parse(_ values: [String]) throws -> (TraversalStart, surplus: [String]) {
        guard let first = values.first else { return (.zeros, []) }
        let rest = Array(values.dropFirst())
        switch first {
        case "zeros": return (.zeros, rest)
        case "random": return (.random, rest)
        case "sample":
            guard let n = rest.first else { throw FlagError.badValue(flag: "--from sample", expected: "an image index", found: "nothing") }
            return (.sample(try index(n)), Array(rest.dropFirst()))
        default:
            for separator in [":", "="] where first.hasPrefix("sample" + separator) {
                return (.sample(try index(String(first.dropFirst(7)))), rest)
            }
            throw FlagError.badValue(flag: "--from", expected: "zeros, random or sample N", found: "'\(first)'")
        }
    }

    static func index(_ text: String) throws -> Int {
        guard let n = Int(text), n >= 0 else {
            throw FlagError.badValue(flag: "--from sample", expected: "an image index ≥ 0", found: "'\(text)'")
        }
        return n
    }
}

/// Names of the factors each latent mainly encodes, from a MetricsReport stored in the
/// checkpoint; plain "z3" when there is none.
struct LatentNames {
    var factors: [String?]

    init(metadataJSON: String?, latentCount: Int) {
        factors = Array(repeating: nil, count: latentCount)
        guard let json = metadataJSON else { return }
        guard let report = try? JSONDecoder().decode(MetricsReport.self, from: Data(json.utf8)),
              report.latentFactor.count == latentCount else {
            FileHandle.standardError.write(Data("qlx: warning: ignoring the checkpoint's qlx.metrics (not a metrics report for \(latentCount) latents)\n".utf8))
            return
        }
        factors = report.latentFactor.map { index in
            guard let index else { return "inactive" }
            return report.factorNames.indices.contains(index) ? report.factorNames[index] : nil
        }
    }

    func labelLines(latent j: Int) -> [String] {
        ["z\(j)"] + (factors[j].map { [$0] } ?? [])
    }
}

/// The decoded grid of a traversal: for each requested latent, its column values and images.
struct Traversal {
    var values: [[Float]]
    var images: [[RenderImage]]

    /// Quantized models sweep each latent's codebook; models without quantization sweep
    /// n_v evenly spaced values over the range the encoder produces on 256 dataset images.
    static func make(model: QLAE, start: TraversalStart, latents: [Int], seed: UInt64) throws -> Traversal {
        let config = model.config
        let nz = config.latent.count, nv = config.latent.valuesPerLatent
        let columnValues: [[Float]]
        var base: [Float]
        var baseCode: [Int]? = nil
        if config.latent.quantized {
            columnValues = model.codebooks
            switch start {
            case .zeros:
                baseCode = columnValues.map { book in book.indices.min { abs(book[$0]) < abs(book[$1]) }! }
            case .random:
                var generator = SeededGenerator(seed: seed)
                baseCode = (0..<nz).map { _ in Int((generator.next() >> 32) * UInt64(nv) >> 32) }
            case .sample(let n):
                baseCode = try encode(sample: n, model: model).codes[0]
            }
            base = zip(baseCode!, columnValues).map { $1[$0] }
        } else {
            let ranges = try latentRanges(model: model, seed: seed)
            columnValues = ranges.map { r in (0..<nv).map { r.lowerBound + (r.upperBound - r.lowerBound) * Float($0) / Float(max(nv - 1, 1)) } }
            switch start {
            case .zeros: base = Array(repeating: 0, count: nz)
            case .random:
                var generator = SeededGenerator(seed: seed)
                base = ranges.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * generator.nextUnitFloat() }
            case .sample(let n):
                base = try encode(sample: n, model: model).continuous.data
            }
        }

        // One batch: row-major over (latent, value).
        let decoded: Decoding
        if let baseCode {
            let codes = latents.flatMap { j in (0..<nv).map { v -> [Int] in var c = baseCode; c[j] = v; return c } }
            decoded = model.decode(codes: codes)
        } else {
            var data: [Float] = []
            for j in latents { for v in 0..<nv { var z = base; z[j] = columnValues[j][v]; data += z } }
            decoded = model.decode(values: Tensor(shape: [latents.count * nv, nz], data: data))
        }
        let shape = config.image, size = shape.channels * shape.height * shape.width
        let images = latents.indices.map { row in
            (0..<nv).map { v in
                let offset = (row * nv + v) * size
                return RenderImage(planar: decoded.images.data[offset..<(offset + size)], channels: shape.channels,
                                   height: shape.height, width: shape.width)
            }
        }
        return Traversal(values: latents.map { columnValues[$0] }, images: images)
    }

    static func dataset(for model: QLAE) throws -> any FactorDataset {
        let dataset = try Datasets.named(model.config.dataset.name)
        guard dataset.imageShape == model.config.image else {
            throw TraverseError.unsupported("dataset \(dataset.name) has \(dataset.imageShape) images but the model expects \(model.config.image)")
        }
        return dataset
    }

    static func encode(sample n: Int, model: QLAE) throws -> Encoding {
        let dataset = try dataset(for: model)
        guard n < dataset.count else {
            throw FlagError.badValue(flag: "--from sample", expected: "an image index 0…\(dataset.count - 1) of \(dataset.name)",
                                     found: "\(n)")
        }
        return model.encode(dataset.images(at: [n]))
    }

    /// Per latent, [min, max] of the encoder's output on 256 seeded dataset images.
    static func latentRanges(model: QLAE, seed: UInt64) throws -> [ClosedRange<Float>] {
        let dataset = try dataset(for: model)
        let continuous = model.encode(dataset.images(at: sampleIndices(count: 256, of: dataset.count, seed: seed))).continuous
        let nz = model.config.latent.count
        return (0..<nz).map { j in
            let column = stride(from: j, to: continuous.count, by: nz).map { continuous.data[$0] }
            let lo = column.min()!, hi = column.max()!
            return lo < hi ? lo...hi : (lo - 1)...(hi + 1)
        }
    }
}
