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
            name: "Critique", dependencies: ["Archive", "Playbook", "Registry", "ToyModel", "Evals", "Hashing", "Terminal"],
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
        .testTarget(name: "HashingTests", dependencies: ["Hashing"], swiftSettings: strictSettings),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal"], swiftSettings: strictSettings),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive"], swiftSettings: strictSettings),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Hashing"], swiftSettings: strictSettings),
        .testTarget(name: "ToyModelTests", dependencies: ["ToyModel"], swiftSettings: strictSettings),
        .testTarget(name: "EvalsTests", dependencies: ["Evals", "ToyModel"], swiftSettings: strictSettings),
        .testTarget(
            name: "PlaybookTests", dependencies: ["Playbook", "Registry", "ToyModel", "Evals"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ServingTests", dependencies: ["Serving"], swiftSettings: strictSettings),
        .testTarget(
            name: "ReportsTests", dependencies: ["Reports", "Playbook", "Registry"], swiftSettings: strictSettings),
        .testTarget(
            name: "LabKitTests", dependencies: ["LabKit", "ToyModel", "Registry", "Hashing"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CritiqueTests", dependencies: ["Critique", "Playbook", "Registry", "Hashing", "Archive"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "DrillsTests", dependencies: ["Drills", "Playbook", "Registry", "ToyModel", "Hashing"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "LabRunnerTests", dependencies: ["LabRunner", "Archive"], exclude: ["Fixtures"],
            swiftSettings: strictSettings),
    ]
)
