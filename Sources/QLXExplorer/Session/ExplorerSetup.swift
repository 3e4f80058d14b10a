import Foundation
import QLXData
import QLXModel
import QLXRender

/// Builds a session from a checkpoint file: the model, its dataset (for samples and
/// metrics), the stored metrics, and the background evaluation.
public enum ExplorerSetup {
    public struct Options: Sendable {
        public var checkpointPath: String
        /// The checkpoint already loaded (e.g. a reference run); nil: read `checkpointPath`.
        public var checkpoint: Checkpoint?
        /// nil: the dataset named in the checkpoint (skipped quietly if qlx does not know it).
        public var datasetName: String?
        /// Samples for the background metrics; 0 turns them off, and so does a stored report
        /// on at least this many samples.
        public var metricSamples: Int
        public var seed: UInt64
        public var exportDirectory: String
        /// Continuous models: how many quantiles of each latent's encoded values to step through.
        public var values: Int

        public init(checkpointPath: String, checkpoint: Checkpoint? = nil, datasetName: String? = nil, metricSamples: Int = 2_000, seed: UInt64 = 0,
                    exportDirectory: String = FileManager.default.currentDirectoryPath, values: Int = 10) {
            self.checkpointPath = checkpointPath
            self.checkpoint = checkpoint
            self.datasetName = datasetName
            self.metricSamples = metricSamples
            self.seed = seed
            self.exportDirectory = exportDirectory
            self.values = values
        }
    }

    public static func session(_ options: Options) throws -> ExplorerSession {
        let checkpoint = try options.checkpoint ?? Checkpoint.read(from: options.checkpointPath)
        let config = checkpoint.config
        let encoderModel = try checkpoint.model()
        let dataset = try matchingDataset(options.datasetName, config: config)
        // Continuous latents step through quantiles of their encoded values; metrics stay
        // on the continuous model (the continuous estimator).
        let model: QLAE
        if config.latent.quantized {
            model = encoderModel
        } else {
            guard let dataset else {
                throw ExplorerError.emptyModel(reason: "\(options.checkpointPath) has continuous latents and qlx has no dataset \(config.dataset.name) to place their values at quantiles; pass --dataset or use `qlx traverse`")
            }
            model = try QuantileCodebooks.model(encoderModel, dataset: dataset, values: options.values,
                                                samples: 2_000, seed: options.seed)
        }
        var state = ExplorerState(
            checkpointName: (options.checkpointPath as NSString).lastPathComponent,
            datasetName: dataset?.name ?? config.dataset.name,
            factorNames: config.dataset.factorNames, codebooks: model.codebooks,
            sampleCount: dataset?.count ?? 0, unicode: true,
            renderModes: [.halfBlock], colorDepths: [.palette256],
            imageWidth: config.image.width, imageHeight: config.image.height, seed: options.seed)
        let stored = storedMetrics(checkpoint)
        state.metrics = stored
        // A stored report on at least as many samples stays: a smaller live sample is the
        // worse estimate (InfoE's in-sample regression reads high on few samples), and
        // replacing the model card's figures with it would contradict them.
        let job = dataset.flatMap { options.metricSamples > (stored?.samples ?? 0)
            ? backgroundMetrics(model: encoderModel, dataset: $0, samples: options.metricSamples, seed: options.seed) : nil }
        return ExplorerSession(state: state, source: ModelImageSource(model: model, dataset: dataset),
                               metricsJob: job, exportDirectory: options.exportDirectory)
    }

    /// The dataset to sample from: the one asked for (an error if unknown or if its images do
    /// not fit the model), else the checkpoint's if qlx knows it.
    static func matchingDataset(_ name: String?, config: QLAEConfig) throws -> (any FactorDataset)? {
        let dataset: any FactorDataset
        if let name {
            dataset = try Datasets.named(name)
        } else if let known = try? Datasets.named(config.dataset.name) {
            dataset = known
        } else {
            return nil
        }
        guard dataset.imageShape == config.image else {
            if name == nil { return nil }
            throw ExplorerError.emptyModel(reason: "--dataset \(dataset.name) has \(dataset.imageShape.channels)×\(dataset.imageShape.height)×\(dataset.imageShape.width) images, the model expects \(config.image.channels)×\(config.image.height)×\(config.image.width)")
        }
        return dataset
    }
}
