// swift-tools-version: 6.0
// qlx: explore the quantized latent space of QLAE models from a terminal.
// Targets form a one-way chain: C shims → QLXCore → QLXModel and QLXData (side by side,
// neither imports the other) → QLXMetrics → QLXTraining; QLXReference (runs of the paper's
// JAX code) sits on QLXModel and QLXData; QLXIO (atomic writes, size limits, quoting) sits
// below everything that reads or writes files; QLXRender (QLXIO, zlib, giflib, libsixel) draws
// images and asks the terminal what it can show;
// QLXExplorer draws with both sides; `qlx` parses arguments and dispatches. Every target
// lists each module it imports.
import PackageDescription

let package = Package(
    name: "qlx",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qlx", targets: ["qlx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        // C shims: system libraries from Debian.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // No pkgConfig: ncursesw.pc's cflags are -D defines SwiftPM refuses with a warning on
        // every build; shim.h sets them instead, and libncursesw.so pulls in libtinfo itself.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CZlibSystem", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CGif", pkgConfig: "libgif", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CSixel", pkgConfig: "libsixel", providers: [.apt(["libsixel-dev"])]),
        // Header-only: the thread's floating-point control register (subnormal flushing).
        .systemLibrary(name: "CFloatEnv"),
        // Compiled C: matrix products with one operand packed ahead of time (PackedGemm.swift).
        .target(name: "CPackedGemm"),
        // Compiled C: helper threads that stay awake between short parallel steps (Parallel.swift).
        .target(name: "CTaskTeam"),
        // Compiled C: vectorised stride-1 convolutions of few output channels (Conv2d+Direct.swift).
        .target(name: "CDirectConv"),
        // Compiled C: a SIGBUS handler for dataset mappings whose file shrinks (MappedFile.swift).
        .target(name: "CMappedGuard"),
        // Compiled C: the release stamp `qlx --version` prints (scripts/package writes it).
        .target(name: "CBuildInfo"),

        // Libraries.
        // Untrusted input and output: atomic writes, size limits, quoting values for messages.
        .target(name: "QLXIO", exclude: ["README.md"]),
        .target(name: "QLXCore", dependencies: ["CBLAS", "CFloatEnv", "CPackedGemm", "CTaskTeam", "CDirectConv"], exclude: ["README.md"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "QLXModel", dependencies: ["QLXCore", "QLXIO"], exclude: ["README.md"]),
        .target(name: "QLXData", dependencies: ["QLXCore", "QLXIO", "CHDF5", "CMappedGuard", "CZlibSystem", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                exclude: ["README.md"]),
        .target(name: "QLXMetrics", dependencies: ["QLXCore", "QLXIO", "QLXModel", "QLXData"], exclude: ["README.md"]),
        .target(name: "QLXTraining", dependencies: ["QLXCore", "QLXIO", "QLXModel", "QLXData", "QLXMetrics"], exclude: ["README.md"]),
        // Opens runs of the paper's JAX/Equinox code: .eqx records (npy, from QLXData), Hydra
        // and wandb configs (YAML), run folders; maps them onto QLXModel's QLAE.
        .target(name: "QLXReference", dependencies: ["QLXCore", "QLXIO", "QLXModel", "QLXData", .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"]),
        .target(name: "QLXRender", dependencies: ["QLXIO", "CZlibSystem", "CGif", "CSixel"], exclude: ["README.md"]),
        // The explorer's settings file is TOML ($XDG_CONFIG_HOME/qlx/config.toml).
        .target(name: "QLXExplorer",
                dependencies: ["QLXCore", "QLXIO", "QLXModel", "QLXData", "QLXMetrics", "QLXRender", "CNCurses",
                               .product(name: "TOMLKit", package: "TOMLKit")], exclude: ["README.md"]),

        // The command-line tool: parses arguments, runs one command (Commands/), prints every error (QLX.swift).
        .executableTarget(name: "qlx", dependencies: [
            "QLXCore", "QLXIO", "QLXModel", "QLXData", "QLXMetrics", "QLXTraining", "QLXRender", "QLXExplorer",
            "QLXReference", "CBuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests: one target per library target, shared helpers in QLXTestSupport.
        .target(name: "QLXTestSupport", dependencies: ["QLXCore"], path: "Tests/QLXTestSupport"),
        // Small model configs for the tests of targets above QLXModel.
        .target(name: "QLXModelTestSupport", dependencies: ["QLXCore", "QLXModel"], path: "Tests/QLXModelTestSupport"),
        .testTarget(name: "QLXIOTests", dependencies: ["QLXIO", "QLXTestSupport"]),
        .testTarget(name: "QLXCoreTests", dependencies: ["QLXCore", "QLXTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QLXModelTests", dependencies: ["QLXCore", "QLXModel", "QLXTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QLXDataTests", dependencies: ["QLXCore", "QLXData", "QLXTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QLXMetricsTests", dependencies: ["QLXCore", "QLXData", "QLXMetrics", "QLXRender", "QLXTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QLXTrainingTests", dependencies: ["QLXCore", "QLXModel", "QLXData", "QLXTraining", "QLXTestSupport",
                                                         "QLXModelTestSupport"]),
        .testTarget(name: "QLXReferenceTests", dependencies: ["QLXCore", "QLXModel", "QLXData", "QLXReference", "QLXTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QLXRenderTests", dependencies: ["QLXRender", "QLXTestSupport"]),
        .testTarget(name: "QLXExplorerTests", dependencies: ["QLXExplorer", "QLXMetrics", "QLXModel", "QLXRender", "QLXTestSupport",
                                                         "QLXModelTestSupport"]),
        .testTarget(name: "qlxTests", dependencies: ["QLXCore", "QLXModel", "QLXData", "QLXTestSupport", "QLXModelTestSupport"]),
    ]
)
