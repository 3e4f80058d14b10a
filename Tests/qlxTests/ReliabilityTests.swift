import Foundation
import QLXModel
import QLXTestSupport
import XCTest

/// End to end: what a careless user or an attacker hands qlx (sizes that overflow,
/// device nodes as outputs, escape sequences in files, inconsistent configs) gives one clean
/// line and a non-zero exit, and nothing is damaged or left behind.
final class ReliabilityTests: XCTestCase {
    var directory: URL!
    var checkpointPath: String { file("tiny.safetensors") }
    /// A fixed memory limit, so the limits in the messages do not depend on the machine.
    let environment = ["QLX_MEMORY_LIMIT": "1000000000", "NO_COLOR": "1"]
    let limit = "the limit is 1.0 GB, set by QLX_MEMORY_LIMIT"

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("reliability")
        try Checkpoint(model: QLAE(config: TraverseCommandTests.config, seed: 3)).write(to: checkpointPath)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs qlx and checks the refusal: non-zero exit, one line on stderr containing each of
    /// `expected`, nothing on stdout.
    @discardableResult
    func assertRefused(_ arguments: [String], _ expected: String..., file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let run = try QLXBinary.run(arguments, environment: environment, timeout: 120)
        XCTAssertNotEqual(run.status, 0, "\(arguments)", file: file, line: line)
        XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "\(arguments): \(run.stderr)", file: file, line: line)
        XCTAssertFalse(run.stderr.contains("\u{1B}"), "\(arguments): raw escape in \(run.stderr)", file: file, line: line)
        for text in expected { XCTAssertTrue(run.stderr.contains(text), "\(arguments): \(run.stderr) lacks \(text)", file: file, line: line) }
        XCTAssertEqual(run.stdout, "", "\(arguments)", file: file, line: line)
        return run.stderr
    }

    /// An .npy file of 128 bytes whose header is `header` (latin-1) and 16 bytes of data.
    func writeNpy(_ name: String, header: String) throws -> String {
        var text = Array(header.utf8)
        text += [UInt8](repeating: 0x20, count: (64 - (10 + text.count + 1) % 64) % 64) + [0x0A]
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + [UInt8](repeating: 0, count: 16)
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    func testNpyShapesWhoseProductOverflowsAreRefused() throws {
        for shape in ["(4611686018427387904, 3)", "(2147483648, 2147483648)", "(9223372036854775807, 1)", "(1000000000000, 1000000000000)"] {
            let path = try writeNpy("big.npy", header: "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }")
            try assertRefused(["metrics", "--sources", path, "--latents", path], "big.npy: shape [", "needs more than 2⁶³ bytes; \(limit)")
        }
        let large = try writeNpy("large.npy", header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000), }")
        try assertRefused(["metrics", "--sources", large, "--latents", large], "needs 8.0 GB; \(limit)")
    }

    func testAbsurdSizesFromFlagsAreRefusedWithTheLimit() throws {
        let huge = "1000000000000000000"
        let samples = "images whose codes and metrics fit in 1.0 GB, set by QLX_MEMORY_LIMIT), found "
        try assertRefused(["metrics", checkpointPath, "--samples", huge], "qlx: --samples: expected at least 2 and at most ", samples + huge)
        try assertRefused(["encode", checkpointPath, "--samples", huge, "-o", file("c.npy")], "qlx: --samples: expected at least 1 and at most ", samples + huge)
        try assertRefused(["encode", checkpointPath, "--samples", "100000000", "-o", file("c.npy")], samples + "100000000")
        let train = ["train", "--encoder-widths", "4,8,8,8", "--dense-widths", "16", "--steps", "1", "--eval-samples", "20", "-o", file("t.safetensors")]
        try assertRefused(train + ["--batch", huge], "qlx: --batch: expected at most ", "images whose training buffers fit in 1.0 GB, set by QLX_MEMORY_LIMIT), found \(huge)")
        try assertRefused(train + ["--batch", "1000000"], "qlx: --batch: expected at most ", "found 1000000")
        try assertRefused(train + ["--latents", huge], "invalid model configuration: latent count is \(huge), expected 0…1048576")
        try assertRefused(train + ["--values", huge], "invalid model configuration: values per latent is \(huge), expected 0…1048576")
        try assertRefused(train + ["--latents", "1048576", "--values", "1048576"], "invalid model configuration: the model (", "needs 17.6 TB; \(limit)")
        try assertRefused(train + ["--metrics-samples", huge], "qlx: --metrics-samples: expected at least 2 and at most ", samples + huge)
        try assertRefused(["train", "-o", ""], "qlx: --output: expected a path in an existing, writable folder, found '': the output path is empty")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["tiny.safetensors"])
    }

    func testWritersRefuseDeviceNodesFoldersAndFilesOfAnotherKind() throws {
        let notRegular = "not a regular file; qlx replaces only regular files"
        try assertRefused(["encode", checkpointPath, "--samples", "10", "-o", "/dev/null"], "qlx: /dev/null: cannot write .npy file: exists and is a character device, \(notRegular)")
        try assertRefused(["encode", checkpointPath, "--samples", "10", "--factors", "/dev/full"], "qlx: /dev/full: cannot write .npy file: exists and is a character device, \(notRegular)")
        try assertRefused(["encode", checkpointPath, "--samples", "10", "--values", directory.path + "/"], "the path names a folder")
        try assertRefused(["encode", checkpointPath, "--samples", "10", "--values", directory.path], "exists and is a folder, \(notRegular)")
        try assertRefused(["train", "-o", "/dev/null"], "qlx: --output: expected a path in an existing, writable folder, found '/dev/null': exists and is a character device")
        for device in ["/dev/null", "/dev/full"] {
            var info = stat()
            XCTAssertEqual(stat(device, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "\(device) was replaced")
        }
        // A checkpoint given as -o by mistake is kept, unless --force.
        let model = file("model.safetensors")
        try FileManager.default.copyItem(atPath: checkpointPath, toPath: model)
        try assertRefused(["encode", checkpointPath, "--samples", "10", "-o", model],
                          "qlx: \(model): cannot write .npy file: exists and is not an .npy file; pass --force to replace it")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: model)), try Data(contentsOf: URL(fileURLWithPath: checkpointPath)))
        let forced = try QLXBinary.run(["encode", checkpointPath, "--samples", "10", "-o", model, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        let again = try QLXBinary.run(["encode", checkpointPath, "--samples", "10", "-o", model])
        XCTAssertEqual(again.status, 0, "an .npy output is replaced without --force: \(again.stderr)")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)), ["tiny.safetensors", "model.safetensors"])
    }

    /// Every writer (decode, traverse --png/--gif, convert, train) replaces only its own kind
    /// of file (or an empty one) without --force; before, only encode refused.
    func testEveryWriterKeepsFilesOfAnotherKindUnlessForced() throws {
        let originals: [String: Data] = [
            "model.safetensors": try Data(contentsOf: URL(fileURLWithPath: checkpointPath)),
            "data.npz": Data([0x50, 0x4B, 0x03, 0x04] + Array("zip".utf8)),
            "data.h5": Data([0x89] + Array("HDF\r\n".utf8) + [0x1A, 0x0A, 0]),
            "script.py": Data("print('mine')\n".utf8),
        ]
        for (name, bytes) in originals { try bytes.write(to: URL(fileURLWithPath: file(name))) }
        try TestNpy.write(int64: [[0, 1, 2]], to: file("codes.npy"))
        let tinyTrain = ["train", "--encoder-widths", "4,8,8,8", "--dense-widths", "16", "--latents", "3", "--batch", "8", "--steps", "1",
                         "--eval-every", "0", "--eval-samples", "20", "--metrics-samples", "0"]
        let cases: [([String], String, String)] = [
            (["decode", checkpointPath, "--codes", file("codes.npy"), "-o"], "model.safetensors", "not an .npy file"),
            (["traverse", checkpointPath, "--png"], "data.npz", "not a PNG file"),
            (["traverse", checkpointPath, "--gif"], "data.h5", "not a GIF file"),
            (["convert", checkpointPath, "-o"], "script.py", "not a .safetensors checkpoint"),
            (tinyTrain + ["-o"], "data.npz", "not a .safetensors checkpoint"),
        ]
        for (arguments, target, kind) in cases {
            try assertRefused(arguments + [file(target)], "\(file(target))", "exists and is \(kind); pass --force to replace it")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file(target))), originals[target], "\(arguments) replaced \(target)")
        }
        let forced = try QLXBinary.run(["convert", checkpointPath, "-o", file("script.py"), "--force"], environment: environment)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file("script.py"))), originals["model.safetensors"])
        // An empty file holds nothing to lose; a file of the command's own kind is replaced.
        XCTAssertTrue(FileManager.default.createFile(atPath: file("empty.png"), contents: nil))
        let png = try QLXBinary.run(["traverse", checkpointPath, "--png", file("empty.png")], environment: environment)
        XCTAssertEqual(png.status, 0, png.stderr)
        let again = try QLXBinary.run(["traverse", checkpointPath, "--png", file("empty.png")], environment: environment)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("model.safetensors.lock")))
    }

    /// `encode -o s.npy --factors ./s.npy` wrote the codes, then the factors over them.
    func testTwoOutputsNamingOneFileAreRefused() throws {
        let spelled = directory.path + "/./s.npy"
        try assertRefused(["encode", checkpointPath, "--samples", "10", "-o", file("s.npy"), "--factors", spelled],
                          "qlx: --factors cannot be combined with -o/--output: both name the file '\(spelled)'; each output needs its own file")
        try assertRefused(["traverse", checkpointPath, "--png", file("t"), "--gif", file("t")], "--gif cannot be combined with --png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("s.npy")))
    }

    func testStaleTemporaryFilesOfAKilledWriterAreRemovedByTheNextWrite() throws {
        let stale = ".codes.npy.tmp-\(try exitedProcessID())-4242"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: file(stale)))
        let run = try QLXBinary.run(["encode", checkpointPath, "--samples", "10", "-o", file("codes.npy")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)), ["tiny.safetensors", "codes.npy"])
    }

    func testValuesFromFilesAreEscapedInMessages() throws {
        let dtype = try writeNpy("dtype.npy", header: "{'descr': '<f\u{1B}[2J8', 'fortran_order': False, 'shape': (2, 1), }")
        try assertRefused(["metrics", "--sources", dtype, "--latents", dtype], #"unsupported dtype '<f\x1b[2J8'"#)
        let header = try writeNpy("header.npy", header: "{'descr': 3, 'fortran_order': False, 'shape': (2, 1), 'x\u{1B}]0;title\u{07}\n\ny': 1}")
        try assertRefused(["metrics", "--sources", header, "--latents", header], #"header has no 'descr' string: '{\'descr\': 3"#, #"\x1b]0;title\x07\n\ny"#)
        // A safetensors dtype with an escape sequence.
        let json = #"{"w":{"dtype":"F\u001b[31m32","shape":[1],"data_offsets":[0,4]}}"#
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(json.utf8) + [0, 0, 0, 0]
        try Data(bytes).write(to: URL(fileURLWithPath: file("bad.safetensors")))
        try assertRefused(["info", file("bad.safetensors")], #"tensor w: unsupported dtype F\x1b[31m32 "#)
    }

    /// Rewrites the checkpoint's qlx.config with `edit` applied to its JSON text.
    func checkpoint(editingConfig edit: (String) throws -> String) throws -> String {
        var safetensors = try SafetensorsFile.read(from: checkpointPath)
        safetensors.metadata[Checkpoint.configKey] = try edit(safetensors.metadata[Checkpoint.configKey]!)
        let path = file("edited.safetensors")
        try safetensors.write(to: path)
        return path
    }

    func configObject(_ json: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
    }

    func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    func testConfigsWithDuplicateKeysOrAnInconsistentDatasetAreRefused() throws {
        let duplicate = try checkpoint { text in
            let latent = try json(try configObject(text)["latent"]!)
            return "{\"latent\":\(latent)," + text.dropFirst()
        }
        try assertRefused(["info", duplicate], "invalid model configuration: qlx.config: not valid JSON at byte ", "duplicate key 'latent'")
        func dataset(_ change: @escaping (inout [String: Any]) -> Void) throws -> String {
            try checkpoint { text in
                var config = try configObject(text)
                var data = config["dataset"] as! [String: Any]
                change(&data)
                config["dataset"] = data
                return try json(config)
            }
        }
        let sizes = (try configObject(try SafetensorsFile.read(from: checkpointPath).metadata[Checkpoint.configKey]!)["dataset"] as! [String: Any])["factorSizes"] as! [Int]
        let negative = try dataset { $0["factorSizes"] = [-3] + sizes.dropFirst() }
        try assertRefused(["info", negative], "has size -3, expected 1…1048576")
        let huge = try dataset { $0["factorSizes"] = [1_000_000_000] + sizes.dropFirst() }
        try assertRefused(["info", huge], "has size 1000000000, expected 1…1048576")
        let mismatched = try dataset { $0["factorSizes"] = Array(sizes.dropFirst()) }
        try assertRefused(["info", mismatched], "factor names and \(sizes.count - 1) factor sizes, expected as many of each")
    }

    /// A configuration is under a kilobyte; a 2 MB one (a long string inside) is refused before
    /// it is parsed, naming the cap.
    func testAnOversizedConfigIsRefusedBeforeParsing() throws {
        let padded = try checkpoint { text in
            var config = try configObject(text)
            config["note"] = String(repeating: "x", count: 2 << 20)
            return try json(config)
        }
        try assertRefused(["info", padded], "qlx.config: expected at most 1048576 bytes of JSON, found 2097")
    }
}

