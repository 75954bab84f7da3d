// The largest inputs the bundled toy system reads, and the one way it reads a file from the workspace. Each
// limit sits far above anything the labs need and below what makes a command take long (a 1 MiB prompt
// loads in well under a second; a 1 GB one took minutes and gigabytes), so an oversized or odd file is
// refused by name before it is loaded. The README's "Input limits" table lists them.
public import Foundation
import Hashing

public enum InputLimits {
    /// `prompt.md`: directive lines and free text.
    public static let prompt = 1 << 20
    /// `config.json`: a handful of knobs.
    public static let config = 1 << 20
    /// `weights.json`: the classifier (about 150 KiB for the bundled intents).
    public static let weights = 16 << 20
    /// Each document in `index/`.
    public static let indexDocument = 1 << 20
    /// All documents in `index/` together (retrieval builds postings over all of them at load).
    public static let index = 16 << 20
    /// `data/train.csv` (hashed for lineage at register, parsed by train).
    public static let trainingData = 64 << 20
    /// One eval suite, `evals/NAME.jsonl` (about 40,000 cases: every gate runs them all).
    public static let suite = 8 << 20

    /// The limit for a top-level file component of the toy system, by name.
    public static let files: [String: Int] = ["prompt.md": prompt, "config.json": config, "weights.json": weights]
    /// The limit for each file of a folder component, by the folder's name.
    public static let folderFiles: [String: Int] = ["index": indexDocument]
    /// The limit for all files of a folder component together, by the folder's name.
    public static let folders: [String: Int] = ["index": index]

    /// Reads a workspace file the toy system needs: only a regular file, at most `limit` bytes; `shown` names
    /// it in the error (e.g. `system/prompt.md`).
    public static func read(_ path: String, shown: String, limit: Int) throws -> Data {
        do {
            return try BoundedFile.contents(path, limit: limit)
        } catch .missing {
            throw ToyModelError.missingComponent(shown)
        } catch .notRegular(let kind) {
            throw ToyModelError.notAFile(path: shown, kind: kind)
        } catch .tooLarge(let size, let limit) {
            throw ToyModelError.tooLarge(file: shown, size: size, limit: limit)
        } catch .unreadable {
            throw ToyModelError.unreadable(path: path)
        }
    }

    /// Refuses an in-memory component (a blob from the registry) larger than its limit, before it is parsed.
    static func check(_ data: Data, name: String, limit: Int) throws {
        guard data.count <= limit else { throw ToyModelError.tooLarge(file: name, size: data.count, limit: limit) }
    }
}
