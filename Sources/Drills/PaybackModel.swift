// `roi`: the one-page payback model. The formula is written out in Docs/roi.md with a worked example; this
// file is that formula, the measurements the pilot feeds it, and the sensitivity of payback to each input.
public import Foundation
import Playbook
public import Registry

/// A measured input: the value and what it was measured from.
public struct PilotMeasurement: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var note: String

    public init(key: String, value: Double, note: String) {
        self.key = key
        self.value = value
        self.note = note
    }
}

/// How payback moves when one input goes from its low to its high value (each ±25%, shares capped at 1).
public struct SensitivityRow: Codable, Sendable, Equatable {
    public var key: String
    public var label: String
    public var low: Double
    public var high: Double
    /// Payback in months at the low and high value; absent when it never pays back there.
    public var paybackAtLow: Double?
    public var paybackAtHigh: Double?
    /// |payback(high) − payback(low)| in months; absent when one end never pays back (an unbounded swing).
    public var swingMonths: Double?

    enum CodingKeys: String, CodingKey {
        case key, label, low, high
        case paybackAtLow = "payback_at_low_months"
        case paybackAtHigh = "payback_at_high_months"
        case swingMonths = "swing_months"
    }
}

public struct PaybackResult: Codable, Sendable, Equatable {
    public var inputs: [PaybackInput]
    public var toolingCost: Double
    public var labourCost: Double
    public var processTax: Double
    public var annualCost: Double
    public var preventedLoss: Double
    public var reproductionSavings: Double
    public var avoidedLoss: Double
    public var monthlyBenefit: Double
    public var monthlyRunningCost: Double
    public var monthlyNetBenefit: Double
    /// Annual cost ÷ monthly avoided loss, in months; absent when nothing is avoided (it never pays back).
    public var paybackMonths: Double?
    /// The one-time setup (setup hours × rate), the only cost not paid every month.
    public var setupCost: Double
    /// Months until the cumulative net cash flow (−setup, then + monthly net benefit each month) reaches zero;
    /// absent when the monthly net benefit is zero or less.
    public var breakEvenMonths: Double?
    /// The first whole month at whose end the cumulative net cash flow is no longer negative.
    public var breakEvenMonth: Int?
    public var premature: Bool
    public var verdict: String
    public var sensitivity: [SensitivityRow]

    enum CodingKeys: String, CodingKey {
        case inputs, premature, verdict, sensitivity
        case toolingCost = "tooling_cost"
        case labourCost = "labour_cost"
        case processTax = "process_tax"
        case annualCost = "annual_cost"
        case preventedLoss = "prevented_loss"
        case reproductionSavings = "reproduction_savings"
        case avoidedLoss = "avoided_loss"
        case monthlyBenefit = "monthly_benefit"
        case monthlyRunningCost = "monthly_running_cost"
        case monthlyNetBenefit = "monthly_net_benefit"
        case paybackMonths = "payback_months"
        case setupCost = "setup_cost"
        case breakEvenMonths = "break_even_months"
        case breakEvenMonth = "break_even_month"
    }
}

public enum PaybackModel {
    /// The share by which each input is moved for the sensitivity table.
    public static let swing = 0.25

    /// The formula (Docs/roi.md):
    ///   annual cost   = tooling + (setup h + 12 × maintenance h/month) × rate + minutes/deploy ÷ 60 × deploys × rate
    ///   avoided loss  = incidents/year × cost/incident × preventable share + reproduction h saved × rate
    ///   payback       = annual cost ÷ (avoided loss ÷ 12)                       (months)
    ///   monthly net   = avoided loss ÷ 12 − (tooling + 12 × maintenance h × rate + process tax) ÷ 12
    ///   break-even    = setup h × rate ÷ monthly net   (months of cumulative net cash flow to recover setup)
    /// Each cost is counted once in each figure: payback sets the year's whole cost against the avoided loss;
    /// break-even recovers the one-time setup from what is left each month after the running costs.
    public static func compute(_ inputs: PaybackInputs) -> PaybackResult {
        var result = core(inputs)
        result.sensitivity = sensitivity(inputs)
        return result
    }

    static func core(_ inputs: PaybackInputs) -> PaybackResult {
        let rate = inputs["loaded_rate"]
        let tooling = inputs["tooling_cost"]
        let labour = (inputs["setup_hours"] + 12 * inputs["maintenance_hours"]) * rate
        let processTax = inputs["minutes_per_deploy"] / 60 * inputs["deploys_per_year"] * rate
        let annualCost = tooling + labour + processTax
        let prevented = inputs["incidents_per_year"] * inputs["cost_per_incident"] * inputs["preventable_share"]
        let reproduction = inputs["reproduction_hours_saved"] * rate
        let avoided = prevented + reproduction
        let monthlyBenefit = avoided / 12
        let monthlyRunning = (tooling + 12 * inputs["maintenance_hours"] * rate + processTax) / 12
        let net = monthlyBenefit - monthlyRunning
        let payback = monthlyBenefit > 0 ? annualCost / monthlyBenefit : nil
        let setup = inputs["setup_hours"] * rate
        let breakEven = net > 0 ? setup / net : nil
        let premature = payback.map { $0 > 12 } ?? true
        return PaybackResult(
            inputs: inputs.ordered, toolingCost: tooling, labourCost: labour, processTax: processTax,
            annualCost: annualCost, preventedLoss: prevented, reproductionSavings: reproduction, avoidedLoss: avoided,
            monthlyBenefit: monthlyBenefit, monthlyRunningCost: monthlyRunning, monthlyNetBenefit: net,
            paybackMonths: payback, setupCost: setup, breakEvenMonths: breakEven,
            breakEvenMonth: breakEven.map { max(1, Int($0.rounded(.up))) }, premature: premature,
            verdict: verdict(payback: payback, breakEven: breakEven, benefit: monthlyBenefit, running: monthlyRunning),
            sensitivity: [])
    }

