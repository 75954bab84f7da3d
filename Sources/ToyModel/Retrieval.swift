// The knowledge base: BM25 over the documents in index/, with postings built once at load.
import Foundation

struct KnowledgeBase: Sendable {
    struct Document: Sendable {
        var id: String
        var title: String
        /// The first paragraph after the title: what an answer quotes.
        var summary: String
        var length: Int
    }

    let documents: [Document]
    private let postings: [String: [(document: Int, count: Int)]]
    private let averageLength: Double
    private let k1 = 1.2
    private let b = 0.75

    /// `files` maps paths inside index/ to bytes; only `.md` and `.txt` files are documents.
    init(files: [String: Data]) throws {
        var documents: [Document] = []
        var postings: [String: [(document: Int, count: Int)]] = [:]
        for (path, data) in files.sorted(by: { $0.key < $1.key }) where path.hasSuffix(".md") || path.hasSuffix(".txt")
        {
            let text = try ToySystem.text(of: data, name: "index/\(path)")
            let name = (path as NSString).lastPathComponent
            let id = (name as NSString).deletingPathExtension
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let title = lines.first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? id
            let paragraphs = text.components(separatedBy: "\n\n").map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            let summary = paragraphs.first?.replacingOccurrences(of: "\n", with: " ") ?? ""
            let tokens = Text.tokens(text)
            var counts: [String: Int] = [:]
            for token in tokens { counts[token, default: 0] += 1 }
            for (token, count) in counts.sorted(by: { $0.key < $1.key }) {
                postings[token, default: []].append((documents.count, count))
            }
            documents.append(Document(id: id, title: title, summary: summary, length: tokens.count))
        }
        self.documents = documents
        self.postings = postings
        averageLength = documents.isEmpty ? 1 : Double(documents.map(\.length).reduce(0, +)) / Double(documents.count)
    }

    /// The top `limit` documents for `query` tokens with their BM25 scores, best first (ties by id).
    func search(_ query: [String], limit: Int) -> [(document: Document, score: Double)] {
        guard limit > 0, !documents.isEmpty else { return [] }
        var scores = [Double](repeating: 0, count: documents.count)
        let total = Double(documents.count)
        var seen = Set<String>(minimumCapacity: query.count)
        for token in query where seen.insert(token).inserted {
            guard let list = postings[token] else { continue }
            let idf = log(1 + (total - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
            for (document, count) in list {
                let frequency = Double(count)
                let norm = k1 * (1 - b + b * Double(documents[document].length) / averageLength)
                scores[document] += idf * frequency * (k1 + 1) / (frequency + norm)
            }
        }
        return scores.indices.filter { scores[$0] > 0 }
            .sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : documents[$0].id < documents[$1].id }
            .prefix(limit).map { (documents[$0], scores[$0]) }
    }
}
