import Foundation
import QLXCore
import QLXData
import QLXModel

/// A reference run opened as a qlx model: where it was found, what its config describes, and
/// the `QLAE` holding its weights (VAE: the mean half of the encoder head; QuantizedInfoGAN:
/// the critic's latent head as encoder, the generator as decoder).
public struct ReferenceRun: Sendable {
    public let location: RunFolder
    public let spec: ReferenceModelSpec
    public let model: QLAE

    public init(path: String, step: Int? = nil, config: String? = nil) throws {
        var location = try RunFolder(path: path, step: step, config: config)
        let (spec, configFile) = try Self.spec(from: location.configFiles)
        if configFile != location.configFile {
            location.notes.append("\(location.configFile) does not describe the model; read \(configFile) instead")
            location.configFile = configFile
        }
        self.location = location
        self.spec = spec
        let records: [NpyArray]
        do {
            records = try EqxFile.read(path: location.modelFile)
        } catch let error as ReferenceError where step == nil {
            throw Self.unreadableNewestStep(error, location: location, path: path) ?? error
        }
        self.model = try Self.model(spec: spec, records: records, path: location.modelFile, configPath: configFile)
    }

    /// The spec of the nearest config that describes a model, and that config's path. A config
    /// passed over is one that cannot be read or lacks the model's keys (a wandb file brought
    /// back without them, say); one naming a model qlx does not support stops the search. When
    /// none describes a model, the nearest one's error.
    static func spec(from configs: [String]) throws -> (ReferenceModelSpec, String) {
        var nearestError: ReferenceError?
        for file in configs {
            do {
                return (try ReferenceModelSpec(config: ReferenceConfig(path: file)), file)
            } catch let error as ReferenceError {
                switch error {
                case .unreadableConfig, .missingConfigKey, .badConfigValue: nearestError = nearestError ?? error
                default: throw error
                }
            }
        }
        guard let nearestError else { preconditionFailure("RunFolder finds at least one config") }
        throw nearestError
    }

    /// A newest step whose records do not read (a save cut short, or still under way) as the
    /// error `RunFolder` gives a newest step it cannot open at all, naming the newest earlier
    /// step whose records read, which `--step` opens.
    static func unreadableNewestStep(_ error: ReferenceError, location: RunFolder, path: String) -> ReferenceError? {
        guard case .unreadableRecords(_, let reason) = error, let step = location.step,
              step == location.steps.last, location.steps.count > 1 else { return nil }
        let folder = URL(fileURLWithPath: location.modelFile).deletingLastPathComponent().deletingLastPathComponent()
        // Newest first, stopping at the first that reads (each is read whole).
        let readable = location.steps.dropLast().reversed().first { earlier in
            (try? EqxFile.read(path: folder.appendingPathComponent("step=\(earlier)/model.eqx").path)) != nil
        }
        return .newestStepUnreadable(path: path, step: step, reason: "is not a readable .eqx file (\(reason))", readable: readable)
    }

