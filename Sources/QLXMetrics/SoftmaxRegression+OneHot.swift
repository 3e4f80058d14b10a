import Foundation

/// The objective of a regression on one-hot codes, in a single pass per sample so nothing of
/// size samples × classes goes through memory.
///
/// exp(z_ik) = exp(b_k) · Π_pairs exp(T_p[row, k]): the exponentials are taken once per
/// evaluation on the small pair tables (shifted by their column maxima so every factor is
/// ≤ 1), and each sample multiplies gathered rows instead of calling exp. A sample whose
/// products underflow (logits far below every column maximum) takes the log-domain path.
///
/// What does not change between evaluations leaves the per-sample loop: the label terms
/// Σ_i w_i·z_{i,y_i} and −Σ_i w_i·onehot(y_i) are products of the tables with constant
/// per-table label weights, and Σ_i w_i·log(sum_i) is taken as one log per class of a running
/// product (mantissa and exponent apart, so it cannot overflow).
///
/// The per-sample loops are memory-bound (loads and stores of table rows that live in L2),
/// so they are fused: one pass multiplies up to `fusedRows` gathered rows and sums, one pass
/// scales the probabilities and adds them into up to `fusedRows` gradient rows. Table rows
/// are padded to whole SIMD4 vectors (padding factors are 0, so they add nothing to sums).
extension SoftmaxRegression {
    /// Rows gathered (or scattered) per pass over a sample's classes: more rows per pass
    /// mean fewer loads and stores of the running row; six keep the loop within registers.
    static let fusedRows = 6

    /// Buffers of the one-hot objective, allocated once per fit, and the label weights.
    final class OneHotWorkspace {
        /// Weight columns (classes, or 1 for two classes) and their padded row stride.
        let columns: Int
        let stride: Int
        let tableSize: Int
        /// Pair tables: summed weights, their shifted exponentials, and their gradients;
        /// table rows × stride each.
        let logits: UnsafeMutablePointer<Double>
        let factors: UnsafeMutablePointer<Double>
        let gradients: UnsafeMutablePointer<Double>
        /// −Σ w_i/Σw over the samples in each table row whose label column is k: the one-hot
        /// part of the residuals, which is also the label part of the loss.
        let negativeLabelWeights: UnsafeMutablePointer<Double>
        /// Σ w_i/Σw over the samples whose label column is k (the intercepts' share).
        let biasLabelWeights: UnsafeMutablePointer<Double>
        /// w_c / Σw for each class c: a sample's share of the loss.
        let classScale: [Double]
        /// exp(b_k + Σ_p max_r T_p[r, k] − shift); then column maxima, and a sample's row.
        let columnScale: UnsafeMutablePointer<Double>
        let row: UnsafeMutablePointer<Double>
        /// A sample's gathered factor and gradient rows, one per pair.
        let factorRows: UnsafeMutablePointer<UnsafePointer<Double>>
        let gradientRows: UnsafeMutablePointer<UnsafeMutablePointer<Double>>

        init(regression: SoftmaxRegression, codes: OneHotCodes) {
            columns = regression.freeClasses
            stride = (columns + 3) / 4 * 4
            tableSize = codes.tableRows * stride
            func zeros(_ count: Int) -> UnsafeMutablePointer<Double> {
                let buffer = UnsafeMutablePointer<Double>.allocate(capacity: count)
                buffer.initialize(repeating: 0, count: count)
                return buffer
            }
            logits = zeros(tableSize)
            factors = zeros(tableSize)
            gradients = zeros(tableSize)
            negativeLabelWeights = zeros(tableSize)
            biasLabelWeights = zeros(stride)
            columnScale = zeros(stride)
            row = zeros(stride)
            factorRows = .allocate(capacity: codes.pairs.count)
            factorRows.initialize(repeating: UnsafePointer(factors), count: codes.pairs.count)
            gradientRows = .allocate(capacity: codes.pairs.count)
            gradientRows.initialize(repeating: gradients, count: codes.pairs.count)

            classScale = regression.classWeights.map { $0 / regression.weightSum }
            let pinned = regression.classes == 2, pairCount = codes.pairs.count
            for i in 0..<regression.rows {
                let target = Int(regression.labels[i]) - (pinned ? 1 : 0)
                guard target >= 0 else { continue }
                let scale = regression.sampleWeights[i] / regression.weightSum
                biasLabelWeights[target] += scale
                for p in 0..<pairCount {
                    negativeLabelWeights[Int(codes.pairIndices[i * pairCount + p]) * stride + target] -= scale
                }
            }
        }

        deinit {
            for buffer in [logits, factors, gradients, negativeLabelWeights, biasLabelWeights, columnScale, row] {
                buffer.deallocate()
            }
            factorRows.deallocate()
            gradientRows.deallocate()
        }
    }

    /// Σ_i w_i·log(s_i) for one class as log(Π s_i): the product's mantissa stays in [1, 2)
    /// and its binary exponent is counted apart, so no sum of n samples can overflow.
    struct LogProduct {
        var mantissa = 1.0
        var exponent = 0
        var count = 0

