// The one percent format.
import Evals
import Testing

@Suite struct RateTests {
    @Test func aRateReadsAsPeopleReadIt() {
        #expect(Rate.percent(0.9444) == "94.4%")
        #expect(Rate.percent(1) == "100.0%")
        #expect(Rate.percent(0.12345, decimals: 2) == "12.35%")
        #expect(Rate.percent(0.5, decimals: 0) == "50%")
    }
}
