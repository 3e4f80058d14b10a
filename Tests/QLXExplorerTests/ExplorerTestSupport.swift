import Foundation
import QLXExplorer
import QLXMetrics
import QLXRender

/// A fake decoder: every image is one flat gray whose level depends on the code, so images of
/// different codes differ and render as plain coloured spaces (text snapshots stay stable).
final class FlatImageSource: ImageSource, @unchecked Sendable {
    let size: Int
    let samples: Int
    private let lock = NSLock()
    private var _decodeCalls: [[[Int]]] = []
    /// Seconds each decode call sleeps (to imitate a slow model).
    var delay: TimeInterval = 0

    init(size: Int = 8, samples: Int = 100) {
        self.size = size
        self.samples = samples
    }

    var decodeCalls: [[[Int]]] { lock.withLock { _decodeCalls } }

    static func level(of code: [Int]) -> Float {
        Float(code.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element } % 11) / 10
    }

    func decode(codes: [[Int]]) -> [RenderImage] {
        lock.withLock { _decodeCalls.append(codes) }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return codes.map { code in
            RenderImage(width: size, height: size, channels: 1,
                        pixels: [Float](repeating: FlatImageSource.level(of: code), count: size * size))
        }
    }

    var sampleCount: Int { samples }

    func sample(at index: Int) -> DatasetSample {
        let code = [index % 4, (index / 4) % 4, (index / 16) % 4]
        return DatasetSample(image: RenderImage(width: size, height: size, channels: 1,
                                                pixels: [Float](repeating: 1, count: size * size)),
                             code: code, factors: [index % 3, index % 5])
    }
}

enum Fixtures {
    /// Three latents of four values each, two factors.
    static func state(unicode: Bool = true, colors: ColorDepth = .palette256, sampleCount: Int = 100) -> ExplorerState {
        var state = ExplorerState(
            checkpointName: "tiny.safetensors", datasetName: "toy", factorNames: ["shape", "size"],
            codebooks: [[-0.5, -0.1, 0.2, 0.5], [-0.3, 0.0, 0.1, 0.4], [-0.5, -0.2, 0.2, 0.5]],
            sampleCount: sampleCount, unicode: unicode, renderModes: [.halfBlock], colorDepths: [colors],
            imageWidth: 8, imageHeight: 8, code: [1, 2, 3], seed: 5)
        state.adapt(unicode: unicode, maximumColors: colors)
        return state
    }

    /// Ten latents over the sprites' five factors, two latents per factor, each latent with
    /// `usage.count` values used `usage` times (the panel sizes of a real model).
    static func sprites(usage: [Int], sampleCount: Int = 0) -> ExplorerState {
        let factors = ["shape", "scale", "orientation", "posX", "posY"]
        var state = ExplorerState(checkpointName: "m", datasetName: "sprites", factorNames: factors,
                                  codebooks: Array(repeating: (0..<usage.count).map { Float($0) / Float(usage.count) }, count: 10),
                                  sampleCount: sampleCount, unicode: true, renderModes: [.halfBlock], colorDepths: [.palette256])
        state.metrics = display(factorNames: factors,
                                nmi: (0..<5).map { f in (0..<10).map { j in j / 2 == f ? 0.8 : 0.05 } },
                                activeLatents: Array(repeating: true, count: 10),
                                latentFactor: (0..<10).map { $0 / 2 }, infoM: 0.8, infoE: 0.9, infoC: 0.4,
                                usageCounts: Array(repeating: usage, count: 10),
                                samples: 50, origin: .checkpoint)
        return state
    }

    static let metrics = display(
        factorNames: ["shape", "size"],
        nmi: [[0.81, 0.02, 0.10], [0.05, 0.64, 0.00]],
        activeLatents: [true, true, false], latentFactor: [0, 1, nil],
        infoM: 0.75, infoE: 0.5, infoC: 0.25, mig: 0.3,
        reconstruction: ReconstructionMetrics(bce: 0.0123, mse: 0.004),
        usageCounts: [[10, 40, 30, 0], [25, 25, 25, 25], [100, 0, 0, 0]], samples: 100, origin: .computed)

    /// The figures the panels draw, as a report would carry them (the rest empty).
    static func display(factorNames: [String], nmi: [[Double]], activeLatents: [Bool], latentFactor: [Int?],
                        infoM: Double, infoE: Double, infoC: Double, mig: Double = 0,
                        reconstruction: ReconstructionMetrics? = nil, usageCounts: [[Int]]? = nil,
                        samples: Int, origin: MetricsDisplay.Origin) -> MetricsDisplay {
        let scores = InfoMECResult(nmi: nmi, mutualInformation: nmi, sourceEntropies: nmi.map { _ in 1 },
                                   activeLatents: activeLatents, infoM: infoM, infoE: infoE, infoC: infoC, mig: mig,
                                   explicitnessPerSource: nmi.map { _ in 0 }, latentFactor: latentFactor)
        var report = try! MetricsReport(factorNames: factorNames, infoMEC: scores, latentKind: .discrete, samples: samples,
                                        reconstruction: reconstruction)
        report.codebookUsage = usageCounts?.map { CodebookUsage(counts: $0) }
        return MetricsDisplay(report: report, origin: origin)
    }
}
