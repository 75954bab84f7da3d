// Files as other tools write them: spreadsheets' and Python's CSV, editors' byte order marks and CRLF,
// JSON with a key given twice, and bytes that are not UTF-8.
import Foundation
import LabTestSupport
import Testing

@testable import ToyModel

@Suite struct TextFormatTests {
    @Test func csvFollowsRFC4180() throws {
        let text =
            "\u{FEFF}text,intent\r\n\"Hello, where is \"\"my\"\" order?\r\nIt is late\",order_status\r\n\r\nplain,refund\r\n"
        let records = try CSV.records(Data(text.utf8))
        #expect(
            records == [
                CSV.Record(line: 1, fields: ["text", "intent"]),
                CSV.Record(line: 2, fields: ["Hello, where is \"my\" order?\r\nIt is late", "order_status"]),
                CSV.Record(line: 5, fields: ["plain", "refund"]),
            ])
        #expect(try CSV.records(Data("a,\"\"\nb,c".utf8)).map(\.fields) == [["a", ""], ["b", "c"]])
        #expect(throws: CSV.Failure.unclosedQuote(line: 2)) { try CSV.records(Data("a,b\n\"open,c\n".utf8)) }
        #expect(throws: CSV.Failure.textAfterQuote(line: 1)) { try CSV.records(Data("\"a\"b,c\n".utf8)) }
    }

    @Test func aCRLFTrainingFileTrainsTheSameWeights() throws {
        let bundle = try InstalledSystem("toy")
        let csv = try Data(contentsOf: URL(fileURLWithPath: bundle.root + "/data/train.csv"))
        let lf = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "x", seed: 42)
        // What Python's csv.writer and spreadsheets save: CRLF line ends, often a byte order mark.
        let crlf =
            Data([0xEF, 0xBB, 0xBF])
            + Data(String(decoding: csv, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(try Trainer.train(csv: crlf, dataName: "data/train.csv", dataSHA256: "x", seed: 42) == lf)
    }

    @Test func aTrainingFileThatIsNotUTF8NamesTheOffset() {
        var csv = Data("text,intent\nwhere is my order,order_status\ncaf".utf8)
        csv.append(0xE9)  // Latin-1 "é"
        csv.append(contentsOf: Data(",order_status\n".utf8))
        #expect(
            throws: ToyModelError.badTrainingRow(
                file: "data/train.csv", line: 3,
                reason: "the byte at offset 46 is not UTF-8 text (save the file as UTF-8)")
        ) {
            try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "x", seed: 1)
        }
    }

    @Test func aConfigKeyGivenTwiceIsRefusedByName() throws {
        let bundle = try InstalledSystem("toy")
        try bundle.edit("system/config.json") { _ in "{\"temperature\": 0, \"temperature\": 0.9}" }
        #expect(throws: ToyModelError.configInvalid(reason: "the key 'temperature' is given more than once")) {
            try bundle.system()
        }
    }

    @Test func textComponentsThatAreNotUTF8NameTheFileAndOffset() throws {
        let bundle = try InstalledSystem("toy")
        let prompt = bundle.root + "/system/prompt.md"
        var data = try Data(contentsOf: URL(fileURLWithPath: prompt))
        let offset = data.count
        data.append(contentsOf: [0x66, 0xFF, 0x0A])
        try data.write(to: URL(fileURLWithPath: prompt))
        #expect(throws: ToyModelError.notUTF8(file: "prompt.md", offset: offset + 1)) { try bundle.system() }
        #expect(
            ToyModelError.notUTF8(file: "prompt.md", offset: 7).description
                == "prompt.md is not UTF-8 text: the byte at offset 7 is invalid; save the file as UTF-8.")
    }

    @Test func aCRLFPromptKeepsItsDirectives() throws {
        let bundle = try InstalledSystem("toy")
        let before = try bundle.system().ask("I want a refund of $900 for my sofa", seed: 1)
        try bundle.edit("system/prompt.md") { "\u{FEFF}" + $0.replacingOccurrences(of: "\n", with: "\r\n") }
        #expect(try bundle.system().ask("I want a refund of $900 for my sofa", seed: 1) == before)
    }
}
