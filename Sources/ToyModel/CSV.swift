// The one CSV reader (RFC 4180), for files as spreadsheets and Python's csv module write them: CRLF or LF
// line ends, an optional UTF-8 byte order mark, quoted fields holding commas, doubled quotes and newlines.
import Foundation
import Hashing

enum CSV {
    struct Record: Equatable {
        /// The line the record starts on (a quoted newline makes a record span several lines).
        var line: Int
        var fields: [String]
    }

    enum Failure: Error, Equatable {
        case notUTF8(line: Int, offset: Int)
        case unclosedQuote(line: Int)
        case textAfterQuote(line: Int)
    }

    /// Every record of `data`, blank lines skipped. Fields are split on bytes, never on Swift characters: to
    /// Swift "\r\n" is one character, so splitting text on "\n" never splits a CRLF file.
    static func records(_ data: Data) throws(Failure) -> [Record] {
        let all = [UInt8](data)
        let start = all.starts(with: UTF8Text.byteOrderMark) ? UTF8Text.byteOrderMark.count : 0
        if let offset = UTF8Text.firstInvalidOffset(in: all[start...]) {
            let line = all[..<(start + offset)].filter { $0 == 0x0A }.count + 1
            throw .notUTF8(line: line, offset: start + offset)
        }
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let cr: UInt8 = 0x0D
        let lf: UInt8 = 0x0A
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var fieldQuoted = false
        var recordQuoted = false
        var line = 1
        var recordLine = 1
        var index = start
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
            fieldQuoted = false
        }
        func endRecord() {
            endField()
            let blank = !recordQuoted && fields.count == 1 && fields[0].allSatisfy { $0 == " " || $0 == "\t" }
            if !blank { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            recordQuoted = false
        }
        while index < all.count {
            let byte = all[index]
            if byte == quote, field.isEmpty, !fieldQuoted {
                // A quoted field runs to the next lone quote, across commas and line ends; "" is one quote.
                let opened = line
                fieldQuoted = true
                recordQuoted = true
                index += 1
                while true {
                    guard index < all.count else { throw .unclosedQuote(line: opened) }
                    let inner = all[index]
                    index += 1
                    if inner == quote {
                        guard index < all.count, all[index] == quote else { break }
                        index += 1
                    } else if inner == lf {
                        line += 1
                    }
                    field.append(inner)
                }
                guard index == all.count || [comma, cr, lf].contains(all[index]) else {
                    throw .textAfterQuote(line: line)
                }
                continue
            }
            index += 1
            switch byte {
            case comma:
                endField()
            case cr, lf:
                if byte == cr, index < all.count, all[index] == lf { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
        }
        if !field.isEmpty || fieldQuoted || !fields.isEmpty { endRecord() }
        return records
    }
}