        /// s must be a normal positive number.
        @inline(__always)
        mutating func multiply(by s: Double) {
            let bits = s.bitPattern
            exponent += Int((bits >> 52) & 0x7ff) - 1023
            mantissa *= Double(bitPattern: (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
            if mantissa >= 2 {
                mantissa *= 0.5
                exponent += 1
            }
            count += 1
        }

        var logarithm: Double { log(mantissa) + Double(exponent) * M_LN2 }
    }

    /// The weighted mean loss at θ and its gradient, for one-hot codes.
    func oneHotObjective(_ theta: [Double], codes: OneHotCodes, gradient: inout [Double],
                         workspace ws: OneHotWorkspace) -> Double {
        let c = freeClasses, f = design.features, stride = ws.stride, pairCount = codes.pairs.count
        let pinned = classes == 2
        var logProducts = [LogProduct](repeating: LogProduct(), count: classes)
        var logSumExpTotal = 0.0
        var labelTotal = 0.0
        theta.withUnsafeBufferPointer { theta in
            codes.pairIndices.withUnsafeBufferPointer { idx in
                labels.withUnsafeBufferPointer { labels in
                    logProducts.withUnsafeMutableBufferPointer { logProducts in
                        let w = theta.baseAddress!, bias = w + f * c
                        codes.fillTables(weights: w, columns: c, into: ws.logits, stride: stride)
                        let shift = fillFactors(bias: bias, codes: codes, workspace: ws)
                        let pinnedTerm = pinned ? expNonPositive(-shift) : 0
                        // Σ_i w_i·z_{i,y_i} / Σw from the tables and the constant label weights.
                        for k in 0..<c { labelTotal += bias[k] * ws.biasLabelWeights[k] }
                        for j in 0..<ws.tableSize { labelTotal -= ws.logits[j] * ws.negativeLabelWeights[j] }
                        ws.gradients.update(from: ws.negativeLabelWeights, count: ws.tableSize)

                        for i in 0..<rows {
                            let entries = idx.baseAddress! + i * pairCount
                            for p in 0..<pairCount {
                                let offset = Int(entries[p]) * stride
                                ws.factorRows[p] = UnsafePointer(ws.factors + offset)
                                ws.gradientRows[p] = ws.gradients + offset
                            }
                            let label = Int(labels[i])
                            let scale = ws.classScale[label]
                            let sum = pinnedTerm + Self.multiplyRows(ws.factorRows, count: pairCount,
                                                                     start: ws.columnScale, into: ws.row, stride: stride)
                            if sum >= 1e-250 {
                                logProducts[label].multiply(by: sum)
                                Self.addScaledRow(ws.row, times: scale / sum, to: ws.gradientRows, count: pairCount, stride: stride)
                            } else {
                                // Underflow: logits from the summed weights, softmax in the log domain.
                                ws.row.update(from: bias, count: c)
                                for p in 0..<pairCount {
                                    let weights = ws.logits + Int(entries[p]) * stride
                                    for k in 0..<c { ws.row[k] += weights[k] }
                                }
                                let (logSumExp, _) = Self.softmaxInPlace(ws.row, count: c, pinned: pinned, label: label, scale: scale)
                                Self.addScaledRow(ws.row, times: 1, to: ws.gradientRows, count: pairCount, stride: stride)
                                logSumExpTotal += scale * logSumExp
                            }
                        }
                        // log(sum_i) + shift is sample i's logsumexp.
                        for label in 0..<classes where logProducts[label].count > 0 {
                            let product = logProducts[label]
                            logSumExpTotal += classWeights[label] / weightSum
                                * (product.logarithm + Double(product.count) * shift)
                        }
                    }
                }
            }
        }
        gradient.withUnsafeMutableBufferPointer { g in
            let g = g.baseAddress!
            g.update(repeating: 0, count: (f + 1) * c)
            codes.reduceTables(ws.gradients, columns: c, stride: stride, into: g)
            // Every sample adds its residual to exactly one row of the first pair's table,
            // so the intercepts' gradient is that table's column sum.
            codes.sumFirstTable(ws.gradients, columns: c, stride: stride, into: g + f * c)
        }
        return logSumExpTotal - labelTotal
    }

    /// Fills the factor tables exp(T_p[r, k] − max_r T_p[r, k]) and the column scale
    /// exp(M_k − shift) with M_k = b_k + Σ_p max_r T_p[r, k] ≥ every sample's z_k; returns the
    /// shift (max_k M_k, and at least 0 with the pinned class). Rows are walked in memory
    /// order so that both loops vectorise.
    private func fillFactors(bias: UnsafePointer<Double>, codes: OneHotCodes, workspace ws: OneHotWorkspace) -> Double {
        let c = freeClasses, stride = ws.stride
        let maxima = ws.row
        for k in 0..<c { ws.columnScale[k] = bias[k] }
        for pair in codes.pairs {
            let first = ws.logits + pair.tableOffset * stride, count = codes.tableRows(of: pair)
            maxima.update(from: first, count: c)
            for r in 1..<count {
                let row = first + r * stride
                for k in 0..<c { let v = row[k]; maxima[k] = v > maxima[k] ? v : maxima[k] }
            }
            for k in 0..<c { ws.columnScale[k] += maxima[k] }
            let out = ws.factors + pair.tableOffset * stride
            for r in 0..<count {
                let row = first + r * stride, factorRow = out + r * stride
                for k in 0..<c { factorRow[k] = expNonPositive(row[k] - maxima[k]) }
            }
        }
        var shift = classes == 2 ? 0.0 : -Double.infinity
        for k in 0..<c { shift = ws.columnScale[k] > shift ? ws.columnScale[k] : shift }
        for k in 0..<c { ws.columnScale[k] = expNonPositive(ws.columnScale[k] - shift) }
        return shift
    }

    /// row = start ⊙ rows[0] ⊙ … ⊙ rows[count − 1] over `stride` columns; returns Σ row.
    /// (The row pointers are copied to locals first: stores into the row could otherwise
    /// alias them, and the compiler would reload them for every vector.)
    @inline(__always)
    static func multiplyRows(_ rows: UnsafeMutablePointer<UnsafePointer<Double>>, count: Int,
                             start: UnsafePointer<Double>, into row: UnsafeMutablePointer<Double>, stride: Int) -> Double {
        var source = start
        var done = 0
        var sum = SIMD4<Double>()
        repeat {
            let r = rows + done, chunk = min(count - done, fusedRows)
            sum = SIMD4<Double>()
            switch chunk {
            case 0:
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k); store4(v, row, k); sum += v
                }
            case 1:
                let a = r[0]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k); store4(v, row, k); sum += v
                }
            case 2:
                let a = r[0], b = r[1]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k) * load4(b, k); store4(v, row, k); sum += v
                }
            case 3:
                let a = r[0], b = r[1], c = r[2]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k) * load4(b, k) * load4(c, k)
                    store4(v, row, k); sum += v
                }
            case 4:
                let a = r[0], b = r[1], c = r[2], d = r[3]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k) * load4(b, k) * load4(c, k) * load4(d, k)
                    store4(v, row, k); sum += v
                }
            case 5:
                let a = r[0], b = r[1], c = r[2], d = r[3], e = r[4]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k) * load4(b, k) * load4(c, k) * load4(d, k) * load4(e, k)
                    store4(v, row, k); sum += v
                }
            default:
                let a = r[0], b = r[1], c = r[2], d = r[3], e = r[4], f = r[5]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(source, k) * load4(a, k) * load4(b, k) * load4(c, k) * load4(d, k) * load4(e, k)
                        * load4(f, k)
                    store4(v, row, k); sum += v
                }
            }
            done += chunk
            source = UnsafePointer(row)
        } while done < count
        return sum.sum()
    }

    /// rows[p] += factor · row for every p < count, over `stride` columns.
    @inline(__always)
    static func addScaledRow(_ row: UnsafePointer<Double>, times factor: Double,
                             to rows: UnsafeMutablePointer<UnsafeMutablePointer<Double>>, count: Int, stride: Int) {
        var done = 0
        while done < count {
            let r = rows + done, chunk = min(count - done, fusedRows)
            switch chunk {
            case 1:
                let a = r[0]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k)
                }
            case 2:
                let a = r[0], b = r[1]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k); store4(load4(b, k) + v, b, k)
                }
            case 3:
                let a = r[0], b = r[1], c = r[2]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k); store4(load4(b, k) + v, b, k); store4(load4(c, k) + v, c, k)
                }
            case 4:
                let a = r[0], b = r[1], c = r[2], d = r[3]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k); store4(load4(b, k) + v, b, k); store4(load4(c, k) + v, c, k)
                    store4(load4(d, k) + v, d, k)
                }
            case 5:
                let a = r[0], b = r[1], c = r[2], d = r[3], e = r[4]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k); store4(load4(b, k) + v, b, k); store4(load4(c, k) + v, c, k)
                    store4(load4(d, k) + v, d, k); store4(load4(e, k) + v, e, k)
                }
            default:
                let a = r[0], b = r[1], c = r[2], d = r[3], e = r[4], f = r[5]
                for k in Swift.stride(from: 0, to: stride, by: 4) {
                    let v = load4(row, k) * factor
                    store4(load4(a, k) + v, a, k); store4(load4(b, k) + v, b, k); store4(load4(c, k) + v, c, k)
                    store4(load4(d, k) + v, d, k); store4(load4(e, k) + v, e, k); store4(load4(f, k) + v, f, k)
                }
            }
            done += chunk
        }
    }
}

/// Four doubles from p + k, whatever the alignment.
@inline(__always)
private func load4(_ p: UnsafePointer<Double>, _ k: Int) -> SIMD4<Double> {
    UnsafeRawPointer(p + k).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always)
private func load4(_ p: UnsafeMutablePointer<Double>, _ k: Int) -> SIMD4<Double> {
    UnsafeRawPointer(p + k).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always)
private func store4(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>, _ k: Int) {
    UnsafeMutableRawPointer(p + k).storeBytes(of: v, as: SIMD4<Double>.self)
}
