// The payback model: the hand-computed example of Docs/roi.md to the cent, sources, verdicts and refusals.
import Drills
import Foundation
import LabTestSupport
import Testing

@Suite struct PaybackModelTests {
    /// The worked example in Docs/roi.md.
    static let example: [(String, Double)] = [
        ("tooling_cost", 1200), ("setup_hours", 20), ("maintenance_hours", 4), ("loaded_rate", 100),
        ("minutes_per_deploy", 6), ("deploys_per_year", 100), ("incidents_per_year", 6),
        ("cost_per_incident", 10000), ("preventable_share", 0.5), ("reproduction_hours_saved", 30),
    ]

    @Test func reproducesTheHandComputedExample() throws {
        let inputs = try PaybackInputs.assemble(flags: Self.example, file: [], measured: [])
        let result = PaybackModel.compute(inputs)
        #expect(Money.format(result.toolingCost) == "1,200.00")
        #expect(Money.format(result.labourCost) == "6,800.00")
        #expect(Money.format(result.processTax) == "1,000.00")
        #expect(Money.format(result.annualCost) == "9,000.00")
        #expect(Money.format(result.preventedLoss) == "30,000.00")
        #expect(Money.format(result.reproductionSavings) == "3,000.00")
        #expect(Money.format(result.avoidedLoss) == "33,000.00")
        #expect(Money.format(result.monthlyBenefit) == "2,750.00")
        #expect(Money.format(result.monthlyRunningCost) == "583.33")
        #expect(Money.format(result.monthlyNetBenefit) == "2,166.67")
        #expect(String(format: "%.2f", try #require(result.paybackMonths)) == "3.27")
        #expect(Money.format(result.setupCost) == "2,000.00")
        #expect(String(format: "%.2f", try #require(result.breakEvenMonths)) == "0.92")
        #expect(result.breakEvenMonth == 1)
        #expect(!result.premature)
        let page = PaybackPage.markdown(result)
        #expect(page.contains("**Payback: 3.27 months; cash break-even: 0.92 months (month 1).** Pays back in 3.27"))
        #expect(page.contains("| **Annual cost** |  | **9,000.00** |"))
        #expect(page.contains("| Monthly net cash flow | avoided loss ÷ 12 − running cost | 2,166.67 |"))
        // Sensitivity of the example, also in Docs/roi.md: the incident inputs move payback most.
        #expect(result.sensitivity.first?.key == "incidents_per_year")
        #expect(result.sensitivity.count == 10)
        let rate = try #require(result.sensitivity.first { $0.key == "loaded_rate" })
        #expect(rate.low == 75 && rate.high == 125)
    }

    @Test func everyInputIsEchoedWithItsSource() throws {
        let inputs = try PaybackInputs.assemble(
            flags: [("loaded_rate", 150)],
            file: [("loaded_rate", 120), ("setup_hours", 10), ("incidents_per_year", 2)],
            measured: [
                PilotMeasurement(key: "incidents_per_year", value: 8, note: "2 real incidents"),
                PilotMeasurement(key: "rollback_minutes_during", value: 4.5, note: "median of 2"),
            ])
        let sources = Dictionary(uniqueKeysWithValues: inputs.ordered.map { ($0.key, $0.source) })
        #expect(sources["loaded_rate"] == .flag, "a flag beats the file")
        #expect(inputs["loaded_rate"] == 150)
        #expect(sources["setup_hours"] == .file)
        #expect(sources["incidents_per_year"] == .file, "the file beats a measurement")
        #expect(sources["rollback_minutes_during"] == .measured)
        #expect(sources["tooling_cost"] == .defaulted)
        #expect(inputs.ordered.count == PaybackInputs.keys.count)
        let page = PaybackPage.markdown(PaybackModel.compute(inputs))
        #expect(page.contains("| Loaded rate | 150 | per hour | flag |"))
        #expect(page.contains("| Setup hours | 10 | hours, once | file |"))
        #expect(page.contains("| Time to rollback during the pilot | 4.5 | minutes | measured (median of 2) |"))
        #expect(page.contains("| Tooling cost | 1200 | per year | default |"))
    }

