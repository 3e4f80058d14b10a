import QLXCore

/// Latent quantization: latent j has its own scalar codebook (row j of `latent.values`,
/// [n_z, n_v]); each continuous value is replaced by the nearest value of its own codebook by
/// absolute distance (ties go to the lower index).
public enum Quantizer {
    /// continuous (N, n_z) → quantized values (N, n_z) and the chosen indices.
    public static func quantize(_ continuous: Tensor, codebooks: Tensor) -> (values: Tensor, codes: [[Int]]) {
        let (n, nz) = (continuous.shape[0], continuous.shape[1])
        precondition(codebooks.rank == 2 && codebooks.shape[0] == nz)
        let nv = codebooks.shape[1]
        var values = continuous
        var codes = [[Int]](repeating: [Int](repeating: 0, count: nz), count: n)
        for i in 0..<n {
            for j in 0..<nz {
                let x = continuous.data[i * nz + j]
                var best = 0
                var bestDistance = Float.infinity
                for k in 0..<nv {
                    let distance = abs(x - codebooks.data[j * nv + k])
                    if distance < bestDistance { bestDistance = distance; best = k }
                }
                codes[i][j] = best
                values.data[i * nz + j] = codebooks.data[j * nv + best]
            }
        }
        return (values, codes)
    }

    /// N codes → their values (N, n_z). Indices must be in range.
    public static func values(of codes: [[Int]], codebooks: Tensor) -> Tensor {
        let (nz, nv) = (codebooks.shape[0], codebooks.shape[1])
        var out = Tensor(zeros: [codes.count, nz])
        for (i, code) in codes.enumerated() {
            precondition(code.count == nz, "code \(i) has \(code.count) indices, expected \(nz)")
            for (j, k) in code.enumerated() {
                precondition(k >= 0 && k < nv, "code \(i) latent \(j): index \(k) outside 0..<\(nv)")
                out.data[i * nz + j] = codebooks.data[j * nv + k]
            }
        }
        return out
    }
}

extension Quantizer {
    /// Refuses codebooks ([n_z, n_v]) whose values span more than a Float holds. Every value
    /// may be finite (±3e38) while its latent's span, max − min, overflows to infinity, and
    /// each ruler, axis and figure that places a value between its latent's smallest and
    /// largest divides by that span: the position becomes NaN, and converting it to a column
    /// traps. Values must lie within ±`largestValue`, so that no span can overflow.
    public static func checkSpans(_ codebooks: Tensor, name: String, path: String?) throws {
        let nv = codebooks.shape[1]
        for latent in 0..<codebooks.shape[0] {
            let row = codebooks.data[(latent * nv)..<((latent + 1) * nv)]
            if let value = row.first(where: { !(abs($0) <= largestValue) }) {
                throw ModelError.codebookTooWide(path: path, name: name, latent: latent, value: value)
            }
        }
    }

    /// The largest magnitude of a codebook value: half of Float's range.
    public static let largestValue = Float.greatestFiniteMagnitude / 2
}
