// The bench commands' options, declared once beside the benchmarks they size.
public import Terminal

public enum BenchOptions {
    public static let registryVersions = Option<Int>(
        "versions", "n", help: "How many versions the listing benchmark builds.", default: 10_000,
        check: { $0 >= 100 ? nil : "--versions must be at least 100, not \($0)." })
    public static let registryKeep = Option<String?>(
        "keep", "dir", help: "Keep the benchmark workspace in this new folder (for timing commands on it).")

    public static let calibration = Flag(
        "calibration",
        help:
            "Also run 100 seed pairs at temperature 0.7: false alarms, and detection of lab 05's "
            + "escalation regression and of a smaller one.")

    public static let playbookVersions = Option<Int>(
        "versions", "n", help: "Versions registered for the gc benchmark.", default: 10_000)
    public static let playbookRequests = Option<Int>(
        "requests", "n", help: "Records in the attribution log for the audit benchmark.", default: 1_000_000)
    public static let playbookKeep = Option<String?>(
        "keep", "dir", help: "Keep the benchmark workspace in this new folder (to time commands on it).")
}
