import QLXIO

extension Checkpoint {
    /// No size in a configuration may exceed this (a million channels, pixels per side, …).
    public static let maximumSize = 1 << 20
    /// No layer list may be longer than this.
    public static let maximumBlocks = 256

    /// Refuses configurations whose sizes would overflow Int when the architecture is derived
    /// (a checkpoint's config is untrusted input; an overflow would trap, not throw). Follows
    /// the feature-map size through every conv and transposed conv with bounded arithmetic.
    /// Whether the sizes make a *consistent* model is `QLAE.parameterShapes`'s job.
    static func checkBounds(_ config: QLAEConfig, path: String?) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfig(path: path, reason: reason) }
        func within(_ value: Int, _ what: String) throws {
            guard (0...maximumSize).contains(value) else {
                throw fail("\(what) is \(value), expected 0…\(maximumSize)")
            }
        }
        func check(_ stack: ConvStackConfig, _ what: String) throws {
            for (name, values) in [("width", stack.widths), ("kernel size", stack.kernelSizes),
                                   ("stride", stack.strides), ("padding", stack.paddings)] {
                guard values.count <= maximumBlocks else {
                    throw fail("\(what) has \(values.count) \(name)s, expected at most \(maximumBlocks)")
                }
                for (i, value) in values.enumerated() { try within(value, "\(what) block \(i) \(name)") }
            }
        }
        func checkDense(_ widths: [Int], _ what: String) throws {
            guard widths.count <= maximumBlocks else {
                throw fail("\(what) has \(widths.count) layers, expected at most \(maximumBlocks)")
            }
            for (i, width) in widths.enumerated() { try within(width, "\(what) width \(i)") }
        }
        let dataset = config.dataset
        guard dataset.factorNames.count == dataset.factorSizes.count else {
            throw fail("dataset \(quoted(dataset.name)) has \(dataset.factorNames.count) factor names and \(dataset.factorSizes.count) factor sizes, expected as many of each")
        }
        guard dataset.factorSizes.count <= maximumBlocks else {
            throw fail("dataset \(quoted(dataset.name)) has \(dataset.factorSizes.count) factors, expected at most \(maximumBlocks)")
        }
        for (name, size) in zip(dataset.factorNames, dataset.factorSizes) where !(1...maximumSize).contains(size) {
            throw fail("dataset factor \(quoted(name)) has size \(size), expected 1…\(maximumSize)")
        }
        try within(config.image.channels, "image channels")
        try within(config.image.height, "image height")
        try within(config.image.width, "image width")
        try within(config.latent.count, "latent count")
        try within(config.latent.valuesPerLatent, "values per latent")
        try check(config.encoder.conv, "encoder conv")
        try checkDense(config.encoder.denseWidths, "encoder dense")
        try check(config.decoder.convTranspose, "decoder conv-transpose")
        try checkDense(config.decoder.denseWidths, "decoder dense")
        if let channels = config.decoder.inputChannels { try within(channels, "decoder input channels") }

        // Map sizes (the larger side bounds both: the formulas grow with their input). Every
        // factor is ≤ 2^20, so one step cannot overflow, and keeping each side ≤ 2^20 keeps
        // the next step safe too. Stacks of unequal list lengths are reported later.
        var side = max(config.image.height, config.image.width)
        let conv = config.encoder.conv
        for i in conv.widths.indices where i < conv.kernelSizes.count && i < conv.strides.count && i < conv.paddings.count {
            guard conv.strides[i] > 0 else { return }
            side = max(0, side + 2 * conv.paddings[i] - conv.kernelSizes[i]) / conv.strides[i] + 1
            try within(side, "encoder conv block \(i) output side")
        }
        let transpose = config.decoder.convTranspose
        for i in transpose.widths.indices where i < transpose.kernelSizes.count && i < transpose.strides.count && i < transpose.paddings.count {
            side = max(0, side - 1) * transpose.strides[i] + transpose.kernelSizes[i]
            try within(side, "decoder conv-transpose block \(i) output side")
        }
    }
}
