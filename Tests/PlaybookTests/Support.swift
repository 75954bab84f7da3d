// What the playbook tests add to the shared lab workspace.
import LabTestSupport
import Testing

extension LabWorkspace {
    func dropLegalThreatTrigger() throws {
        try setEscalation("escalate: refund_over_500, account_takeover")
    }
}
