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

    func run() throws {
        let known = benchSections.map(\.name)
        for name in only where !known.contains(name) {
            throw FlagError.unknownName(flag: "--only", kind: "section", found: name, choices: known.sorted())
        }
        BenchInputs.dataFiles = dataFiles
        for section in benchSections where only.isEmpty || only.contains(section.name) {
            print("== \(section.name): \(section.summary)")
            try section.run()
            print("")
        }
    }
}
