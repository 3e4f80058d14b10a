import QLXCore
import QLXRender

/// A dataset sample whose code is (or was) on screen.
public struct LoadedSample: Equatable, Sendable {
    public var index: Int
    public var factors: [Int]
    /// The code the encoder gave it; the current code may since have been edited.
    public var code: [Int]
    public init(index: Int, factors: [Int], code: [Int]) {
        self.index = index
        self.factors = factors
        self.code = code
    }
}

/// Everything the screen shows, apart from the decoded images (those are a function of the
/// code, cached by the session). Pure value: keys change it through `handle(_:)`.
public struct ExplorerState: Sendable {
    // What is being explored (fixed for a session).
    public let checkpointName: String
    public let datasetName: String
    public let factorNames: [String]
    /// Latent j → its codebook values, in index order (a continuous model's quantiles, which
    /// are refined once after start-up: `refineCodebooks`).
    public private(set) var codebooks: [[Float]]
    /// Number of dataset samples `n`/`p` can visit (0 without a dataset).
    public let sampleCount: Int
    /// What the terminal can show (set again by `adapt` once the terminal is open).
    public private(set) var unicode: Bool
    public private(set) var renderModes: [RenderMode]
    public private(set) var colorDepths: [ColorDepth]
    /// Pixel size of the model's images (for the layout, before any image is decoded).
    public let imageWidth: Int
    public let imageHeight: Int

    // Where the user is.
    public var code: [Int]
    public var startCode: [Int]
    public var startSample: LoadedSample?
    public var selectedLatent = 0
    public var sample: LoadedSample?
    /// Position in the sample order `n`/`p` walk (see `sampleIndex(at:)`).
    public var sampleCursor = 0
    public var renderMode: RenderMode
    public var colorDepth: ColorDepth
    public var showHelp = false
    public var tour: Tour?
    /// Milliseconds per tour step (`+`/`-`).
    public var tourInterval = 150
    /// Cross-fade between neighbouring values while touring (`f`).
    public var smoothTour = false
    /// `p` (or `--present`): one large image, its caption and the codebook ruler.
    public var presenting = false
    /// `s`: the grid of two latents' values (columns: the selected latent).
    public var sweep: Sweep?
    /// How images reach the terminal, and its cell size in pixels (from the terminal layer).
    public var graphics: GraphicsProtocol = .cells
    public var cellPixels: CellPixels?
    public var statusMessage: String?
    /// Work under way that the status line shows while it has no message (the quantiles).
    public var backgroundStatus: String?
    /// Digits typed so far for a value index of a codebook over 10 values (the value follows
    /// each digit; Enter or any other key ends the number).
    public var valueEntry: Int?
    public var rng: SeededGenerator

    // Figures shown in the metric panels.
    public var metrics: MetricsDisplay?
    /// `qlx explore A B`: B's name and figures (A's are `metrics`); nil names mean one model.
    public var comparisonName: String?
    public var comparisonMetrics: MetricsDisplay?
    public var metricsProgress: MetricsProgress = .notStarted
    public var decodeMilliseconds: Double?
    public var frameMilliseconds: Double?

    public init(checkpointName: String, datasetName: String, factorNames: [String], codebooks: [[Float]],
                sampleCount: Int, unicode: Bool, renderModes: [RenderMode], colorDepths: [ColorDepth],
                imageWidth: Int = 64, imageHeight: Int = 64, code: [Int]? = nil, seed: UInt64 = 1) {
        precondition(!codebooks.isEmpty && codebooks.allSatisfy { !$0.isEmpty }, "empty codebooks")
        precondition(!renderModes.isEmpty && !colorDepths.isEmpty)
        self.checkpointName = checkpointName
        self.datasetName = datasetName
        self.factorNames = factorNames
        self.codebooks = codebooks
        self.sampleCount = sampleCount
        self.unicode = unicode
        self.renderModes = renderModes
        self.colorDepths = colorDepths
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.renderMode = renderModes[0]
        self.colorDepth = colorDepths[0]
        let start = code ?? codebooks.map { $0.count / 2 }
        precondition(start.count == codebooks.count)
        self.code = start
        self.startCode = start
        self.rng = SeededGenerator(seed: seed)
    }

