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
        .target(name: "Registry", dependencies: ["Hashing"], swiftSettings: strictSettings),
        .target(
            name: "ToyModel",
            dependencies: ["Hashing"],
            resources: [.copy("Defaults")],
            swiftSettings: strictSettings
        ),
        .target(name: "Evals", dependencies: ["ToyModel", "Hashing"], swiftSettings: strictSettings),
        .target(
            name: "Playbook", dependencies: ["Registry", "ToyModel", "Evals", "Hashing"], swiftSettings: strictSettings
        ),
        .target(name: "Serving", dependencies: ["Playbook", "Registry", "ToyModel", "Evals", "Hashing"], swiftSettings: strictSettings),
        .target(
            name: "Reports", dependencies: ["Playbook", "Registry", "ToyModel", "Hashing"], swiftSettings: strictSettings),
        .target(
            name: "LabKit", dependencies: ["Reports", "Playbook", "Registry", "ToyModel", "Evals", "Hashing"],
            swiftSettings: strictSettings),
        .target(
            name: "Proof",
            dependencies: ["Archive", "LabKit", "Reports", "Playbook", "Registry", "ToyModel", "Evals", "Hashing"],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "LabRunner",
            dependencies: [
                "Terminal", "Registry", "Hashing", "ToyModel", "Evals", "Playbook", "Serving", "Reports", "LabKit",
                "Proof",
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
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Playbook", "Registry"], swiftSettings: strictSettings),
        .testTarget(name: "LabKitTests", dependencies: ["LabKit", "Registry", "Hashing"], swiftSettings: strictSettings),
        .testTarget(name: "LabRunnerTests", dependencies: ["LabRunner", "Archive"], swiftSettings: strictSettings),
    ]
)