    static func verdict(payback: Double?, breakEven: Double?, benefit: Double, running: Double) -> String {
        guard let payback, let breakEven else {
            return "It never pays back: the running costs (\(Money.format(running)) a month) meet or exceed the "
                + "avoided loss (\(Money.format(benefit)) a month), so this is probably premature at your stage."
        }
        let months = String(format: "%.2f", payback)
        let cash =
            " Cash break-even: \(String(format: "%.2f", breakEven)) months (month \(max(1, Int(breakEven.rounded(.up))))"
            + " is the first to end with the setup recovered)."
        if payback > 12 {
            return "Payback takes \(months) months, more than a year: probably premature at your stage." + cash
        }
        return "Pays back in \(months) months." + cash
    }

    /// Each formula input moved down and up by `swing` (a share capped at 1), the others held; ranked by how
    /// far payback moves, an unbounded swing (never paying back at one end) first.
    static func sensitivity(_ inputs: PaybackInputs) -> [SensitivityRow] {
        var rows: [(order: Int, row: SensitivityRow)] = []
        for (order, spec) in PaybackInputs.keys.enumerated() where !spec.context {
            let base = inputs[spec.key]
            let low = base * (1 - swing)
            var high = base * (1 + swing)
            if spec.key == "preventable_share" { high = min(1, high) }
            var lowInputs = inputs
            var highInputs = inputs
            try? lowInputs.set(spec.key, low, source: .flag)
            try? highInputs.set(spec.key, high, source: .flag)
            let atLow = core(lowInputs).paybackMonths
            let atHigh = core(highInputs).paybackMonths
            let swingMonths: Double?
            switch (atLow, atHigh) {
            case (let a?, let b?): swingMonths = abs(b - a)
            case (nil, nil): swingMonths = 0
            default: swingMonths = nil
            }
            rows.append(
                (
                    order,
                    SensitivityRow(
                        key: spec.key, label: spec.label, low: low, high: high, paybackAtLow: atLow,
                        paybackAtHigh: atHigh, swingMonths: swingMonths)
                ))
        }
        return rows.sorted { a, b in
            let sa = a.row.swingMonths ?? .infinity
            let sb = b.row.swingMonths ?? .infinity
            return sa != sb ? sa > sb : a.order < b.order
        }.map(\.row)
    }

    /// What the workspace's event log measures for the pilot quarter (`quarter`, or the one holding now):
    /// real incidents per year, extrapolated from the days of that quarter the registry has observed, and the
    /// median time to rollback during it (real incidents; drills when there were none) and before it (real
    /// incidents detected before the quarter began). Nothing is measured
    /// from an empty quarter, so a quiet pilot never turns into "zero incidents a year".
    public static func measure(events: [Event], now: Date, quarter: Quarter?, drills: [DrillRecord] = [])
        throws -> [PilotMeasurement]
    {
        let pilot = quarter ?? Quarter(containing: now)
        let stats = try IncidentStats.report(events: events, quarter: pilot, drills: drills).total
        var measured: [PilotMeasurement] = []
        let from = max(pilot.start, events.first?.at ?? pilot.start)
        let to = min(pilot.end, now)
        let days = to.timeIntervalSince(from) / 86_400
        if stats.real.incidents > 0, days >= 1 {
            let perYear = Double(stats.real.incidents) * 365 / days
            measured.append(
                PilotMeasurement(
                    key: "incidents_per_year", value: (perYear * 100).rounded() / 100,
                    note: "\(stats.real.incidents) real incident(s) in \(pilot) over "
                        + String(format: "%.1f", days) + " observed day(s), × 365"))
        }
        let drillIDs = try DrillMarking.incidentIDs(events: events)
        let before = try Incidents.all(events: events).filter {
            !drillIDs.contains($0.id) && $0.detectedAt < pilot.start
        }
        let beforeTimes = DurationSummary(before.compactMap(IncidentStats.secondsToRestored))
        if let median = beforeTimes.medianSeconds {
            measured.append(
                PilotMeasurement(
                    key: "rollback_minutes_before", value: (median / 60 * 100).rounded() / 100,
                    note: "median detection → tag moved of \(beforeTimes.count) real incident(s) before \(pilot)"))
        }
        if let median = stats.real.toRestored.medianSeconds {
            measured.append(
                PilotMeasurement(
                    key: "rollback_minutes_during", value: (median / 60 * 100).rounded() / 100,
                    note: "median detection → tag moved of \(stats.real.toRestored.count) real incident(s) in \(pilot)"
                ))
        } else if let median = stats.drills.toRestored.medianSeconds {
            measured.append(
                PilotMeasurement(
                    key: "rollback_minutes_during", value: (median / 60 * 100).rounded() / 100,
                    note: "median detection → tag moved of \(stats.drills.toRestored.count) drill(s) in \(pilot)"))
        }
        return measured
    }
}

/// Money as the page prints it: two decimals, thousands grouped with commas, no currency symbol.
public enum Money {
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let text = String(format: "%.2f", abs(value))
        let parts = text.split(separator: ".")
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let sign = value < 0 && text != "0.00" ? "-" : ""
        return sign + whole + grouped + "." + (parts.count > 1 ? String(parts[1]) : "00")
    }
}
