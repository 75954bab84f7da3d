// swift-tools-version: 6.0
// Rollback Lab: a hands-on kit for learning, proving and rehearsing AI model version control.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "RollbackLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "LabRunner", targets: ["LabRunner"])
    ],
    targets: [
        .target(name: "CSHA256"),
        .target(name: "Hashing", dependencies: ["CSHA256"], swiftSettings: strictSettings),
        .target(name: "Terminal", swiftSettings: strictSettings),
        .target(name: "Archive", swiftSettings: strictSettings),
        .target(name: "Registry", dependencies: ["Hashing", "Terminal"], swiftSettings: strictSettings),
        // The kit's files (labs, solutions, the toy system's defaults) are compiled into the binary by the
        // EmbedKitFiles plugin, so a copied LabRunner needs nothing beside it.
        .executableTarget(name: "KitEmbedder", swiftSettings: strictSettings),
        .plugin(name: "EmbedKitFiles", capability: .buildTool(), dependencies: ["KitEmbedder"]),
        .target(
            name: "ToyModel",
            dependencies: ["Hashing", "Terminal"],
            exclude: ["Defaults"],
            swiftSettings: strictSettings,
            plugins: ["EmbedKitFiles"]
        ),
        .target(name: "Evals", dependencies: ["ToyModel", "Hashing", "Terminal"], swiftSettings: strictSettings),
        .target(
            name: "Playbook", dependencies: ["Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Serving", dependencies: ["Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
            swiftSettings: strictSettings),
        .target(
            name: "Reports", dependencies: ["Playbook", "Registry", "ToyModel", "Hashing"],
            swiftSettings: strictSettings),
        .target(
            name: "Drills",
            dependencies: ["Playbook", "Registry", "Reports", "Hashing", "Serving", "ToyModel", "Terminal"],
            swiftSettings: strictSettings),
        .target(
            name: "LabKit",
            dependencies: ["Reports", "Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
            swiftSettings: strictSettings, plugins: ["EmbedKitFiles"]),
        .target(
            name: "Critique",
            dependencies: ["Archive", "Reports", "Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
            swiftSettings: strictSettings),
        .target(
            name: "Proof",
            dependencies: [
                "Archive", "LabKit", "Reports", "Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal",
            ],
            swiftSettings: strictSettings),
        .target(
            name: "Bench", dependencies: ["Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "LabRunner",
            dependencies: [
                "Terminal", "Registry", "Hashing", "ToyModel", "Evals", "Playbook", "Serving", "Reports", "LabKit",
                "Drills",
                "Critique",
                "Proof",
                "Bench",
            ],
            swiftSettings: strictSettings
        ),
        // Fixtures shared by the test targets: temporary folders and workspaces, text edits that must change
        // something, the in-process command runner, the process runner, page parsers and seeds.
        .target(
            name: "LabTestSupport", dependencies: ["Terminal", "Hashing", "Registry", "ToyModel", "Playbook"],
            path: "Tests/LabTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "LabTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "TerminalTests", dependencies: ["Terminal", "LabTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "LabTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "RegistryTests", dependencies: ["Registry", "Hashing", "LabTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ToyModelTests", dependencies: ["ToyModel", "LabTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "EvalsTests", dependencies: ["Evals", "ToyModel", "LabTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "PlaybookTests", dependencies: ["Playbook", "Registry", "ToyModel", "Evals", "LabTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServingTests", dependencies: ["Serving", "Playbook", "Registry", "ToyModel", "LabTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ReportsTests", dependencies: ["Reports", "Playbook", "Registry", "LabTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "LabKitTests",
            dependencies: ["LabKit", "ToyModel", "Registry", "Hashing", "Playbook", "LabTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CritiqueTests",
            dependencies: ["Critique", "Playbook", "Registry", "Hashing", "Archive", "LabTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "DrillsTests",
            dependencies: ["Drills", "Playbook", "Registry", "ToyModel", "Hashing", "LabTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "LabRunnerTests",
            dependencies: ["LabRunner", "Archive", "Terminal", "Playbook", "LabTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strictSettings),
    ]
)
