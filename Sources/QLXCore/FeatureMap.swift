/// Activations inside the convolutional networks, stored channel-major: element (n, c, y, x)
/// lives at ((c·N + n)·H + y)·W + x. With this layout one matrix product covers a whole batch
/// (weights [Cout, Cin·k·k] × columns [Cin·k·k, N·Ho·Wo] gives [Cout, N·Ho·Wo], which is the
/// next layer's input as it stands) and no transposition is needed between layers.
/// Public APIs take and return (N, C, H, W) `Tensor`s; convert at the network's edges.
public struct FeatureMap: Sendable, Equatable {
    public var channels: Int
    public var batch: Int
    public var height: Int
    public var width: Int
    public var data: [Float]

    public init(channels: Int, batch: Int, height: Int, width: Int, data: [Float]) {
        precondition(data.count == channels * batch * height * width,
                     "feature map \(channels)×\(batch)×\(height)×\(width) needs \(channels * batch * height * width) elements, got \(data.count)")
        self.channels = channels
        self.batch = batch
        self.height = height
        self.width = width
        self.data = data
    }

    public init(zerosChannels channels: Int, batch: Int, height: Int, width: Int) {
        self.init(channels: channels, batch: batch, height: height, width: width,
                  data: [Float](repeating: 0, count: channels * batch * height * width))
    }

    /// Number of spatial positions of one image in one channel.
    public var planeSize: Int { height * width }
    public var count: Int { data.count }

    /// From an (N, C, H, W) tensor.
    public init(nchw tensor: Tensor) {
        precondition(tensor.rank == 4, "expected an (N, C, H, W) tensor, got shape \(tensor.shape)")
        let (n, c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
        self.init(channels: c, batch: n, height: h, width: w,
                  data: Layout.swapLeadingAxes(tensor.data, first: n, second: c, inner: h * w))
    }

    /// As an (N, C, H, W) tensor.
    public func nchw() -> Tensor {
        Tensor(shape: [batch, channels, height, width],
               data: Layout.swapLeadingAxes(data, first: channels, second: batch, inner: planeSize))
    }
}

/// Memory layout changes.
public enum Layout {
    /// Reinterprets `values` as [first][second][inner] and returns [second][first][inner].
    public static func swapLeadingAxes(_ values: [Float], first: Int, second: Int, inner: Int) -> [Float] {
        precondition(values.count == first * second * inner)
        if first == 1 || second == 1 { return values }
        return [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { src in
                for a in 0..<first {
                    for b in 0..<second {
                        let from = (a * second + b) * inner
                        let to = (b * first + a) * inner
                        (out.baseAddress! + to).initialize(from: src.baseAddress! + from, count: inner)
                    }
                }
            }
            initialized = values.count
        }
    }
}
