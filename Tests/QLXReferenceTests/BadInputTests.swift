import XCTest
import QLXCore
import QLXData
import QLXReference
import QLXTestSupport

/// Damaged checkpoints and configs: each refused with one line naming the file, what was
/// expected and what was found.
final class BadInputTests: XCTestCase {
    let fixture = "qlae_image_small_image_small"
    var scratch: URL!
    var run: URL!
    var model: String { run.path + "/files/checkpoint/step=9999/model.eqx" }
    var config: String { run.path + "/files/config.yaml" }

    override func setUpWithError() throws {
        scratch = try makeScratchDirectory("reference-bad")
        run = try ReferenceFixtures.copy(fixture, into: scratch)
    }

    override func tearDownWithError() throws { try FileManager.default.removeItem(at: scratch) }

    /// The byte ranges of the file's records.
    func records() throws -> (bytes: [UInt8], ranges: [Range<Int>]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: model)))
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < bytes.count {
            let end = try Npy.decodeRecord(bytes, at: offset, path: model).end
            ranges.append(offset..<end)
            offset = end
        }
        return (bytes, ranges)
    }

    func write(_ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: model)) }

    func assertRefused(_ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ReferenceRun(path: run.path), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
        }
    }

    func testCodebookSizesGivenAsAListStoreNoCounts() throws {
        // Hydra hands a list over as a ListConfig, an opaque leaf: no num_values_per_latent records.
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "num_values_per_latent: 10", with: "num_values_per_latent: [10, 10, 10, 10]")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let (bytes, ranges) = try records()
        try write(Array(bytes[0..<ranges[22].lowerBound]) + bytes[ranges[26].lowerBound...])
        let run = try ReferenceRun(path: run.path)
        let reference = try ReferenceRun(path: ReferenceFixtures.files(fixture))
        XCTAssertEqual(run.model.parameters, reference.model.parameters)
    }

    func testTooFewRecords() throws {
        let (bytes, ranges) = try records()
        try write(Array(bytes[0..<ranges[ranges.count - 2].upperBound]))
        assertRefused("\(model): expected 52 records for this config, found only 51")
    }

    func testTooManyRecords() throws {
        let (bytes, ranges) = try records()
        try write(bytes + bytes[ranges.last!])
        assertRefused("\(model): expected 52 records for this config, found more after the last one")
    }

    /// A newest step cut off mid-record, as a crash or a copy still running leaves it: the
    /// message names the file once and the readable step that --step opens (the same error
    /// as for a newest step that is empty or a dangling link).
    func testHalfWrittenNewestStepNamesTheCompleteOne() throws {
        let (bytes, ranges) = try records()
        // Record 33 is the decoder's transition weight, float32 [128, 16]: 8192 bytes of data.
        let header = ranges[33].count - 8192
        try write(Array(bytes[0..<(ranges[33].lowerBound + 1000)]))
        let reason = "record 33 at byte \(ranges[33].lowerBound): not a valid .npy file: expected 8192 bytes of data for shape [128, 16] of <f4, found \(1000 - header)"
        assertRefused("\(run.path): the newest checkpoint, step=9999/model.eqx, is not a readable .eqx file (\(reason)); pass --step 4999 to open the newest readable one")
        // Asked for by number, the step is refused without the hint.
        XCTAssertThrowsError(try ReferenceRun(path: run.path, step: 9999)) { error in
            XCTAssertEqual("\(error)", "\(model): not a readable .eqx file: \(reason)")
        }
        XCTAssertEqual(try ReferenceRun(path: run.path, step: 4999).location.step, 4999)
    }

    /// A checkpoint read with another run's config: the latent counts, not record counts.
    func testLatentCountThatDiffersFromTheConfigNamesBoth() throws {
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "num_latents: 4", with: "num_latents: 6")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(model): the checkpoint holds 4 latents, but its config \(config) says 6 (model_partial.latent_partial.num_latents); name the run's own config with --config FILE")
    }

    func testRecordOfTheWrongShape() throws {
        let (bytes, ranges) = try records()
        let other = scratch.appendingPathComponent("other.npy").path
        try Npy.write(float32: Array(repeating: 0, count: 4 * 1 * 3 * 3), shape: [4, 1, 3, 3], to: other)
        let replacement = [UInt8](try Data(contentsOf: URL(fileURLWithPath: other)))
        try write(Array(bytes[0..<ranges[3].lowerBound]) + replacement + bytes[ranges[3].upperBound...])
        assertRefused("\(model): record 3 (.encoder.conv.layers[0].layers[0].weight): expected float32 [4, 1, 4, 4], found float32 [4, 1, 3, 3]")
    }

    func testRecordOfTheWrongDType() throws {
        let (bytes, ranges) = try records()
        let replacement = Npy.encode(NpyArray(shape: [4], values: .float64([1, 1, 1, 1])))
        try write(Array(bytes[0..<ranges[4].lowerBound]) + replacement + bytes[ranges[4].upperBound...])
        assertRefused("\(model): record 4 (.encoder.conv.layers[0].layers[1].weight): expected float32 [4], found float64 [4]")
    }

    func testScalarThatContradictsTheConfig() throws {
        let (bytes, ranges) = try records()
        let replacement = Npy.encode(NpyArray(shape: [], values: .int64([9])))
        try write(Array(bytes[0..<ranges[0].lowerBound]) + replacement + bytes[ranges[0].upperBound...])
        assertRefused("\(model): record 0 (.encoder.transition_shape[0]): expected int scalar 8, found int64 scalar 9")
    }

    func testNotNpyRecords() throws {
        try write(Array("not numpy at all".utf8))
        let reason = "record 0 at byte 0: not a valid .npy file: missing the \\x93NUMPY magic string"
        XCTAssertThrowsError(try ReferenceRun(path: run.path, step: 9999)) { error in
            XCTAssertEqual("\(error)", "\(model): not a readable .eqx file: \(reason)")
        }
        assertRefused("\(run.path): the newest checkpoint, step=9999/model.eqx, is not a readable .eqx file (\(reason)); pass --step 4999 to open the newest readable one")
    }

    func testConfigWithoutModelKeys() throws {
        try "data:\n  desc: null\n  value:\n    name: dsprites\n".write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): config has no model_partial._target_ (expected the reference's resolved Hydra config)")
    }

    func testConfigForAnUnsupportedModel() throws {
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "disentangle.models.QuantizedAE", with: "disentangle.models.VQVAE")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): not supported yet: 'disentangle.models.VQVAE'")
    }

    func testConfigForAnUnknownEncoder() throws {
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "disentangle.encoders.ImageEncoder", with: "disentangle.encoders.GraphEncoder")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): not supported yet: encoder 'disentangle.encoders.GraphEncoder'")
    }

    func testConfigThatIsNotYAML() throws {
        try "model_partial: [unclosed".write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReferenceRun(path: run.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(config): cannot read the config: "), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// The yaml fuzz target's first finding: a mapping key that is a list (`? [a, b]`) trapped
    /// inside Yams' `load`. Refused, naming its line.
    func testConfigWithAListAsAKey() throws {
        try "data:\n  desc: null\n  value: {name: dsprites}\n? [complex, key]\n: 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): cannot read the config: a mapping key on line 4 is a list or a mapping; keys must be plain values")
    }

    /// Nesting beyond any real config is refused before it can exhaust the stack.
    func testConfigNestedTooDeeply() throws {
        try ("a: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n").write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): cannot read the config: nested deeper than 64 levels")
    }

    /// 5,000 levels in 10 kB overflowed the stack inside Yams' parser, before the tree's depth
    /// could be checked: flow brackets, compact "- - -" sequences and keys nested by
    /// indentation are each refused from the text alone.
    func testConfigNestedThousandsOfLevelsIsRefusedBeforeParsing() throws {
        let nested = [
            "a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n",
            "a: " + String(repeating: "{b: ", count: 5000) + "1" + String(repeating: "}", count: 5000) + "\n",
            String(repeating: "- ", count: 5000) + "x\n",
            (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n",
        ]
        for text in nested {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            assertRefused("\(config): cannot read the config: nested deeper than 64 levels")
        }
    }

    /// A 900-byte "billion laughs" (nine levels of ten aliases of the level below) grew to
    /// 3.7 GB before it was refused for lack of model keys; counting values as aliases expand
    /// stops it at once.
    func testConfigWhoseAliasesExpandToABillionValuesIsRefused() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let started = Date()
        assertRefused("\(config): cannot read the config: more than 100000 values once its aliases are expanded")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    /// Anchors and aliases of ordinary size still read, and so does a config nested as deep
    /// as real ones are.
    func testModestAliasesAndNestingStillRead() throws {
        let text = "base: &base {widths: [1, 2], deeper: {a: {b: {c: [[1], [2]]}}}}\nother: *base\nlist:\n  - - - 3\n"
        let config = try ReferenceConfig(yaml: text, path: "c.yaml")
        XCTAssertEqual(config.value("other.widths"), .list([.int(1), .int(2)]))
        XCTAssertEqual(config.value("other.deeper.a.b.c"), .list([.list([.int(1)]), .list([.int(2)])]))
        XCTAssertEqual(config.value("list"), .list([.list([.list([.int(3)])])]))
    }

    /// Names from the config (`_target_`, `data.name`) reached the terminal raw in messages.
    func testConfigValuesInMessagesAreQuotedAndEscaped() throws {
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try original.replacingOccurrences(of: "disentangle.encoders.ImageEncoder", with: "\"Graph\\e[2JEncoder\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): not supported yet: encoder 'Graph\\x1b[2JEncoder'")
        try original.replacingOccurrences(of: "name: dsprites", with: "name: \"mnist\\e[31m\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        assertRefused("\(config): not supported yet: data.name 'mnist\\x1b[31m'")
    }

    /// Yams' message quotes the file's text: escaped, on one line.
    func testYAMLErrorsQuoteTheFileEscaped() throws {
        try "model_partial: [\u{1B}[31m".write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReferenceRun(path: run.path)) { error in
            XCTAssertFalse("\(error)".contains("\u{1B}"), "\(error)")
        }
    }
}
