// `requests import FILE.jsonl`: a service's own request log into the attribution log, so `audit ID` answers
// "which version said that" for an adopted system. One JSON object a line: `id`, `at` (ISO 8601), `version` (a
// version id or prefix, or a deploy folder's release name), `input_sha256`, `output_sha256`, optional
// `satisfied`. Every line is checked before anything is written; a refused import names its lines by number
// and writes nothing.
public import Foundation
import Hashing
public import Registry

public struct RequestImportReport: Encodable, Sendable {
    public var imported: Int
    public var versions: [String: Int]
}

public enum RequestImport {
    /// The most refusals one message lists.
    static let listed = 10

    public static func run(file: String, in context: PlayContext) throws -> RequestImportReport {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PlaybookError.invalid("\(file) cannot be read; give the path of the service's JSON-lines log.")
        }
        let log = AttributionLog(registryRoot: context.registry.root)
        var records: [RequestRecord] = []
        var problems: [String] = []
        var seen: [String: Int] = [:]
        var resolved: [String: String] = [:]
        for (offset, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let value = try? JSONReader.parse(Data(text.utf8)), case .object = value else {
                problems.append("line \(number) is not a JSON object")
                continue
            }
            guard let id = value["id"]?.string, RequestRecord.isValidID(id) else {
                problems.append("line \(number) has no \"id\" of 1–128 printable characters")
                continue
            }
            if let first = seen[id] {
                problems.append("line \(number) repeats the id '\(id)' of line \(first)")
                continue
            }
            seen[id] = number
            if try log.lookup(id) != nil {
                problems.append("line \(number): the request '\(id)' is already in the attribution log")
                continue
            }
            guard let atText = value["at"]?.string, let at = date(atText) else {
                problems.append("line \(number) has no \"at\" time in ISO 8601 (such as 2026-12-01T09:00:00Z)")
                continue
            }
            guard let ref = value["version"]?.string, !ref.isEmpty else {
                problems.append("line \(number) has no \"version\"")
                continue
            }
            let version = resolved[ref] ?? (try? context.registry.resolve(ref).id)
            guard let version else {
                problems.append("line \(number) names the version '\(ref)', which is not registered")
                continue
            }
            resolved[ref] = version
            guard let input = value["input_sha256"]?.string, isHash(input),
                let output = value["output_sha256"]?.string, isHash(output)
            else {
                problems.append(
                    "line \(number) needs \"input_sha256\" and \"output_sha256\" as 64 lowercase hex digits")
                continue
            }
            var satisfied: Bool?
            if let label = value["satisfied"] {
                guard case .bool(let flag) = label else {
                    problems.append("line \(number) has a \"satisfied\" that is not true or false")
                    continue
                }
                satisfied = flag
            }
            records.append(
                RequestRecord(
                    id: id, at: at, version: version, seed: 0, input: "", inputSHA256: input, output: "",
                    outputSHA256: output, satisfied: satisfied, source: "import", caseID: nil, latencyMicros: nil,
                    inputDroppedAt: at))
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(listed).joined(separator: "; ")
            let more = problems.count > listed ? " (and \(problems.count - listed) more)" : ""
            throw PlaybookError.invalid(
                "Nothing was imported: \(shown)\(more). Fix those lines (or remove them) and import again.")
        }
        guard !records.isEmpty else {
            throw PlaybookError.invalid("\(file) holds no requests; nothing was imported.")
        }
        try log.append(records)
        return RequestImportReport(
            imported: records.count, versions: Dictionary(records.map { ($0.version, 1) }, uniquingKeysWith: +))
    }

    static func isHash(_ text: String) -> Bool { Registry.isFullID(text) }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
