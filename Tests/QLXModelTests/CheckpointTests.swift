import Foundation
import XCTest
import QLXCore
import QLXModel
import QLXTestSupport

/// Checkpoint round trips and every way a checkpoint can be wrong: each is one thrown line
/// naming the file, the tensor or field, what was expected and what was found.
final class CheckpointTests: XCTestCase {
    typealias F = CheckpointFixtures
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("checkpoint")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    // MARK: Round trips

    func testRoundTripRestoresAModelThatDecodesIdentically() throws {
        for config in [F.tinyImage, F.tinyStyle] {
            let model = QLAE(config: config, seed: 42)
            let optimizer = ["optimizer.m.encoder.head.bias": Tensor(shape: [config.latent.count], repeating: 0.25)]
            try Checkpoint(model: model, extraTensors: optimizer, metadata: ["qlx.metrics": "{}"]).write(to: path("m.safetensors"))
            let read = try Checkpoint.read(from: path("m.safetensors"))
            XCTAssertEqual(read.config, config)
            XCTAssertEqual(read.metadata, ["qlx.metrics": "{}"])
            XCTAssertEqual(read.tensors["optimizer.m.encoder.head.bias"], optimizer["optimizer.m.encoder.head.bias"])
            let restored = try read.model()
            XCTAssertEqual(restored.parameters, model.parameters)
            let codes = [[0, 1, 2].prefix(config.latent.count).map { $0 }, Array(repeating: 3, count: config.latent.count)]
            XCTAssertEqual(restored.decode(codes: codes).images, model.decode(codes: codes).images)
        }
    }

