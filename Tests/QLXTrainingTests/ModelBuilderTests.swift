import XCTest
import QLXData
import QLXModel
import QLXModelTestSupport
import QLXTraining

final class ModelBuilderTests: XCTestCase {
    func testWidthsParseOrGiveOneLineErrors() throws {
        XCTAssertEqual(try ModelBuilder.parseWidths("32,64, 64,128", flag: "--encoder-widths"), [32, 64, 64, 128])
        for bad in ["", "32,,64", "32,x", "0,4", "-4"] {
            XCTAssertThrowsError(try ModelBuilder.parseWidths(bad, flag: "--encoder-widths")) { error in
                XCTAssertEqual("\(error)", "--encoder-widths: expected comma-separated positive integers such as 32,64,64,128, found '\(bad)'")
            }
        }
    }

    func testCustomBlocksHalveAndDoubleTheMap() throws {
        let config = try ModelBuilder.config(
            encoder: ModelBuilder.customEncoder(widths: [4, 8, 8, 8], denseWidths: [32]),
            decoder: ModelBuilder.customDecoder(widths: [8, 8, 8, 4], denseWidths: [32], kind: .image),
            latents: 4, valuesPerLatent: 10, quantized: true, dataset: SpritesDataset())
        XCTAssertEqual(config, trainableSpritesConfig(), "the tests' small model is one qlx train builds")
        XCTAssertEqual(config.encoder.conv.kernelSizes, [4, 4, 4, 4])
        XCTAssertEqual(config.encoder.conv.strides, [2, 2, 2, 2])
        XCTAssertEqual(config.decoder.convTranspose.paddings, [1, 1, 1, 1])
        XCTAssertEqual(config.dataset.factorSizes, [3, 6, 40, 32, 32])
        // Three decoder blocks cannot bring a 4×4 map back to 64×64.
        XCTAssertThrowsError(try ModelBuilder.config(
            encoder: ModelBuilder.customEncoder(widths: [4, 8, 8, 8], denseWidths: [8]),
            decoder: ModelBuilder.customDecoder(widths: [8, 8, 4], denseWidths: [8], kind: .image),
            latents: 2, valuesPerLatent: 3, quantized: true, dataset: SpritesDataset())) { error in
            XCTAssertTrue("\(error)".contains("decoder produces 32×32 images but the image is 64×64"), "\(error)")
        }
    }
}
