// Shape key for the whole of qlx: N batch, C channels, H×W spatial; images are (N, C, H, W),
// dense activations (N, F); Linear weights [out, in]; conv weights [out, in, kH, kW];
// transposed-conv weights [in, out, kH, kW] as in PyTorch (Equinox stores them [out, in, kH, kW]
// with a flipped kernel; checkpoints use the PyTorch layout, see docs/checkpoint-format.md).

/// A dense, row-major Float32 tensor. A value type: copies are cheap until written (CoW arrays).
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The same elements under a new shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    public var description: String { "Tensor\(shape)" }
}