    func testWritingTheSameCheckpointTwiceGivesTheSameBytes() throws {
        let checkpoint = Checkpoint(model: QLAE(config: F.tinyImage, seed: 3), metadata: ["b": "2", "a": "1"])
        try checkpoint.write(to: path("1"))
        try checkpoint.write(to: path("2"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("1"))), try Data(contentsOf: URL(fileURLWithPath: path("2"))))
    }

    func testConfigWithoutTrainingSettingsRoundTrips() throws {
        let json = try Checkpoint.encodeConfig(F.tinyImage)
        XCTAssertFalse(json.contains("training"))
        XCTAssertEqual(try Checkpoint.decodeConfig(json, path: nil), F.tinyImage)
        XCTAssertEqual(try Checkpoint.decodeConfig(try Checkpoint.encodeConfig(F.tinyStyle), path: nil), F.tinyStyle)
    }

    func testWriteRefusesACheckpointThatWouldNotReadBack() throws {
        var tensors = try F.formulaTensors(F.tinyImage)
        tensors["encoder.head.bias"]!.data[1] = .nan
        XCTAssertThrowsError(try Checkpoint(config: F.tinyImage, tensors: tensors).write(to: path("nan.safetensors"))) {
            XCTAssertEqual("\($0)", "\(self.path("nan.safetensors")): tensor encoder.head.bias: expected finite values, found NaN or Inf at element 1")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    // MARK: Bad checkpoints

    func testMissingPathDirectoryEmptyAndTruncatedFiles() throws {
        assertReadFails(path("nothing.safetensors"), "\(path("nothing.safetensors")): no such file")
        assertReadFails(directory.path, "\(directory.path): expected a checkpoint file, found a directory")
        try Data().write(to: URL(fileURLWithPath: path("empty")))
        assertReadFails(path("empty"), "\(path("empty")): not a valid safetensors checkpoint: file is 0 bytes, expected at least 8 (the header length)")
        let full = try Data(contentsOf: URL(fileURLWithPath: F.path("checkpoint_tiny_image_f32.safetensors")))
        try full.prefix(full.count - 100).write(to: URL(fileURLWithPath: path("cut")))
        assertReadFails(path("cut"), "fall outside the")
    }

    func testMissingOrInvalidConfiguration() throws {
        let tensors = try F.formulaTensors(F.tinyImage)
        try write(tensors, metadata: [:], to: "noconfig")
        assertReadFails(path("noconfig"), "invalid model configuration: __metadata__ has no \"qlx.config\" key (not a qlx checkpoint?)")
        try write(tensors, metadata: ["qlx.config": "{nope"], to: "badjson")
        assertReadFails(path("badjson"), "invalid model configuration: qlx.config: not valid JSON")
        try write(tensors, metadata: ["qlx.config": "{}"], to: "empty")
        assertReadFails(path("empty"), "invalid model configuration: qlx.config: missing field")
        var json = try Checkpoint.encodeConfig(F.tinyImage)
        try write(tensors, metadata: ["qlx.config": json.replacingOccurrences(of: "\"count\":3", with: "\"count\":\"3\"")], to: "type")
        assertReadFails(path("type"), "qlx.config: latent.count: expected Int")
        json = json.replacingOccurrences(of: "\"kind\":\"image\"", with: "\"kind\":\"video\"")
        try write(tensors, metadata: ["qlx.config": json], to: "kind")
        assertReadFails(path("kind"), "qlx.config: decoder.kind:")
    }

    func testUnknownArchitectureNames() throws {
        let tensors = try F.formulaTensors(F.tinyImage)
        var config = F.tinyImage
        config.encoder.preset = "resnet50"
        try write(tensors, config: config, to: "enc")
        assertReadFails(path("enc"), "invalid model configuration: unknown encoder architecture 'resnet50'; expected one of image, image_small, dense, custom")
        config = F.tinyImage
        config.decoder.preset = "style_image"
        try write(tensors, config: config, to: "dec")
        assertReadFails(path("dec"), "decoder preset style_image is a style_image decoder, but kind is image")
        config = F.tinyImage
        config.encoder.preset = "dense"
        try write(tensors, config: config, to: "dense")
        assertReadFails(path("dense"), "encoder preset dense is a dense encoder, but kind is image")
    }

    func testArchitectureThatCannotBeBuilt() throws {
        var config = F.tinyImage
        config.latent.count = 0
        try write(try F.formulaTensors(F.tinyImage), config: config, to: "zero")
        assertReadFails(path("zero"), "invalid model configuration: latent count must be ≥ 1, found 0")
        config = F.tinyImage
        config.image.height = 7
        try write(try F.formulaTensors(F.tinyImage), config: config, to: "size")
        assertReadFails(path("size"), "invalid model configuration: decoder produces 4×8 images but the image is 7×8")
    }

    func testSizesThatWouldOverflowAreRefusedBeforeTheArchitectureIsDerived() throws {
        let tensors = try F.formulaTensors(F.tinyImage)
        var config = F.tinyImage
        config.encoder.conv.widths = [4, 1 << 40]
        try write(tensors, config: config, to: "wide")
        assertReadFails(path("wide"), "invalid model configuration: encoder conv block 1 width is 1099511627776, expected 0…1048576")
        config = F.tinyImage
        config.decoder.convTranspose = F.stack(Array(repeating: 3, count: 6), kernel: 4, stride: 1000, padding: 1)
        try write(tensors, config: config, to: "grow")
        assertReadFails(path("grow"), "invalid model configuration: decoder conv-transpose block 2 output side is 1003003004, expected 0…1048576")
        config = F.tinyImage
        config.encoder.denseWidths = Array(repeating: 1, count: 1000)
        try write(tensors, config: config, to: "deep")
        assertReadFails(path("deep"), "encoder dense has 1000 layers, expected at most 256")
    }

    func testMissingUnexpectedAndMisshapenTensors() throws {
        var tensors = try F.formulaTensors(F.tinyImage)
        tensors["latent.values"] = nil
        try write(tensors, to: "missing")
        assertReadFails(path("missing"), "\(path("missing")): tensor latent.values: missing (expected shape [3, 4])")

        tensors = try F.formulaTensors(F.tinyImage)
        tensors["encoder.conv.0.weight"] = Tensor(zeros: [4, 3, 4, 4])
        try write(tensors, to: "shape")
        assertReadFails(path("shape"), "\(path("shape")): tensor encoder.conv.0.weight: expected shape [4, 1, 4, 4], found [4, 3, 4, 4]")

        tensors = try F.formulaTensors(F.tinyImage)
        tensors["encoder.conv.9.weight"] = Tensor(zeros: [1])
        try write(tensors, to: "extra")
        assertReadFails(path("extra"), "\(path("extra")): tensor encoder.conv.9.weight: not part of this architecture")
    }

    func testNaNAndInfinityWeightsAreRefused() throws {
        for (value, name) in [(Float.nan, "nan"), (Float.infinity, "inf"), (-Float.infinity, "ninf")] {
            var tensors = try F.formulaTensors(F.tinyImage)
            tensors["decoder.transition.weight"]!.data[17] = value
            try write(tensors, to: name)
            assertReadFails(path(name), "\(path(name)): tensor decoder.transition.weight: expected finite values, found NaN or Inf at element 17")
        }
        // Non-finite optimizer state does not stop a model from loading.
        var tensors = try F.formulaTensors(F.tinyImage)
        tensors["optimizer.v.latent.values"] = Tensor(shape: [1], data: [.nan])
        try write(tensors, to: "opt")
        XCTAssertNoThrow(try Checkpoint.read(from: path("opt")).model())
    }

    /// ±3e38 is finite, but a codebook from −3e38 to 3e38 spans infinity: every ruler and
    /// figure placing values between a latent's extremes computed NaN positions and trapped
    /// converting them to columns (`traverse --png`, the explorer's ruler).
    func testCodebookValuesWhoseSpanOverflowsAreRefused() throws {
        var tensors = try F.formulaTensors(F.tinyImage)
        let nv = tensors["latent.values"]!.shape[1]
        tensors["latent.values"]!.data[nv] = -3e38
        tensors["latent.values"]!.data[nv + 1] = 3e38
        try write(tensors, to: "wide")
        assertReadFails(path("wide"), "tensor latent.values: latent 1's codebook holds -3e+38; expected values within ±1.7014117e+38")
        XCTAssertThrowsError(try QLAE(config: F.tinyImage, parameters: tensors.filter { !$0.key.hasPrefix("optimizer.") })) {
            XCTAssertEqual($0 as? ModelError, .codebookTooWide(path: nil, name: "latent.values", latent: 1, value: -3e38))
        }
        // Half of Float's range on either side still loads.
        tensors["latent.values"]!.data[nv] = -Quantizer.largestValue
        tensors["latent.values"]!.data[nv + 1] = Quantizer.largestValue
        try write(tensors, to: "widest")
        XCTAssertNoThrow(try Checkpoint.read(from: path("widest")).model())
    }

    func testModelOfAnInMemoryCheckpointValidates() throws {
        var tensors = try F.formulaTensors(F.tinyImage)
        tensors["encoder.head.weight"] = Tensor(zeros: [3, 4])
        XCTAssertThrowsError(try Checkpoint(config: F.tinyImage, tensors: tensors).model()) {
            XCTAssertEqual($0 as? ModelError, .shapeMismatch(path: nil, name: "encoder.head.weight", expected: [3, 5], found: [3, 4]))
        }
    }

    // MARK: Helpers

    /// Writes through SafetensorsFile, bypassing Checkpoint.write's checks.
    private func write(_ tensors: [String: Tensor], config: QLAEConfig = F.tinyImage, to name: String) throws {
        try write(tensors, metadata: [Checkpoint.configKey: try Checkpoint.encodeConfig(config)], to: name)
    }

    private func write(_ tensors: [String: Tensor], metadata: [String: String], to name: String) throws {
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: path(name))
    }

    private func assertReadFails(_ target: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.read(from: target), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is ModelError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue(message.hasPrefix(target + ": "), "message does not name the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "expected “\(fragment)” in: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "message spans lines: \(message)", file: file, line: line)
        }
    }
}
