import Foundation

/// Writes a digest as pretty-printed JSON with sorted snake_case keys and ISO 8601 dates.
///
/// The schema is documented on ``Digest``. An empty digest is written like any other: zeros, empty
/// arrays, `"is_empty": true` and the "Nothing happened" sentence in `summary`.
struct JSONDigestRenderer {
    let digest: Digest

    init(_ digest: Digest) {
        self.digest = digest
    }

    func render() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            let json = String(decoding: try encoder.encode(digest), as: UTF8.self)
            // The encoder writes an empty array over three lines. A raw line break cannot occur inside
            // a JSON string, so this only touches the layout.
            return json.replacing(#/\[\n\n *\]/#, with: "[]") + "\n"
        } catch let error as EncodingError {
            var path = ""
            if case let .invalidValue(_, context) = error {
                path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            }
            let location = path.isEmpty ? "" : " at \(path)"
            throw DigestRenderingError(
                .unrepresentableValue,
                "cannot write the digest as JSON: the value\(location) is not a finite number; "
                    + "fix the digest's builder to leave unknown values nil",
                format: .json, cause: error)
        }
    }
}