    /// New values for the same codebook sizes: codes keep their indices (a continuous
    /// model's k-th quantile stays the k-th).
    public mutating func refineCodebooks(_ refined: [[Float]]) {
        precondition(refined.map(\.count) == codebooks.map(\.count), "refined codebooks must keep their sizes")
        codebooks = refined
    }

    /// Render modes and colour depths `m` and `c` cycle through on a terminal like this one;
    /// the first of each is the one to start with.
    public static func choices(unicode: Bool, maximumColors: ColorDepth) -> (modes: [RenderMode], depths: [ColorDepth]) {
        let modes: [RenderMode] = unicode ? [.halfBlock, .quadrant, .sextant, .ascii, .asciiInverted]
                                          : [.ascii, .asciiInverted]
        let depths = ColorDepth.allCases.filter { $0 <= maximumColors }.sorted(by: >)
        return (modes, depths)
    }

    /// Fits the state to the terminal: Unicode or ASCII, the deepest colour it has (at most
    /// `colorLimit`), `preferredMode` when the terminal can show it.
    public mutating func adapt(unicode: Bool, maximumColors: ColorDepth, preferredMode: RenderMode? = nil,
                               colorLimit: ColorDepth? = nil) {
        let choices = ExplorerState.choices(unicode: unicode, maximumColors: min(maximumColors, colorLimit ?? .trueColor))
        self.unicode = unicode
        renderModes = choices.modes
        colorDepths = choices.depths
        renderMode = preferredMode.flatMap { choices.modes.contains($0) ? $0 : nil } ?? choices.modes[0]
        colorDepth = choices.depths[0]
    }

    /// Factor `index`'s name ("f3" past the names the model has).
    public func factorName(_ index: Int) -> String {
        index < factorNames.count ? factorNames[index] : "f\(index)"
    }

    /// What latent `j` mainly encodes by the metrics: a factor's name, "inactive", or nil
    /// while there are no metrics.
    public func encodedFactor(of latent: Int) -> String? {
        if let metrics, latent < metrics.activeLatents.count, !metrics.activeLatents[latent] { return "inactive" }
        return metrics?.mainNMI(of: latent).map { factorName($0.factor) }
    }

    public var latentCount: Int { codebooks.count }
    public func valueCount(of latent: Int) -> Int { codebooks[latent].count }
    /// The largest codebook size (all are equal for QLAE; kept general for drawing).
    public var valuesPerLatent: Int { codebooks.map(\.count).max() ?? 0 }

    /// The continuous values of the current code.
    public var values: [Float] { code.enumerated().map { codebooks[$0.offset][$0.element] } }

    /// The selected latent's codebook decoded in order, with every other latent as now:
    /// the traversal strip (and, at the current value, the preview).
    public var traversalCodes: [[Int]] {
        (0..<valueCount(of: selectedLatent)).map { value in
            var c = code
            c[selectedLatent] = value
            return c
        }
    }

    /// The codes the screen shows: the 2-D sweep's grid (row by row), or the traversal.
    public var visibleCodes: [[Int]] {
        guard let sweep else { return traversalCodes }
        return (0..<valueCount(of: sweep.rowLatent)).flatMap { row in
            (0..<valueCount(of: selectedLatent)).map { column in
                var c = code
                c[sweep.rowLatent] = row
                c[selectedLatent] = column
                return c
            }
        }
    }

    /// Dataset index visited at cursor position `cursor` (any integer): a fixed stride
    /// through the dataset that is coprime with its size, so `n` keeps finding new samples
    /// spread over every factor, and `p` walks the same order back.
    public func sampleIndex(at cursor: Int) -> Int {
        precondition(sampleCount > 0)
        let n = sampleCount
        var stride = 7_919 % n
        if stride == 0 { stride = 1 }
        while gcd(stride, n) != 1 { stride += 1 }
        let k = ((cursor % n) + n) % n
        return (k * stride + 12_345 % n) % n
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
