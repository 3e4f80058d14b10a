import ArgumentParser

/// One part of `qlx bench`: a name and a function that measures and prints its figures.
struct BenchSection: Sendable {
    let name: String
    let summary: String
    let run: @Sendable () throws -> Void
}

/// Every benchmark section, in the order `qlx bench` runs them. Each area adds its own line;
/// the section itself lives in a `Bench+Area.swift` file beside this one.
let benchSections: [BenchSection] = [
    .core,
    .data,
    .training,
    .architectures,
    .layers,
    .candidates,
    .render,
    .metrics,
    .checkpoint,
    .explorer,
]

/// What the command line hands to the sections (set once, before any section runs).
enum BenchInputs {
    nonisolated(unsafe) static var dataFiles: [String] = []
    /// The architectures and layers sections' decoders (by table label) and batches; empty for
    /// all (layers: batch 1).
    nonisolated(unsafe) static var decoders: [String] = []
    nonisolated(unsafe) static var batches: [Int] = []
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure qlx's speed on this machine and print the figures.",
        discussion: """
        Sections: \(benchSections.map(\.name).joined(separator: ", ")).
        Build with `swift build -c release` first: debug builds are 10-100x slower.
        """)

    @Option(name: .long, parsing: .upToNextOption,
            help: "Run only these sections (default: all).")
    var only: [String] = []

    @Option(name: .customLong("data"),
            help: "A dataset file for the data section to time (open, cache, random access, memory); repeat for several.")
    var dataFiles: [String] = []

    @Option(name: .customLong("decoder"),
            help: "Time only this reference decoder in the architectures and layers sections (its label in the table, e.g. 'image + image'); repeat for several.")
    var decoders: [String] = []

    @Option(name: .customLong("batch"),
            help: "Time only this batch size (1, 10 or 100) in the architectures section, and time the layers section at it (default 1); repeat for several.")
    var batches: [Int] = []

    func run() throws {
        let known = benchSections.map(\.name)
        for name in only where !known.contains(name) {
            throw FlagError.unknownName(flag: "--only", kind: "section", found: name, choices: known.sorted())
        }
        let labels = CoreBench.referenceDecoders.map(\.0)
        for name in decoders where !labels.contains(name) {
            throw FlagError.unknownName(flag: "--decoder", kind: "decoder", found: name, choices: labels.map { "'\($0)'" })
        }
        for batch in batches where !CoreBench.architectureBatches.contains(batch) {
            throw FlagError.badValue(flag: "--batch", expected: "one of " + CoreBench.architectureBatches.map(String.init).joined(separator: ", "), found: "\(batch)")
        }
        BenchInputs.dataFiles = dataFiles
        BenchInputs.decoders = decoders
        BenchInputs.batches = batches
        for section in benchSections where only.isEmpty || only.contains(section.name) {
            print("== \(section.name): \(section.summary)")
            try section.run()
            print("")
        }
    }
}
