import XCTest
import QLXCore
import QLXModel
import QLXReference
import QLXTestSupport

/// qlx against JAX: every fixture was built and run by the reference code
/// (scripts/golden/reference_fixture.py); qlx opens its run folder and must decode to the same
/// images (1e-4) and encode to the same codes (exactly).
final class ReferenceGoldenTests: XCTestCase {
    func testLeafOrderMatchesTheTreeJAXFlattens() throws {
        for name in ReferenceFixtures.supported {
            let run = try ReferenceRun(path: ReferenceFixtures.files(name))
            let ours = try run.spec.storedLeaves()
            let theirs = try ReferenceFixtures.leaves(name)
            XCTAssertEqual(ours.map(\.path), theirs.map(\.path), name)
            XCTAssertEqual(ours.map(\.shape), theirs.map(\.shape), name)
        }
    }

    func testDecodeMatchesJAXForEveryFamilyAndPreset() throws {
        for name in ReferenceFixtures.supported {
            let model = try ReferenceRun(path: ReferenceFixtures.files(name)).model
            let input = try ReferenceFixtures.expected(name, "decode_in")
            let expected = ReferenceFixtures.tensor(try ReferenceFixtures.expected(name, "decoded"))
            let images = model.config.latent.quantized
                ? model.decode(codes: input.rows { Int(input.doubles[$0]) }).images
                : model.decode(values: ReferenceFixtures.tensor(input)).images
            XCTAssertEqual(images.shape, expected.shape, name)
            let difference = zip(images.data, expected.data).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference, 1e-4, name)
            print("reference fixture \(name): decode max |qlx - JAX| = \(difference)")
        }
    }

    func testEncodeMatchesJAXForEveryFamilyAndPreset() throws {
        for name in ReferenceFixtures.supported {
            let model = try ReferenceRun(path: ReferenceFixtures.files(name)).model
            let images = ReferenceFixtures.tensor(try ReferenceFixtures.expected(name, "images"))
            let encoding = model.encode(images)
            let continuous = ReferenceFixtures.tensor(try ReferenceFixtures.expected(name, "continuous"))
            assertClose(encoding.continuous, continuous, rtol: 1e-4, atol: 1e-4, name)
            let difference = zip(encoding.continuous.data, continuous.data).map { abs($0 - $1) }.max() ?? .infinity
            print("reference fixture \(name): latents max |qlx - JAX| = \(difference)")
            if model.config.latent.quantized {
                let codes = try ReferenceFixtures.expected(name, "codes")
                XCTAssertEqual(encoding.codes, codes.rows { Int(codes.doubles[$0]) }, name)
            }
        }
    }

    func testConfigDescribesFamilyDataAndLatents() throws {
        let qlae = try ReferenceRun(path: ReferenceFixtures.files("qlae_image_image"))
        XCTAssertEqual(qlae.spec.family, .quantizedAE)
        XCTAssertEqual(qlae.model.config.image, ImageShape(channels: 3, height: 64, width: 64))
        XCTAssertEqual(qlae.model.config.dataset.name, "shapes3d")
        XCTAssertEqual(qlae.model.config.latent, LatentConfig(count: 4, valuesPerLatent: 10, quantized: true))
        let vae = try ReferenceRun(path: ReferenceFixtures.files("vae_image_small_style_image_small"))
        XCTAssertEqual(vae.spec.family, .vae)
        XCTAssertEqual(vae.model.config.latent.count, 4)
        XCTAssertFalse(vae.model.config.latent.quantized)
        XCTAssertEqual(vae.model.config.dataset.name, "sprites")
        let gan = try ReferenceRun(path: ReferenceFixtures.files("qlinfogan_image_small_style_image_small"))
        XCTAssertEqual(gan.spec.family, .quantizedInfoGAN)
        XCTAssertEqual(gan.model.config.decoder.kind, .styleImage)
    }
}