    /// Checks `records` against the spec's leaf order and builds the model.
    static func model(spec: ReferenceModelSpec, records: [NpyArray], path: String, configPath: String) throws -> QLAE {
        let leaves = try ReferenceLayout.leaves(for: spec)
        if !fits(records, leaves), let count = try latentCount(of: records, spec: spec) {
            throw ReferenceError.latentCount(path: path, config: configPath, found: count, expected: spec.config.latent.count)
        }
        if records.count < leaves.count {
            throw ReferenceError.recordCount(path: path, expected: leaves.count, found: records.count)
        }
        if records.count > leaves.count { throw ReferenceError.tooManyRecords(path: path, expected: leaves.count) }
        var parameters: [String: Tensor] = [:]
        var codebooks = [[Float]](repeating: [], count: spec.config.latent.count)
        for (index, (leaf, record)) in zip(leaves, records).enumerated() {
            func mismatch(_ expected: String) -> ReferenceError {
                .recordMismatch(path: path, index: index, leaf: leaf.path, expected: expected, found: describe(record))
            }
            switch leaf.record {
            case .float32(let shape):
                guard record.dtype.dropFirst() == "f4", record.shape == shape, case .float64(let values) = record.values
                else { throw mismatch("float32 \(shape)") }
                let data = values.map(Float.init)
                switch leaf.target {
                case .parameter(let name):
                    parameters[name] = Tensor(shape: shape, data: data)
                case .transposed(let name):
                    parameters[name] = Tensor(shape: [shape[1], shape[0]] + shape[2...],
                                              data: swapLeadingAxesFlippingKernel(data, shape: shape))
                case .codebook(let j):
                    codebooks[j] = data
                case .leadingRows(let name, let rows):
                    let inner = shape.dropFirst().reduce(1, *)
                    parameters[name] = Tensor(shape: [rows] + shape.dropFirst(), data: Array(data[0..<(rows * inner)]))
                case .none:
                    break
                }
            case .int(let expected):
                guard record.shape.isEmpty, record.dtype.dropFirst().first.map({ "iu".contains($0) }) == true,
                      case .int64(let v) = record.values
                else { throw mismatch(expected.map { "int scalar \($0)" } ?? "int scalar") }
                if let expected, v[0] != Int64(expected) { throw mismatch("int scalar \(expected)") }
            case .bool(let expected):
                guard record.shape.isEmpty, record.dtype.hasSuffix("b1"), case .int64(let v) = record.values
                else { throw mismatch(expected.map { "bool scalar \($0)" } ?? "bool scalar") }
                if let expected, (v[0] != 0) != expected { throw mismatch("bool scalar \(expected)") }
            }
        }
        if spec.family.isQuantized, let codebookLeaf = try QLAE.moduleTree(for: spec.config).latent {
            parameters[codebookLeaf.path.name] = Tensor(shape: [spec.config.latent.count, spec.config.latent.valuesPerLatent],
                                                 data: Array(codebooks.joined()))
        }
        do {
            return try QLAE(config: spec.config, parameters: parameters)
        } catch {
            throw ReferenceError.invalidModel(path: path, reason: "\(error)")
        }
    }

    /// Whether `records` have the count, kinds and shapes of `leaves` (values unchecked).
    static func fits(_ records: [NpyArray], _ leaves: [ReferenceLeaf]) -> Bool {
        guard records.count == leaves.count else { return false }
        return zip(leaves, records).allSatisfy { leaf, record in
            switch leaf.record {
            case .float32(let shape): return record.dtype.dropFirst() == "f4" && record.shape == shape
            case .int: return record.shape.isEmpty && record.dtype.dropFirst().first.map { "iu".contains($0) } == true
            case .bool: return record.shape.isEmpty && record.dtype.hasSuffix("b1")
            }
        }
    }

    /// The latent count other than the config's for which `records` fit the model, if any:
    /// a checkpoint read with another run's config.
    static func latentCount(of records: [NpyArray], spec: ReferenceModelSpec) throws -> Int? {
        for count in 1...maximumLatentGuess where count != spec.config.latent.count {
            let leaves = try ReferenceLayout.leaves(for: spec.withLatentCount(count))
            // A quantized latent adds leaves per latent, so past the record count nothing fits.
            if leaves.count > records.count { return nil }
            if fits(records, leaves) { return count }
        }
        return nil
    }

    /// The most latents tried when naming a checkpoint's own count (the reference's runs use
    /// at most a few dozen).
    static let maximumLatentGuess = 512

    private static func describe(_ record: NpyArray) -> String {
        let kind: String
        switch record.dtype.dropFirst() {
        case "f4": kind = "float32"
        case "f8": kind = "float64"
        case "f2": kind = "float16"
        case "i8": kind = "int64"
        case "i4": kind = "int32"
        case "b1": kind = "bool"
        default: kind = record.dtype
        }
        if record.shape.isEmpty {
            let value: String
            switch record.values {
            case .int64(let v): value = kind == "bool" ? String(v[0] != 0) : String(v[0])
            case .float64(let v): value = String(v[0])
            }
            return "\(kind) scalar \(value)"
        }
        return "\(kind) \(record.shape)"
    }

    /// Equinox's transposed-conv weight [out, in, kH, kW] → qlx's (PyTorch's) [in, out, kH, kW]
    /// with the kernel rotated by 180°: Equinox applies its weight as the flipped kernel of a
    /// dilated convolution, PyTorch's layout scatters it unflipped.
    private static func swapLeadingAxesFlippingKernel(_ data: [Float], shape: [Int]) -> [Float] {
        let (a, b) = (shape[0], shape[1])
        let inner = shape.dropFirst(2).reduce(1, *)
        var out = [Float](repeating: 0, count: data.count)
        for i in 0..<a {
            for j in 0..<b {
                let src = (i * b + j) * inner, dst = (j * a + i) * inner
                for k in 0..<inner { out[dst + k] = data[src + inner - 1 - k] }
            }
        }
        return out
    }
}
