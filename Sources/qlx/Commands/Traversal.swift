import Foundation
import QLXCore
import QLXData
import QLXIO
import QLXMetrics
import QLXModel
import QLXRender

// The parts of `qlx traverse` below the flags: where rows start, what latents are called, and
// the decoded grid.

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
    /// No values: sample 0, which `qlx traverse` replaces with `TraversalBase`'s choice (zeros
    /// decode to images unlike any in the data).
    static func parse(_ values: [String]) throws -> (TraversalStart, surplus: [String]) {
        guard let first = values.first else { return (.sample(0), []) }
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

    /// How figures and notes name the start ("from sample 12").
    var text: String {
        switch self {
        case .zeros: return "from the values nearest 0"
        case .random: return "from a random code"
        case .sample(let n): return "from sample \(n)"
        }
    }

    /// `text`, and for a sample start in `dataset` (nil: none) its factor values too
    /// ("from sample 12: shape square, scale 0, …"), where notes name the default base.
    func text(listingFactorsIn dataset: (any FactorDataset)?) throws -> String {
        guard case .sample(let n) = self, let dataset else { return text }
        let factors = try dataset.checkedFactors(at: n)
        let values = factors.indices.map { "\(dataset.factorNames[$0]) \(dataset.valueName(factor: $0, value: factors[$0]))" }
        return text + ": " + values.joined(separator: ", ")
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

    /// `report` is the checkpoint's stored report (`MetricsReport.stored(in:)`), which
    /// describes these latents.
    init(report: MetricsReport?, latentCount: Int) {
        factors = Array(repeating: nil, count: latentCount)
        guard let report else { return }
        factors = report.latentFactor.map { index in
            guard let index else { return "inactive" }
            // A name from the file, escaped: traverse prints it even into pipes.
            return report.factorNames.indices.contains(index) ? oneLine(report.factorNames[index]) : nil
        }
    }

    func labelLines(latent j: Int) -> [String] {
        ["z\(j)"] + (factors[j].map { [$0] } ?? [])
    }
}

/// The decoded grid of a traversal: for each requested latent, its column values and images,
/// and what every row starts from.
struct Traversal {
    var values: [[Float]]
    var images: [[RenderImage]]
    /// The dataset image a sample start encodes, else the base code decoded.
    var baseImage: RenderImage
    /// Per row, the column holding the base code's own value (quantized models only).
    var baseColumns: [Int?]

    /// Quantized models sweep each latent's codebook; models without quantization sweep
    /// n_v evenly spaced values over the range the encoder produces on 256 dataset images.
    /// `dataset` opens the images of sample starts and value ranges, when they are needed.
    static func make(model: QLAE, start: TraversalStart, latents: [Int], seed: UInt64,
                     dataset: () throws -> any FactorDataset = { throw FlagError.badCombination("no dataset") }) throws -> Traversal {
        let config = model.config
        let nz = config.latent.count, nv = config.latent.valuesPerLatent
        let columnValues: [[Float]]
        var base: [Float]
        var baseCode: [Int]? = nil
        var sampleImage: RenderImage? = nil
        if config.latent.quantized {
            columnValues = model.codebooks
            switch start {
            case .zeros:
                baseCode = columnValues.map { book in book.indices.min { abs(book[$0]) < abs(book[$1]) }! }
            case .random:
                var generator = SeededGenerator(seed: seed)
                baseCode = (0..<nz).map { _ in uniformIndex(below: nv, using: &generator) }
            case .sample(let n):
                let (encoding, image) = try encode(sample: n, model: model, dataset: dataset())
                baseCode = encoding.codes[0]
                sampleImage = image
            }
            base = zip(baseCode!, columnValues).map { $1[$0] }
        } else {
            let ranges = try latentRanges(model: model, seed: seed, dataset: dataset())
            columnValues = ranges.map { r in (0..<nv).map { r.lowerBound + (r.upperBound - r.lowerBound) * Float($0) / Float(max(nv - 1, 1)) } }
            switch start {
            case .zeros: base = Array(repeating: 0, count: nz)
            case .random:
                var generator = SeededGenerator(seed: seed)
                base = ranges.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * generator.nextUnitFloat() }
            case .sample(let n):
                let (encoding, image) = try encode(sample: n, model: model, dataset: dataset())
                base = encoding.continuous.data
                sampleImage = image
            }
        }

        // One batch: row-major over (latent, value), then the base code itself.
        let decoded: Decoding
        if let baseCode {
            let codes = latents.flatMap { j in (0..<nv).map { v -> [Int] in var c = baseCode; c[j] = v; return c } }
            decoded = model.decode(codes: codes + [baseCode])
        } else {
            var data: [Float] = []
            for j in latents { for v in 0..<nv { var z = base; z[j] = columnValues[j][v]; data += z } }
            decoded = model.decode(values: Tensor(shape: [latents.count * nv + 1, nz], data: data + base))
        }
        let decodedImages = RenderImage.batch(planar: decoded.images.data, shape: decoded.images.shape)
        let images = latents.indices.map { row in Array(decodedImages[(row * nv)..<((row + 1) * nv)]) }
        return Traversal(values: latents.map { columnValues[$0] }, images: images,
                         baseImage: sampleImage ?? decodedImages[latents.count * nv],
                         baseColumns: latents.map { j in baseCode.map { $0[j] } })
    }

    /// Dataset image `n` encoded, and the image itself.
    static func encode(sample n: Int, model: QLAE, dataset: any FactorDataset) throws -> (Encoding, RenderImage) {
        guard n < dataset.count else {
            throw FlagError.badValue(flag: "--from sample", expected: "an image index 0…\(dataset.count - 1) of \(dataset.name)",
                                     found: "\(n)")
        }
        let images = try dataset.images(at: [n])
        return (model.encode(images), RenderImage.batch(planar: images.data, shape: images.shape)[0])
    }

    /// Per latent, [min, max] of the encoder's output on 256 seeded dataset images.
    static func latentRanges(model: QLAE, seed: UInt64, dataset: any FactorDataset) throws -> [ClosedRange<Float>] {
        let continuous = model.encode(try dataset.images(at: sampleIndices(count: 256, of: dataset.count, seed: seed))).continuous
        let nz = model.config.latent.count
        return (0..<nz).map { j in
            let column = stride(from: j, to: continuous.count, by: nz).map { continuous.data[$0] }
            let lo = column.min()!, hi = column.max()!
            return lo < hi ? lo...hi : (lo - 1)...(hi + 1)
        }
    }
}
