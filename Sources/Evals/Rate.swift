// Rates as people read them: the one percent format of every pass rate, canary slice and signal shown.
import Foundation

public enum Rate {
    /// `0.9444` as `94.4%` (with `decimals` digits after the point).
    public static func percent(_ rate: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f%%", rate * 100)
    }
}