    /// The defaults, worked by hand in Docs/roi.md: each running cost counted once in each figure.
    @Test func reproducesTheHandWorkedDefaults() throws {
        let defaults = PaybackModel.compute(PaybackInputs())
        #expect(Money.format(defaults.annualCost) == "10,416.67")
        #expect(Money.format(defaults.avoidedLoss) == "14,000.00")
        #expect(Money.format(defaults.monthlyBenefit) == "1,166.67")
        #expect(String(format: "%.2f", defaults.paybackMonths ?? 0) == "8.93")
        #expect(Money.format(defaults.setupCost) == "4,000.00")
        #expect(Money.format(defaults.monthlyRunningCost) == "534.72")
        #expect(Money.format(defaults.monthlyNetBenefit) == "631.94")
        #expect(String(format: "%.2f", defaults.breakEvenMonths ?? 0) == "6.33")
        #expect(defaults.breakEvenMonth == 7)
        #expect(!defaults.premature)
        // The wrong path the model once took: the annual cost over the net benefit counts running costs twice.
        #expect(String(format: "%.2f", defaults.annualCost / defaults.monthlyNetBenefit) == "16.48")
        #expect(defaults.paybackMonths != defaults.annualCost / defaults.monthlyNetBenefit)
        let page = PaybackPage.markdown(defaults)
        #expect(page.contains("**Payback: 8.93 months; cash break-even: 6.33 months (month 7).**"))
        // "Before" is never a default posing as a measurement.
        #expect(page.contains("| Time to rollback before the pilot | - | minutes | not measured and not given"))
        let estimated = PaybackPage.markdown(
            PaybackModel.compute(
                try PaybackInputs.assemble(flags: [("rollback_minutes_before", 45)], file: [], measured: [])))
        #expect(estimated.contains("| Time to rollback before the pilot | 45 | minutes | your estimate (flag) |"))
    }

    @Test func saysPlainlyWhenPaybackExceedsAYear() throws {
        let slow = PaybackModel.compute(
            try PaybackInputs.assemble(flags: [("incidents_per_year", 1)], file: [], measured: []))
        #expect(slow.premature)
        #expect(slow.verdict.contains("more than a year: probably premature at your stage"))
        let never = PaybackModel.compute(
            try PaybackInputs.assemble(flags: [("incidents_per_year", 0)], file: [], measured: []))
        #expect(never.breakEvenMonths == nil)
        #expect(never.verdict.hasPrefix("It never pays back"))
        #expect(never.verdict.contains("probably premature at your stage"))
        #expect(PaybackPage.markdown(never).contains("cash break-even: never.**"))
    }

    @Test func badInputsAreRefusedByName() throws {
        func refusal(_ json: String) -> String? {
            do {
                _ = try PaybackInputs.parseFile(Data(json.utf8), path: "in.json")
                return nil
            } catch {
                return (error as? DrillsError)?.description
            }
        }
        #expect(refusal(#"{"loaded_rate": 1, "loaded_rate": 2}"#)?.contains("gives 'loaded_rate' twice") == true)
        #expect(refusal(#"{"loaded_rte": 1}"#)?.contains("unknown key 'loaded_rte'") == true)
        #expect(refusal(#"{"loaded_rate": "100"}"#)?.contains("'loaded_rate'") == true)
        #expect(refusal(#"{"preventable_share": 1.5}"#)?.contains("between 0 and 1") == true)
        #expect(refusal(#"{"setup_hours": -1}"#)?.contains("must not be negative") == true)
        #expect(refusal("[1, 2]")?.contains("not one JSON object") == true)
        #expect(refusal(#"{"setup_hours": 10}"#) == nil)
    }

    @Test func htmlIsOneStaticByteStablePage() throws {
        let result = PaybackModel.compute(try PaybackInputs.assemble(flags: Self.example, file: [], measured: []))
        let page = PaybackPage.html(result)
        let again = PaybackModel.compute(try PaybackInputs.assemble(flags: Self.example, file: [], measured: []))
        #expect(page == PaybackPage.html(again), "the same inputs give the same bytes")
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<svg"))
        for banned in ["<script", "http://", "https://", "<link", "@import", "url("] {
            #expect(!page.contains(banned), "\(banned)")
        }
        #expect(page.contains("Payback: 3.27 months; cash break-even: 0.92 months (month 1)."))
    }
}
