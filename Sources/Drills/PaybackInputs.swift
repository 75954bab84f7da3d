// The payback model's inputs: their names, units and conservative defaults, and where each value came from
// (flag, file, measured, default) — a flag beats the file, the file beats a measurement, a measurement beats
// the default.
public import Foundation
import Hashing

public enum InputSource: String, Codable, Sendable {
    case flag, file, measured
    case defaulted = "default"
}

/// One input as the page echoes it.
public struct PaybackInput: Codable, Sendable, Equatable {
    public var key: String
    public var label: String
    public var unit: String
    public var value: Double
    public var source: InputSource
    /// For a measured value, what it was measured from.
    public var note: String?
}

/// What an input is: its key (snake_case in files, kebab-case as a flag), meaning and conservative default.
public struct InputKey: Sendable {
    public var key: String
    public var label: String
    public var unit: String
    public var defaultValue: Double
    /// Context inputs are shown beside the model but do not enter the payback formula.
    public var context: Bool

    public var flag: String { key.replacingOccurrences(of: "_", with: "-") }
}

public struct PaybackInputs: Sendable, Equatable {
    public static let keys: [InputKey] = [
        InputKey(key: "tooling_cost", label: "Tooling cost", unit: "per year", defaultValue: 1200, context: false),
        InputKey(key: "setup_hours", label: "Setup hours", unit: "hours, once", defaultValue: 40, context: false),
        InputKey(
            key: "maintenance_hours", label: "Maintenance hours", unit: "hours per month", defaultValue: 4,
            context: false),
        InputKey(key: "loaded_rate", label: "Loaded rate", unit: "per hour", defaultValue: 100, context: false),
        InputKey(
            key: "minutes_per_deploy", label: "Process tax", unit: "minutes per deploy", defaultValue: 5,
            context: false),
        InputKey(
            key: "deploys_per_year", label: "Deploys per year", unit: "deploys", defaultValue: 50, context: false),
        InputKey(
            key: "incidents_per_year", label: "Incidents per year", unit: "incidents", defaultValue: 4,
            context: false),
        InputKey(
            key: "cost_per_incident", label: "Cost per incident", unit: "per incident", defaultValue: 5000,
            context: false),
        InputKey(
            key: "preventable_share", label: "Share now preventable", unit: "0 to 1", defaultValue: 0.5,
            context: false),
        InputKey(
            key: "reproduction_hours_saved", label: "Reproduction hours saved", unit: "hours per year",
            defaultValue: 40, context: false),
        InputKey(
            key: "rollback_minutes_before", label: "Time to rollback before the pilot", unit: "minutes",
            defaultValue: 120, context: true),
        InputKey(
            key: "rollback_minutes_during", label: "Time to rollback during the pilot", unit: "minutes",
            defaultValue: 120, context: true),
    ]

    public static func key(_ name: String) -> InputKey? { keys.first { $0.key == name } }

    public private(set) var entries: [String: PaybackInput]

    /// Every input at its default.
    public init() {
        entries = [:]
        for key in Self.keys {
            entries[key.key] = PaybackInput(
                key: key.key, label: key.label, unit: key.unit, value: key.defaultValue, source: .defaulted)
        }
    }

    public subscript(_ key: String) -> Double { entries[key]?.value ?? 0 }

    /// Inputs in the order the page lists them.
    public var ordered: [PaybackInput] { Self.keys.compactMap { entries[$0.key] } }

    /// Sets a value unless one from a stronger source is already there.
    public mutating func set(_ key: String, _ value: Double, source: InputSource, note: String? = nil) throws {
        guard let spec = Self.key(key) else { return }
        if let rule = Self.rangeRule(key, value) {
            throw DrillsError.inputOutOfRange(
                key: key, value: Self.plain(value), source: source.rawValue, rule: rule)
        }
        let current = entries[key]?.source ?? .defaulted
        guard Self.strength(source) >= Self.strength(current) else { return }
        entries[key] = PaybackInput(
            key: key, label: spec.label, unit: spec.unit, value: value, source: source, note: note)
    }

    static func strength(_ source: InputSource) -> Int {
        switch source {
        case .defaulted: return 0
        case .measured: return 1
        case .file: return 2
        case .flag: return 3
        }
    }

    /// Why a value is refused, or nil when it is fine.
    public static func rangeRule(_ key: String, _ value: Double) -> String? {
        guard value.isFinite else { return "must be a finite number" }
        guard value >= 0 else { return "must not be negative" }
        if key == "preventable_share", value > 1 { return "must be a share between 0 and 1 (0.3 means 30%)" }
        return nil
    }

    /// The inputs from every source: defaults, then measurements, then the file, then flags, each stronger
    /// than the one before. Every value is range-checked before any is used.
    public static func assemble(
        flags: [(String, Double)], file: [(String, Double)], measured: [PilotMeasurement]
    ) throws -> PaybackInputs {
        var inputs = PaybackInputs()
        for measurement in measured {
            try inputs.set(measurement.key, measurement.value, source: .measured, note: measurement.note)
        }
        for (key, value) in file { try inputs.set(key, value, source: .file) }
        for (key, value) in flags { try inputs.set(key, value, source: .flag) }
        return inputs
    }

    /// Reads a JSON object of snake_case keys to numbers. A key given twice, an unknown key or a value that is
    /// not a number is refused by name, before anything is used.
    public static func parseFile(_ data: Data, path: String) throws -> [(String, Double)] {
        let value: JSONValue
        do {
            value = try JSONReader.parse(data)
        } catch let error as JSONSyntaxError {
            if let key = error.duplicateKey { throw DrillsError.inputsDuplicateKey(path: path, key: key) }
            throw DrillsError.inputsNotJSON(path: path)
        }
        guard let members = value.members else { throw DrillsError.inputsNotJSON(path: path) }
        var result: [(String, Double)] = []
        for (key, item) in members {
            guard Self.key(key) != nil else { throw DrillsError.inputsUnknownKey(path: path, key: key) }
            guard case .number(let number) = item else { throw DrillsError.inputsNotNumber(path: path, key: key) }
            if let rule = rangeRule(key, number) {
                throw DrillsError.inputOutOfRange(key: key, value: plain(number), source: "file", rule: rule)
            }
            result.append((key, number))
        }
        return result
    }

    /// A number for people: whole numbers without decimals, others with up to two.
    public static func plain(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
