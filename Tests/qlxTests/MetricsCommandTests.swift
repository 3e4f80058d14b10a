import Foundation
import QLXCore
import QLXModel
import QLXModelTestSupport
import QLXTestSupport
import XCTest

/// `qlx metrics` end to end: array mode against scikit-learn's figures, checkpoint mode on a
/// random-init tiny model, and bad input.
final class MetricsCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("metrics")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXMetricsTests/Fixtures")

    func golden(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("infomec_golden.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return try XCTUnwrap(cases.first { $0["name"] as? String == name })
    }

    func json(_ run: QLXRun) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
    }

    func testArrayModeMatchesScikitLearn() throws {
        for name in ["noisy", "entangled", "continuous_noisy"] {
            let golden = try golden(name)
            let sources = try XCTUnwrap(golden["sources"] as? [[Double]])
            let latents = try XCTUnwrap(golden["latents"] as? [[Double]])
            let continuous = !(golden["discrete"] as? Bool ?? true)
            try TestNpy.write(int64: sources, to: file("s.npy"))
            if continuous { try TestNpy.write(float64: latents, to: file("z.npy")) } else { try TestNpy.write(int64: latents, to: file("z.npy")) }
            let report = try json(QLXBinary.run(["metrics", "--sources", file("s.npy"), "--latents", file("z.npy"), "--json"]
                                                + (continuous ? ["--continuous"] : [])))
            let expected = try XCTUnwrap(golden["expected"] as? [String: Any])
            let tolerance = continuous ? 0.03 : 1e-6
            for key in ["infoM", "infoC"] {
                let value = try XCTUnwrap(report[key] as? Double), reference = try XCTUnwrap(expected[key] as? Double)
                XCTAssertEqual(value, reference, accuracy: tolerance, "\(name) \(key)")
            }
            XCTAssertEqual(try XCTUnwrap(report["infoE"] as? Double), try XCTUnwrap(expected["infoE"] as? Double), accuracy: 0.005, name)
            XCTAssertEqual(report["samples"] as? Int, sources.count)
            XCTAssertEqual(report["latentKind"] as? String, continuous ? "continuous" : "discrete")
        }
    }

    func testArrayModeTextHasTheHeatmapWithFactorNames() throws {
        let rows = (0..<90).map { [Double($0 % 3), Double(($0 / 3) % 5)] }
        try TestNpy.write(int64: rows, to: file("s.npy"))
        try TestNpy.write(int64: rows.map { [$0[1], $0[0], 0] }, to: file("z.npy"))
        let run = try QLXBinary.run(["metrics", "--sources", file("s.npy"), "--latents", file("z.npy"), "--factor-names", "color,size"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("InfoM 1.000"), run.stdout)
        XCTAssertTrue(run.stdout.contains("InfoC 1.000"), run.stdout)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let heatmap = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("NMI heatmap") })
        XCTAssertTrue(lines[heatmap + 2].hasPrefix("color"))
        XCTAssertTrue(lines[heatmap + 3].hasPrefix("size"))
        XCTAssertFalse(run.stdout.contains("\u{1B}["), "no colour into a pipe")
    }

    /// `--chance` adds the shuffled-rows figures: a perfect code of a 12-class factor scores
    /// InfoE 1, its chance level stays low, and the text shows both.
    func testChanceReportsTheShuffledCodeBesideTheReal() throws {
        let rows = (0..<600).map { [Double($0 % 12), Double(($0 / 12) % 5)] }
        try TestNpy.write(int64: rows, to: file("s.npy"))
        try TestNpy.write(int64: rows, to: file("z.npy"))
        let arguments = ["metrics", "--sources", file("s.npy"), "--latents", file("z.npy"), "--factor-names", "hue,size"]
        let report = try json(QLXBinary.run(arguments + ["--chance", "--seed", "3", "--json"]))
        XCTAssertEqual(try XCTUnwrap(report["infoE"] as? Double), 1, accuracy: 1e-3)
        let chance = try XCTUnwrap(report["chance"] as? [String: Any], "\(report.keys)")
        XCTAssertEqual(chance["seed"] as? Int, 3)
        XCTAssertLessThan(try XCTUnwrap(chance["infoE"] as? Double), 0.1)
        XCTAssertEqual((chance["explicitnessPerSource"] as? [Double])?.count, 2)
        XCTAssertNil(try json(QLXBinary.run(arguments + ["--json"]))["chance"], "only on request")

        let text = try QLXBinary.run(arguments + ["--chance"])
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let heading = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Chance level") }, text.stdout)
        XCTAssertTrue(lines[heading + 1].contains("InfoE 0.0"), lines[heading + 1])
        let table = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("factor") })
        XCTAssertTrue(lines[table].contains("explicitness  chance"), lines[table])
        XCTAssertTrue(lines[table + 1].hasPrefix("hue") && lines[table + 1].contains("1.000"), lines[table + 1])
        XCTAssertLessThanOrEqual(lines.map(\.count).max() ?? 0, 80, "fits 80 columns")
    }

    func assertFails(_ arguments: [String], mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try QLXBinary.run(arguments)
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        XCTAssertTrue(run.stdout.isEmpty, run.stdout, file: file, line: line)
        for word in words { XCTAssertTrue(run.stderr.contains(word), "\(run.stderr) should mention \(word)", file: file, line: line) }
        XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr, file: file, line: line)
    }

    func testBadArraysFailWithClearMessages() throws {
        let rows = (0..<30).map { [Double($0 % 3), Double($0 % 2)] }
        try TestNpy.write(int64: rows, to: file("s.npy"))
        try TestNpy.write(int64: Array(rows.dropLast()), to: file("short.npy"))
        try TestNpy.write(float64: rows.enumerated().map { $0 == 4 ? [.nan, 1] : $1 }, to: file("nan.npy"))
        try TestNpy.write(int64: rows.map { [$0[0], 7] }, to: file("constant_source.npy"))
        try TestNpy.write(int64: rows.map { _ in [1, 1] }, to: file("constant_latents.npy"))
        try TestNpy.write(int64: [[Double]](), columns: 2, to: file("empty.npy"))
        try TestNpy.writeVector(int64: [1, 2, 3], to: file("vector.npy"))
        let z = ["--latents", file("s.npy")]
        try assertFails(["metrics", "--sources", file("short.npy")] + z, mentioning: ["short.npy has 29 rows", "30"])
        try assertFails(["metrics", "--sources", file("s.npy"), "--latents", file("nan.npy"), "--continuous"],
                        mentioning: ["nan.npy", "NaN or Inf", "row 4"])
        try assertFails(["metrics", "--sources", file("s.npy"), "--latents", file("nan.npy")], mentioning: ["nan.npy", "NaN"])
        try assertFails(["metrics", "--sources", file("vector.npy")] + z, mentioning: ["vector.npy", "2-D", "[3]"])
        try assertFails(["metrics", "--sources", file("constant_source.npy")] + z, mentioning: ["single value", "column 1"])
        try assertFails(["metrics", "--sources", file("s.npy"), "--latents", file("constant_latents.npy")], mentioning: ["no active latents"])
        try assertFails(["metrics", "--sources", file("empty.npy")] + z, mentioning: ["empty.npy", "at least one row"])
        let npyFixtures = Self.fixtures.appendingPathComponent("npy")
        try assertFails(["metrics", "--sources", npyFixtures.appendingPathComponent("object.npy").path] + z,
                        mentioning: ["object.npy", "pickled object array"])
        try assertFails(["metrics", "--sources", npyFixtures.appendingPathComponent("complex.npy").path] + z,
                        mentioning: ["complex.npy", "unsupported dtype '<c16'"])
        try assertFails(["metrics", "--sources", file("missing.npy")] + z, mentioning: ["missing.npy", "no such file"])
        try assertFails(["metrics", "--sources", file("s.npy")], mentioning: ["--sources and --latents go together"])
    }

    func testProgressIntoAPipeIsPlainLinesOnceTheJobRunsLong() throws {
        let checkpoint = file("tiny.safetensors")
        try Checkpoint(model: QLAE(config: TinyModel.config, seed: TinyModel.seed)).write(to: checkpoint)
        // $QLX_PROGRESS_SECONDS 0 stands for a job that has already run long; the default keeps
        // a short job's log clean.
        let logged = try QLXBinary.run(["metrics", checkpoint, "--samples", "600", "--seed", "5"],
                                       environment: ["QLX_PROGRESS_SECONDS": "0"], timeout: 300)
        XCTAssertEqual(logged.status, 0, logged.stderr)
        let lines = logged.stderr.split(separator: "\n").map(String.init)
        XCTAssertFalse(logged.stderr.contains("\r"), logged.stderr)
        XCTAssertTrue(lines.contains { $0.range(of: #"^qlx: [0-9]+%  encoding 600 images of sprites$"#, options: .regularExpression) != nil },
                      logged.stderr)
        XCTAssertEqual(lines.last, "qlx: 100%  encoding 600 images of sprites: done", logged.stderr)
        XCTAssertLessThanOrEqual(lines.count, 7, "a line a quarter and a stage, not one per batch: \(logged.stderr)")
        XCTAssertTrue(lines.contains { $0.hasSuffix("%  computing InfoMEC, MIG and DCI") }, logged.stderr)

        // Each step after encoding is named as it begins, never still called encoding.
        let steps = try QLXBinary.run(["metrics", checkpoint, "--samples", "300", "--seed", "5", "--interventions", "--bases", "20"],
                                      environment: ["QLX_PROGRESS_SECONDS": "0"], timeout: 300)
        XCTAssertEqual(steps.status, 0, steps.stderr)
        var stages: [String] = []
        for line in steps.stderr.split(separator: "\n") {
            let stage = String(line.replacing(#/^qlx: [0-9]+%  /#, with: ""))
            if stage != stages.last { stages.append(stage) }
        }
        let latents = TinyModel.config.latent.count, values = TinyModel.config.latent.valuesPerLatent
        XCTAssertEqual(stages,
                       ["encoding 300 images of sprites", "computing InfoMEC, MIG and DCI",
                        "interventions on 20 base codes (\(20 * latents * (values - 1)) decodes and encodes)",
                        "encoding 300 images of sprites: done"], steps.stderr)
    }

    func testCheckpointModeOnARandomInitModel() throws {
        let checkpoint = file("tiny.safetensors")
        try Checkpoint(model: QLAE(config: TinyModel.config, seed: TinyModel.seed)).write(to: checkpoint)
        let report = try json(QLXBinary.run(["metrics", checkpoint, "--samples", "300", "--seed", "5", "--json"], timeout: 300))
        XCTAssertEqual(report["factorNames"] as? [String], ["shape", "scale", "orientation", "posX", "posY"])
        XCTAssertEqual(report["samples"] as? Int, 300)
        let usage = try XCTUnwrap(report["codebookUsage"] as? [[String: Any]])
        XCTAssertEqual(usage.count, TinyModel.config.latent.count)
        XCTAssertEqual(usage.map { ($0["counts"] as? [Int])?.reduce(0, +) }, Array(repeating: 300, count: usage.count))
        let reconstruction = try XCTUnwrap(report["reconstruction"] as? [String: Double])
        XCTAssertGreaterThan(reconstruction["bce"] ?? 0, 0)
        XCTAssertEqual(reconstruction["psnr"] ?? 0, 10 * log10(1 / (reconstruction["mse"] ?? 1)), accuracy: 1e-9)
        for key in ["infoM", "infoE", "infoC", "mig"] {
            let value = try XCTUnwrap(report[key] as? Double, key)
            XCTAssertTrue(value.isFinite && value > -1e-9 && value < 1 + 1e-9, "\(key) = \(value)")
        }
        let text = try QLXBinary.run(["metrics", checkpoint, "--samples", "300", "--seed", "5"], timeout: 300)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("on 300 samples"))
        XCTAssertTrue(text.stdout.contains("orientation"))
        XCTAssertTrue(text.stdout.contains(String(format: "InfoM %.3f", report["infoM"] as? Double ?? -1)), "same seed, same figures")
        XCTAssertFalse(text.stderr.contains("\r"), "no redrawn progress bar into a pipe: \(text.stderr)")
        try assertFails(["metrics", checkpoint, "--dataset", "shapes9d", "--samples", "10"], mentioning: ["unknown dataset 'shapes9d'"])
        try assertFails(["metrics", checkpoint, "--samples", "1"], mentioning: ["--samples", "at least 2"])
    }

    /// DCI always; the values table and the interventions when asked, in text and JSON.
    func testValuesTableInterventionsAndDCIOnACheckpoint() throws {
        let checkpoint = file("tiny.safetensors")
        try Checkpoint(model: QLAE(config: TinyModel.config, seed: TinyModel.seed)).write(to: checkpoint)
        let arguments = ["metrics", checkpoint, "--samples", "300", "--seed", "5", "--values-table", "--interventions", "--bases", "4"]
        let report = try json(QLXBinary.run(arguments + ["--json"], timeout: 300))
        let latents = TinyModel.config.latent.count
        let dci = try XCTUnwrap(report["dci"] as? [String: Any])
        XCTAssertEqual(dci["trainSamples"] as? Int, 200)
        XCTAssertEqual(dci["testSamples"] as? Int, 100)
        XCTAssertEqual((dci["importance"] as? [[Double]])?.count, latents)
        let meanings = try XCTUnwrap(report["valueMeanings"] as? [String: Any])
        let entries = try XCTUnwrap(meanings["entries"] as? [[[String: Any]]])
        XCTAssertEqual(entries.count, latents)
        XCTAssertEqual(entries[0].map { $0["samples"] as? Int ?? -1 }.reduce(0, +), 300)
        XCTAssertEqual((meanings["valueNames"] as? [[String]])?.first?.prefix(3), ["square", "ellipse", "heart"])
        let interventions = try XCTUnwrap(report["interventions"] as? [String: Any])
        XCTAssertEqual(interventions["bases"] as? Int, 4)
        XCTAssertEqual((interventions["changes"] as? [[Double]])?.count, latents)

        let text = try QLXBinary.run(arguments, timeout: 300)
        XCTAssertEqual(text.status, 0, text.stderr)
        for part in ["DCI (gradient-boosted trees", "Values: samples per latent value", "Interventions on 4 base codes"] {
            XCTAssertTrue(text.stdout.contains(part), "\(part) missing:\n\(text.stdout)")
        }
        let plain = try json(QLXBinary.run(["metrics", checkpoint, "--samples", "300", "--seed", "5", "--json"], timeout: 300))
        XCTAssertNil(plain["valueMeanings"], "the values table only when asked")
        XCTAssertNil(plain["interventions"])
        XCTAssertEqual((plain["dci"] as? [String: Any])?["disentanglement"] as? Double, dci["disentanglement"] as? Double)

        try assertFails(["metrics", checkpoint, "--samples", "300", "--interventions", "--bases", "0"], mentioning: ["--bases", "1…300"])
        try assertFails(["metrics", checkpoint, "--samples", "300", "--interventions", "--bases", "x"], mentioning: ["--bases", "'x'"])
        try assertFails(["metrics", checkpoint, "--bases", "5"], mentioning: ["--bases", "--interventions"])
        let rows = (0..<30).map { [Double($0 % 3), Double($0 % 2)] }
        try TestNpy.write(int64: rows, to: file("s.npy"))
        try assertFails(["metrics", "--sources", file("s.npy"), "--latents", file("s.npy"), "--interventions"],
                        mentioning: ["--interventions", "checkpoint"])
    }
}

/// A tiny model on the sprites dataset whose random-init codes vary across images.
enum TinyModel {
    static let seed: UInt64 = 3
    static let config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 6, values: 10)
}

/// Minimal .npy writing and reading for tests of the binary (qlxTests cannot import QLXData):
/// version 1.0, little-endian int64 or float64, C order.
enum TestNpy {
    static func header(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        let length = dict.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
    }

    static func write(int64 rows: [[Double]], columns: Int? = nil, to path: String) throws {
        var bytes = header(descr: "<i8", shape: [rows.count, columns ?? rows.first?.count ?? 0])
        for value in rows.joined() { withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func writeVector(int64 values: [Int64], to path: String) throws {
        var bytes = header(descr: "<i8", shape: [values.count])
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func write(float64 rows: [[Double]], to path: String) throws {
        var bytes = header(descr: "<f8", shape: [rows.count, rows.first?.count ?? 0])
        for value in rows.joined() { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// descr, shape and the raw little-endian data of an .npy file (C order expected).
    static func read(_ path: String) throws -> (descr: String, shape: [Int], data: Data) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(bytes.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
        XCTAssertTrue(header.contains("'fortran_order': False"), header)
        XCTAssertEqual((10 + length) % 64, 0, "data aligned to 64 bytes as numpy writes it")
        let descr = header.components(separatedBy: "'descr': '")[1].components(separatedBy: "'")[0]
        let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (descr, shape, bytes.subdata(in: (10 + length)..<bytes.count))
    }

    static func int64s(_ data: Data) -> [Int64] {
        stride(from: 0, to: data.count, by: 8).map { offset in
            data.subdata(in: offset..<(offset + 8)).withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
        }
    }

    static func float32s(_ data: Data) -> [Float] {
        stride(from: 0, to: data.count, by: 4).map { offset in
            data.subdata(in: offset..<(offset + 4)).withUnsafeBytes { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        }
    }
}
