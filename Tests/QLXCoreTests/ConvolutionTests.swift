import XCTest
import QLXCore
import QLXTestSupport

/// (inChannels, outChannels, kernel, stride, padding, batch, height, width)
private let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
    (3, 4, 3, 1, 1, 2, 5, 6),
    (2, 3, 4, 2, 1, 3, 8, 8),
    (4, 2, 1, 1, 0, 2, 3, 5),
    (2, 3, 3, 2, 0, 1, 7, 6),
    (1, 2, 5, 3, 2, 2, 9, 7),
    // Stride 1 with at most 4 outputs: CDirectConv's kernels, rows wide enough for their
    // 64- and 8-float blocks and a scalar tail; unpadded (the input gradient then pads by 2).
    (3, 1, 3, 1, 1, 2, 4, 75),
    (2, 3, 5, 1, 2, 1, 3, 70),
    (2, 2, 3, 1, 0, 2, 6, 20),
    // Padding past k − 1: the plain loops.
    (2, 1, 2, 1, 2, 1, 4, 9),
]

final class ConvolutionTests: XCTestCase {
    func testConv2dForwardMatchesPlainLoops() {
        for (i, c) in cases.enumerated() {
            let conv = Conv2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i))
            let w = randomTensor(conv.weightShape, seed: UInt64(100 + i))
            let y = conv.forward(x, weight: w)
            let (ho, wo) = conv.outputSize(height: c.6, width: c.7)
            XCTAssertEqual(y.shape, [c.5, c.1, ho, wo])
            assertClose(y, conv.referenceForward(x, weight: w), "case \(i)")
        }
    }

    func testConv2dBackwardMatchesPlainLoops() {
        for (i, c) in cases.enumerated() {
            let conv = Conv2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i))
            let w = randomTensor(conv.weightShape, seed: UInt64(100 + i))
            let dy = randomTensor(conv.referenceForward(x, weight: w).shape, seed: UInt64(200 + i))
            let fast = conv.backward(input: x, weight: w, dOutput: dy)
            let slow = conv.referenceBackward(input: x, weight: w, dOutput: dy)
            assertClose(fast.dInput, slow.dInput, "case \(i) dInput")
            assertClose(fast.dWeight, slow.dWeight, "case \(i) dWeight")
        }
    }

    func testConv2dDirectAndIm2colPathsAgree() {
        for (i, c) in cases.enumerated() {
            let conv = Conv2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            let x = FeatureMap(nchw: randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i)))
            let w = randomTensor(conv.weightShape, seed: UInt64(100 + i))
            let direct = conv.forwardDirect(x, weight: w), im2col = conv.forwardIm2col(x, weight: w)
            assertClose(direct.data, im2col.data, "case \(i) forward")
            let dy = FeatureMap(nchw: randomTensor(direct.nchw().shape, seed: UInt64(300 + i)))
            let a = conv.backwardDirect(input: x, weight: w, dOutput: dy)
            let b = conv.backwardIm2col(input: x, weight: w, dOutput: dy)
            assertClose(a.dInput!.data, b.dInput!.data, "case \(i) dInput")
            assertClose(a.dWeight, b.dWeight, "case \(i) dWeight")
        }
        // The model's final 3×3 conv to one channel takes the direct path.
        let last = Conv2d(inChannels: 8, outChannels: 1, kernel: 3, stride: 1, padding: 1)
        let x = randomTensor([2, 8, 6, 6], seed: 7), w = randomTensor(last.weightShape, seed: 8)
        assertClose(last.forward(x, weight: w), last.referenceForward(x, weight: w))
    }

    /// The baseline build of CDirectConv's kernels, which a machine with AVX2 never picks.
    func testConv2dDirectBaselineKernelsMatchPlainLoops() {
        Conv2d.withBaselineDirectKernels {
            for (i, c) in cases.enumerated() where c.1 <= Conv2d.directOutputChannelLimit && c.3 == 1 {
                let conv = Conv2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
                let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i))
                let w = randomTensor(conv.weightShape, seed: UInt64(100 + i))
                assertClose(conv.forward(x, weight: w), conv.referenceForward(x, weight: w), "case \(i) forward")
                let dy = randomTensor(conv.referenceForward(x, weight: w).shape, seed: UInt64(200 + i))
                let fast = conv.backward(input: x, weight: w, dOutput: dy)
                let slow = conv.referenceBackward(input: x, weight: w, dOutput: dy)
                assertClose(fast.dInput, slow.dInput, "case \(i) dInput")
                assertClose(fast.dWeight, slow.dWeight, "case \(i) dWeight")
            }
        }
    }

    func testConv2dReferenceBackwardMatchesFiniteDifferences() {
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernel: 4, stride: 2, padding: 1)
        let x = randomTensor([2, 2, 6, 6], seed: 1), w = randomTensor(conv.weightShape, seed: 2)
        let r = randomTensor(conv.referenceForward(x, weight: w).shape, seed: 3)
        let grads = conv.referenceBackward(input: x, weight: w, dOutput: r)
        let fdX = finiteDifferenceGradient(of: { dot(conv.referenceForward(Tensor(shape: x.shape, data: $0), weight: w).data, r.data) },
                                           at: x.data, indices: Array(stride(from: 0, to: x.count, by: 7)))
        assertGradientsMatch(grads.dInput.data, fdX, "dInput")
        let fdW = finiteDifferenceGradient(of: { dot(conv.referenceForward(x, weight: Tensor(shape: w.shape, data: $0)).data, r.data) },
                                           at: w.data, indices: Array(stride(from: 0, to: w.count, by: 5)))
        assertGradientsMatch(grads.dWeight.data, fdW, "dWeight")
    }

    func testConvTranspose2dForwardMatchesPlainLoops() {
        for (i, c) in cases.enumerated() {
            let convT = ConvTranspose2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i))
            let w = randomTensor(convT.weightShape, seed: UInt64(100 + i))
            let y = convT.forward(x, weight: w)
            let (ho, wo) = convT.outputSize(height: c.6, width: c.7)
            XCTAssertEqual(y.shape, [c.5, c.1, ho, wo])
            assertClose(y, convT.referenceForward(x, weight: w), "case \(i)")
        }
    }

    /// Layers with k = s + 2p run as s² stride-phase convolutions with weights laid out once;
    /// every phase layout (one tap per phase, asymmetric tap offsets, several images) must
    /// give the plain loops' output, and so must the col2im form kept beside it.
    func testConvTranspose2dStridePhasesMatchPlainLoops() {
        // (inChannels, outChannels, kernel, stride, padding, batch, height, width)
        let phaseCases = [(3, 4, 3, 1, 1, 2, 5, 6), (2, 3, 4, 2, 1, 3, 4, 5), (2, 3, 2, 2, 0, 2, 3, 3),
                          (3, 2, 5, 1, 2, 1, 6, 4), (2, 2, 3, 3, 0, 2, 3, 2), (2, 3, 6, 2, 2, 1, 5, 4), (1, 1, 1, 1, 0, 1, 2, 2)]
        for (i, c) in phaseCases.enumerated() {
            let convT = ConvTranspose2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            XCTAssertTrue(convT.hasPhases)
            let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(20 + i))
            let w = randomTensor(convT.weightShape, seed: UInt64(120 + i))
            let reference = convT.referenceForward(x, weight: w)
            XCTAssertEqual(reference.shape, [c.5, c.1, c.3 * c.6, c.3 * c.7])
            assertClose(convT.forward(FeatureMap(nchw: x), phased: convT.phasedWeights(w)).nchw(), reference, "phases, case \(i)")
            assertClose(convT.forward(FeatureMap(nchw: x), phased: convT.phasedWeights(w, packed: true)).nchw(), reference,
                        "packed phases, case \(i)")
            assertClose(convT.forwardFolded(FeatureMap(nchw: x), weight: w).nchw(), reference, "col2im, case \(i)")
        }
        XCTAssertFalse(ConvTranspose2d(inChannels: 1, outChannels: 1, kernel: 3, stride: 2, padding: 0).hasPhases)
    }

    /// 3×3 stride-1 and 4×4 stride-2 layers decode through Winograd's forms once they have
    /// enough tiles: the output must be the plain loops' on even maps of several sizes (one tile
    /// row, tiles at every edge, several images, Cin above and below Cout), with weights for
    /// OpenBLAS and packed, with products wider than the packed kernel takes, and in slices of
    /// images.
    func testConvTranspose2dWinogradMatchesPlainLoops() {
        // (inChannels, outChannels, kernel, stride, batch, height, width)
        let winogradCases = [(3, 5, 3, 1, 1, 2, 2), (4, 2, 3, 1, 2, 4, 6), (7, 9, 3, 1, 3, 8, 4), (16, 8, 3, 1, 2, 6, 10),
                             (2, 3, 3, 1, 1, 64, 64), (3, 5, 4, 2, 1, 2, 2), (4, 2, 4, 2, 2, 4, 6), (9, 7, 4, 2, 3, 8, 4),
                             (2, 3, 4, 2, 1, 64, 64)]
        for (i, c) in winogradCases.enumerated() {
            let convT = ConvTranspose2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: 1)
            XCTAssertTrue(convT.hasWinograd(height: c.5, width: c.6))
            let x = randomTensor([c.4, c.0, c.5, c.6], seed: UInt64(40 + i))
            let w = randomTensor(convT.weightShape, seed: UInt64(140 + i))
            let reference = convT.referenceForward(x, weight: w)
            assertClose(convT.forward(FeatureMap(nchw: x), winograd: convT.winogradWeights(w)).nchw(), reference, "Winograd, case \(i)")
            let packed = convT.winogradWeights(w, packed: true)
            assertClose(convT.forward(FeatureMap(nchw: x), winograd: packed).nchw(), reference, "packed Winograd, case \(i)")
            assertClose(convT.forward(FeatureMap(nchw: x), winograd: packed, columnsBudget: 1).nchw(), reference,
                        "Winograd one image at a time, case \(i)")
            // On one core, an image over the budget goes through in blocks of tile rows: one row,
            // 3 rows (the last block shorter where the rows do not divide by 3), and a serial
            // share's own budget (the 64×64 cases split an image).
            let floatsPerTileRow = (c.3 == 2 ? 36 : 16) * c.0 * c.6 / 2
            for budget in [1, 3 * floatsPerTileRow] {
                assertClose(Parallel.serially { convT.forward(FeatureMap(nchw: x), winograd: packed, columnsBudget: budget) }.nchw(),
                            reference, "Winograd on one core, budget \(budget), case \(i)")
            }
            assertClose(Parallel.serially { convT.forward(FeatureMap(nchw: x), winograd: packed) }.nchw(), reference,
                        "Winograd on one core, case \(i)")
        }
        let convT = ConvTranspose2d(inChannels: 2, outChannels: 2, kernel: 3, stride: 1, padding: 1)
        XCTAssertFalse(convT.hasWinograd(height: 5, width: 4), "odd maps have no 2×2 tiling")
        XCTAssertFalse(ConvTranspose2d(inChannels: 2, outChannels: 2, kernel: 2, stride: 2, padding: 0).hasWinograd(height: 4, width: 4))
        XCTAssertFalse(ConvTranspose2d(inChannels: 2, outChannels: 2, kernel: 5, stride: 1, padding: 2).hasWinograd(height: 4, width: 4))
    }

    /// Decoding picks Winograd's form by tile count and the packed phases below it; both must
    /// give the plain loops' output, at a batch on each side of the switch.
    func testConvTranspose2dDecodingFormsMatchPlainLoops() throws {
        for (kernel, stride) in [(3, 1), (4, 2)] {
            let convT = ConvTranspose2d(inChannels: 64, outChannels: 64, kernel: kernel, stride: stride, padding: 1)
            let w = randomTensor(convT.weightShape, seed: 9)
            let weights = try XCTUnwrap(convT.decodingWeights(w))
            XCTAssertNotNil(weights.winograd)
            XCTAssertFalse(convT.prefersWinograd(height: 4, width: 4, batch: 1))
            XCTAssertTrue(convT.prefersWinograd(height: 4, width: 4, batch: 16))
            XCTAssertFalse(ConvTranspose2d(inChannels: 8, outChannels: 8, kernel: kernel, stride: stride, padding: 1)
                .prefersWinograd(height: 4, width: 4, batch: 16), "products too small to pay for the transforms")
            for batch in [1, 16] {
                let x = randomTensor([batch, 64, 4, 4], seed: UInt64(batch))
                assertClose(convT.forward(FeatureMap(nchw: x), decoding: weights).nchw(), convT.referenceForward(x, weight: w),
                            "k\(kernel) s\(stride) batch \(batch)")
            }
        }
        XCTAssertNil(ConvTranspose2d(inChannels: 6, outChannels: 4, kernel: 1, stride: 1, padding: 0)
            .decodingWeights(randomTensor([6, 4, 1, 1], seed: 1)), "pointwise layers decode as training runs them")
    }

    /// Large batches go through in slices of images (a traversal of 100 images would need
    /// 105 MB of columns at once); slices of 2 + 2 + 1 images must give the same output.
    func testConvTranspose2dForwardInSlicesOfImagesMatchesPlainLoops() {
        let convT = ConvTranspose2d(inChannels: 3, outChannels: 4, kernel: 4, stride: 2, padding: 1)
        let x = randomTensor([5, 3, 6, 7], seed: 7)
        let w = randomTensor(convT.weightShape, seed: 8)
        let perImage = 4 * 16 * 6 * 7   // columns rows × input positions of one image
        let reference = convT.referenceForward(x, weight: w)
        for budget in [1, 2 * perImage, 2 * perImage + 1, 5 * perImage, 100 * perImage] {
            assertClose(convT.forward(x, weight: w, columnsBudget: budget), reference, "budget \(budget)")
        }
    }

    func testConvTranspose2dBackwardMatchesPlainLoops() {
        for (i, c) in cases.enumerated() {
            let convT = ConvTranspose2d(inChannels: c.0, outChannels: c.1, kernel: c.2, stride: c.3, padding: c.4)
            let x = randomTensor([c.5, c.0, c.6, c.7], seed: UInt64(i))
            let w = randomTensor(convT.weightShape, seed: UInt64(100 + i))
            let dy = randomTensor(convT.referenceForward(x, weight: w).shape, seed: UInt64(200 + i))
            let fast = convT.backward(input: x, weight: w, dOutput: dy)
            let slow = convT.referenceBackward(input: x, weight: w, dOutput: dy)
            assertClose(fast.dInput, slow.dInput, "case \(i) dInput")
            assertClose(fast.dWeight, slow.dWeight, "case \(i) dWeight")
        }
    }

    /// Batches whose im2col columns outgrow `Conv2d.columnsBudget` go through in slices of
    /// images (here one image each): the weight gradient adds up over slices, and each slice
    /// writes its own images of the output and input gradient.
    func testConv2dPackedWeightMatchesPlainLoops() {
        // The encoder's layer shapes (thin products, 16–64 rows, not multiples of the kernel's
        // 6-row panels), a 1×1 layer and slices of images, in and out of a serial section.
        let layers: [(Conv2d, Int, Int)] = [
            (Conv2d(inChannels: 3, outChannels: 16, kernel: 4, stride: 2, padding: 1), 3, 64),
            (Conv2d(inChannels: 16, outChannels: 32, kernel: 4, stride: 2, padding: 1), 2, 32),
            (Conv2d(inChannels: 32, outChannels: 64, kernel: 4, stride: 2, padding: 1), 2, 8),
            (Conv2d(inChannels: 6, outChannels: 7, kernel: 1), 2, 5),
            (Conv2d(inChannels: 16, outChannels: 5, kernel: 4, stride: 2, padding: 1), 3, 64),
        ]
        for (i, (conv, batch, size)) in layers.enumerated() {
            let x = randomTensor([batch, conv.inChannels, size, size], seed: UInt64(60 + i))
            let w = randomTensor(conv.weightShape, seed: UInt64(70 + i))
            guard let packed = conv.packedWeight(w) else { return XCTFail("layer \(i) has no packed form") }
            let reference = conv.referenceForward(x, weight: w)
            assertClose(conv.forward(FeatureMap(nchw: x), packed: packed).nchw(), reference, "layer \(i)")
            let serial = Parallel.serially { conv.forward(FeatureMap(nchw: x), packed: packed).nchw() }
            assertClose(serial, reference, "layer \(i), serially")
        }
        XCTAssertNil(Conv2d(inChannels: 16, outChannels: 3, kernel: 3, padding: 1).packedWeight(randomTensor([3, 16, 3, 3], seed: 1)),
                     "a direct-path layer has nothing to pack")
    }

    func testConvolutionsInSlicesOfImagesMatchPlainLoops() {
        let conv = Conv2d(inChannels: 16, outChannels: 5, kernel: 4, stride: 2, padding: 1)
        let x = randomTensor([3, 16, 64, 64], seed: 40), w = randomTensor(conv.weightShape, seed: 41)
        XCTAssertEqual(conv.weightShape[1] * 16 * 32 * 32, Conv2d.columnsBudget, "one image per slice")
        assertClose(conv.forward(x, weight: w), conv.referenceForward(x, weight: w), "conv forward")
        let dy = randomTensor([3, 5, 32, 32], seed: 42)
        let fast = conv.backward(input: x, weight: w, dOutput: dy), slow = conv.referenceBackward(input: x, weight: w, dOutput: dy)
        assertClose(fast.dInput, slow.dInput, "conv dInput")
        assertClose(fast.dWeight, slow.dWeight, rtol: 1e-4, atol: 1e-4, "conv dWeight")

        let convT = ConvTranspose2d(inChannels: 5, outChannels: 16, kernel: 4, stride: 2, padding: 1)
        let dyT = randomTensor([3, 16, 64, 64], seed: 43), xT = randomTensor([3, 5, 32, 32], seed: 44)
        let wT = randomTensor(convT.weightShape, seed: 45)
        let fastT = convT.backward(input: xT, weight: wT, dOutput: dyT)
        let slowT = convT.referenceBackward(input: xT, weight: wT, dOutput: dyT)
        assertClose(fastT.dInput, slowT.dInput, "convT dInput")
        assertClose(fastT.dWeight, slowT.dWeight, rtol: 1e-4, atol: 1e-4, "convT dWeight")
    }

    func testConvTranspose2dReferenceBackwardMatchesFiniteDifferences() {
        let convT = ConvTranspose2d(inChannels: 3, outChannels: 2, kernel: 4, stride: 2, padding: 1)
        let x = randomTensor([2, 3, 3, 3], seed: 1), w = randomTensor(convT.weightShape, seed: 2)
        let r = randomTensor(convT.referenceForward(x, weight: w).shape, seed: 3)
        let grads = convT.referenceBackward(input: x, weight: w, dOutput: r)
        let fdX = finiteDifferenceGradient(of: { dot(convT.referenceForward(Tensor(shape: x.shape, data: $0), weight: w).data, r.data) },
                                           at: x.data, indices: Array(stride(from: 0, to: x.count, by: 3)))
        assertGradientsMatch(grads.dInput.data, fdX, "dInput")
        let fdW = finiteDifferenceGradient(of: { dot(convT.referenceForward(x, weight: Tensor(shape: w.shape, data: $0)).data, r.data) },
                                           at: w.data, indices: Array(stride(from: 0, to: w.count, by: 5)))
        assertGradientsMatch(grads.dWeight.data, fdW, "dWeight")
    }

    func testConvTransposeIsTheAdjointOfConv() {
        // <conv(x), y> = <x, convT(y)> with the same weight tensor read as [Cout, Cin] / [Cin, Cout].
        let conv = Conv2d(inChannels: 3, outChannels: 4, kernel: 4, stride: 2, padding: 1)
        let convT = ConvTranspose2d(inChannels: 4, outChannels: 3, kernel: 4, stride: 2, padding: 1)
        let w = randomTensor(conv.weightShape, seed: 9)
        let x = randomTensor([2, 3, 8, 8], seed: 10), y = randomTensor([2, 4, 4, 4], seed: 11)
        XCTAssertEqual(dot(conv.forward(x, weight: w).data, y.data), dot(x.data, convT.forward(y, weight: w).data), accuracy: 1e-3)
    }
}
