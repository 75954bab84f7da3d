// Eval suites as other tools write them: CRLF line ends, a byte order mark, and bytes that are not UTF-8.
import Foundation
import LabTestSupport
import Testing

@testable import Evals

@Suite struct JSONLinesFormatTests {
    @Test func aCRLFSuiteWithAByteOrderMarkReadsLikeAnLFOne() throws {
        let workspace = try InstalledSystem("evals")
        let data = try Data(contentsOf: URL(fileURLWithPath: workspace.root + "/evals/core.jsonl"))
        let lf = try EvalSuite(name: "core", data: data, sha256: "s", fileName: "evals/core.jsonl", knownIntents: nil)
        let crlf =
            Data([0xEF, 0xBB, 0xBF])
            + Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let read = try EvalSuite(
            name: "core", data: crlf, sha256: "s", fileName: "evals/core.jsonl", knownIntents: nil)
        #expect(read.cases == lf.cases)
        #expect(read.cases.count > 10)
    }

    @Test func aLineThatIsNotUTF8IsNamedWithItsOffset() {
        let good = #"{"id":"a","input":"where is it","expect":{"intent":"order_status"}}"#
        var data = Data("\(good)\r\n{\"id\":\"b\",\"input\":\"caf".utf8)
        let offset = data.count
        data.append(0xE9)
        data.append(contentsOf: Data("\",\"expect\":{\"intent\":\"*\"}}\r\n".utf8))
        #expect(
            throws: EvalsError.malformedCase(
                file: "evals/x.jsonl", line: 2,
                reason: "the byte at offset \(offset) is not UTF-8 text (save the file as UTF-8)")
        ) {
            try EvalSuite(name: "x", data: data, sha256: "s", fileName: "evals/x.jsonl", knownIntents: nil)
        }
    }
}
