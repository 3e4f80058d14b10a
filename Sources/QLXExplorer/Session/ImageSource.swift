import Foundation
import QLXCore
import QLXData
import QLXModel
import QLXRender

/// A dataset image with its code and factors, as `n`/`p` show it.
public struct DatasetSample: Sendable {
    public var image: RenderImage
    public var code: [Int]
    public var factors: [Int]
    public init(image: RenderImage, code: [Int], factors: [Int]) {
        self.image = image
        self.code = code
        self.factors = factors
    }
}

/// Where the session gets pixels: a decoder for codes and, optionally, a dataset whose
/// samples it can encode. The real explorer uses `ModelImageSource`; tests can use a fake.
/// `decode` may run on a background thread (see DecodeWorker).
public protocol ImageSource: AnyObject, Sendable {
    /// Decodes `codes` in one batch, one image per code.
    func decode(codes: [[Int]]) -> [RenderImage]
    /// Number of dataset samples (0 when there is no dataset).
    var sampleCount: Int { get }
    /// Dataset sample `index` (0..<sampleCount): its image, encoded code and factors; throws
    /// when the dataset file cannot give that image.
    func sample(at index: Int) throws -> DatasetSample
    /// Replaces the codebooks of the models whose entry is not nil (one entry per model:
    /// the first, then a second shown beside it), keeping their sizes. Called only while no
    /// decode or encode runs.
    func replaceCodebooks(_ tables: [[[Float]]?]) throws
}

extension ImageSource {
    public func replaceCodebooks(_ tables: [[[Float]]?]) throws {}
}

/// Decodes with a QLAE model; encodes samples of its dataset.
public final class ModelImageSource: ImageSource, @unchecked Sendable {
    /// Replaced only by `replaceCodebooks`, which the session calls while the worker is idle;
    /// the lock makes the swap itself safe.
    public var model: QLAE { lock.withLock { current } }
    private var current: QLAE
    private let lock = NSLock()
    public let dataset: (any FactorDataset)?

    public init(model: QLAE, dataset: (any FactorDataset)?) {
        precondition(model.config.latent.quantized, "the explorer needs a quantized model")
        self.current = model
        self.dataset = dataset
    }

    public func replaceCodebooks(_ tables: [[[Float]]?]) throws {
        guard let table = tables.first ?? nil else { return }
        let replaced = try QuantileCodebooks.model(model, codebooks: table)
        lock.withLock { current = replaced }
    }

    public func decode(codes: [[Int]]) -> [RenderImage] {
        guard !codes.isEmpty else { return [] }
        let images = model.decode(codes: codes).images
        return RenderImage.batch(planar: images.data, shape: images.shape)
    }

    public var sampleCount: Int { dataset?.count ?? 0 }

    public func sample(at index: Int) throws -> DatasetSample {
        guard let dataset else { preconditionFailure("no dataset") }
        let images = try dataset.images(at: [index])
        let code = model.encode(images).codes[0]
        return DatasetSample(image: RenderImage.batch(planar: images.data, shape: images.shape)[0], code: code,
                             factors: dataset.factors(at: index))
    }
}

/// Decoded images by code, least recently used out first.
struct ImageCache {
    let capacity: Int
    private var images: [[Int]: RenderImage] = [:]
    private var lastUse: [[Int]: Int] = [:]
    private var clock = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func image(for code: [Int]) -> RenderImage? {
        guard let image = images[code] else { return nil }
        clock += 1
        lastUse[code] = clock
        return image
    }

    mutating func insert(_ image: RenderImage, for code: [Int]) {
        if images.count >= capacity, images[code] == nil {
            // Evict the oldest quarter in one go, so eviction is rare.
            let oldest = lastUse.sorted { $0.value < $1.value }.prefix(max(1, capacity / 4))
            for (key, _) in oldest {
                images[key] = nil
                lastUse[key] = nil
            }
        }
        clock += 1
        images[code] = image
        lastUse[code] = clock
    }

    var count: Int { images.count }
}
