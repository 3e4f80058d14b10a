/// Fully connected layer: input (N, in) → output (N, out) = input · Wᵀ + b, weight [out, in],
/// bias [out] (optional).
public struct Linear: Sendable, Equatable {
    public var inFeatures: Int
    public var outFeatures: Int

    public init(inFeatures: Int, outFeatures: Int) {
        precondition(inFeatures > 0 && outFeatures > 0)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    public var weightShape: [Int] { [outFeatures, inFeatures] }

    /// input (N, in) → (N, out).
    public func forward(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inFeatures, "linear expects (N, \(inFeatures)), got \(input.shape)")
        precondition(weight.shape == weightShape, "linear weight shape \(weight.shape), expected \(weightShape)")
        let n = input.shape[0]
        let count = n * outFeatures
        let out = [Float](unsafeUninitializedCapacity: count) { y, initialized in
            let y = y.baseAddress!
            if let bias {
                precondition(bias.shape == [outFeatures])
                bias.data.withUnsafeBufferPointer { b in
                    for row in 0..<n { (y + row * outFeatures).initialize(from: b.baseAddress!, count: outFeatures) }
                }
            }
            input.data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    Gemm.multiply(x.baseAddress!, w.baseAddress!, transposeB: true, into: y,
                                  m: n, n: outFeatures, k: inFeatures, beta: bias == nil ? 0 : 1)
                }
            }
            initialized = count
        }
        return Tensor(shape: [n, outFeatures], data: out)
    }

    /// Gradients of `forward`: dInput (N, in) = dOutput · W, dWeight = dOutputᵀ · input,
    /// dBias = column sums of dOutput.
    public func backward(input: Tensor, weight: Tensor, dOutput: Tensor,
                         computeInputGradient: Bool = true) -> (dInput: Tensor?, dWeight: Tensor, dBias: Tensor) {
        let n = input.shape[0]
        precondition(dOutput.shape == [n, outFeatures])
        var dWeight = [Float](repeating: 0, count: outFeatures * inFeatures)
        var dBias = [Float](repeating: 0, count: outFeatures)
        var dInput: [Float]? = nil
        dOutput.data.withUnsafeBufferPointer { dy in
            input.data.withUnsafeBufferPointer { x in
                dWeight.withUnsafeMutableBufferPointer { dw in
                    Gemm.multiply(dy.baseAddress!, transposeA: true, x.baseAddress!, into: dw.baseAddress!,
                                  m: outFeatures, n: inFeatures, k: n)
                }
            }
            dBias.withUnsafeMutableBufferPointer { db in
                for row in 0..<n {
                    let r = dy.baseAddress! + row * outFeatures
                    for j in 0..<outFeatures { db[j] += r[j] }
                }
            }
            if computeInputGradient {
                dInput = [Float](unsafeUninitializedCapacity: n * inFeatures) { dx, count in
                    weight.data.withUnsafeBufferPointer { w in
                        Gemm.multiply(dy.baseAddress!, w.baseAddress!, into: dx.baseAddress!,
                                      m: n, n: inFeatures, k: outFeatures)
                    }
                    count = n * inFeatures
                }
            }
        }
        return (dInput.map { Tensor(shape: [n, inFeatures], data: $0) },
                Tensor(shape: weightShape, data: dWeight), Tensor(shape: [outFeatures], data: dBias))
    }

    // MARK: Plain-loop reference (Double accumulation), for tests

    public func referenceForward(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let n = input.shape[0]
        var out = Tensor(zeros: [n, outFeatures])
        for row in 0..<n {
            for o in 0..<outFeatures {
                var sum = Double(bias?.data[o] ?? 0)
                for i in 0..<inFeatures {
                    sum += Double(input.data[row * inFeatures + i]) * Double(weight.data[o * inFeatures + i])
                }
                out.data[row * outFeatures + o] = Float(sum)
            }
        }
        return out
    }

    public func referenceBackward(input: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor) {
        let n = input.shape[0]
        var dIn = [Double](repeating: 0, count: input.count)
        var dW = [Double](repeating: 0, count: weight.count)
        var dB = [Double](repeating: 0, count: outFeatures)
        for row in 0..<n {
            for o in 0..<outFeatures {
                let g = Double(dOutput.data[row * outFeatures + o])
                dB[o] += g
                for i in 0..<inFeatures {
                    dIn[row * inFeatures + i] += g * Double(weight.data[o * inFeatures + i])
                    dW[o * inFeatures + i] += g * Double(input.data[row * inFeatures + i])
                }
            }
        }
        return (Tensor(shape: input.shape, data: dIn.map(Float.init)),
                Tensor(shape: weight.shape, data: dW.map(Float.init)),
                Tensor(shape: [outFeatures], data: dB.map(Float.init)))
    }
}
