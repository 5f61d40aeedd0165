import Foundation
import Moderation
import Testing

@Suite struct CommentDecoderTests {
    let decoder = CommentDecoder()

    func decode(_ json: String) throws(CommentValidationError) -> Moderation.Comment {
        try decoder.decode(Data(json.utf8))
    }

    @Test func decodesAValidComment() throws {
        let comment = try decode("""
            {"id":"c-1","article_id":"news-42","author":"Ann","body":"Nice piece","rating":4,
             "article_url":"https://example.org/news/42","email":"ann@example.org","ip":"203.0.113.7",
             "user_agent":"Mozilla/5.0","submitted_at":"2026-11-29T07:30:00Z"}
            """)
        #expect(comment.id == "c-1")
        #expect(comment.articleID == "news-42")
        #expect(comment.rating == 4)
        #expect(comment.email == "ann@example.org")
        #expect(comment.submittedAt == Date(timeIntervalSince1970: 1_795_937_400))
    }

    @Test func bodyMayBeEmptyBecauseTheRatingIsTheRequiredPart() throws {
        let comment = try decode(#"{"id":"c","article_id":"a","author":"Ann","body":"","rating":5}"#)
        #expect(comment.body.isEmpty)
    }

    static let badInputs: [(json: String, code: CommentValidationError.Code, field: String?)] = [
        (#"{"article_id":"a","author":"A","body":"b","rating":3}"#, .missingField, "id"),
        (#"{"id":"c","author":"A","body":"b","rating":3}"#, .missingField, "article_id"),
        (#"{"id":"c","article_id":"a","body":"b","rating":3}"#, .missingField, "author"),
        (#"{"id":"c","article_id":"a","author":"A","rating":3}"#, .missingField, "body"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b"}"#, .missingField, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":null}"#, .missingField, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":0}"#, .invalidValue, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":6}"#, .invalidValue, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":-1}"#, .invalidValue, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":"five"}"#, .wrongType, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":"5"}"#, .wrongType, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":4.5}"#, .wrongType, "rating"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":true}"#, .wrongType, "rating"),
        (#"{"id":42,"article_id":"a","author":"A","body":"b","rating":3}"#, .wrongType, "id"),
        (#"{"id":"c","article_id":["a"],"author":"A","body":"b","rating":3}"#, .wrongType, "article_id"),
        (#"{"id":"c","article_id":"a","author":"A","body":{"t":1},"rating":3}"#, .wrongType, "body"),
        (#"{"id":"","article_id":"a","author":"A","body":"b","rating":3}"#, .invalidValue, "id"),
        (#"{"id":"c d","article_id":"a","author":"A","body":"b","rating":3}"#, .invalidValue, "id"),
        (#"{"id":"c","article_id":"a","author":"  ","body":"b","rating":3}"#, .invalidValue, "author"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3,"emial":"x@y.z"}"#, .unknownField, "emial"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3,"email":"not-an-email"}"#, .invalidValue, "email"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3,"ip":"999.1.1.1"}"#, .invalidValue, "ip"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3,"article_url":"javascript:alert(1)"}"#, .invalidValue, "article_url"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3,"submitted_at":"yesterday"}"#, .invalidValue, "submitted_at"),
        (#"{"id":"c","article_id":"a","author":"A","body":"a\u0000b","rating":3}"#, .invalidValue, "body"),
        (#"{"id":"c","article_id":"a","author":"A","body":"b","rating":3"#, .invalidJSON, nil),
        (#"not json"#, .invalidJSON, nil),
        (#""#, .invalidJSON, nil),
        (#"["id","c"]"#, .notAnObject, nil),
        (#""just a string""#, .notAnObject, nil),
    ]

    @Test(arguments: badInputs.indices)
    func refusesBadInputWithFieldAndCode(_ index: Int) {
        let input = Self.badInputs[index]
        #expect {
            _ = try decode(input.json)
        } throws: { error in
            guard let error = error as? CommentValidationError else { return false }
            return error.code == input.code && error.field == input.field && !error.message.isEmpty
        }
    }

    @Test func refusesInvalidUTF8() {
        var bytes = Array(#"{"id":"c","article_id":"a","author":"A","body":""#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#"","rating":3}"#.utf8)
        #expect(throws: CommentValidationError(.invalidUTF8, "The request body is not valid UTF-8; send JSON encoded as UTF-8.")) {
            _ = try decoder.decode(bytes)
        }
    }

    @Test func enforcesSizeLimits() {
        var limits = CommentLimits()
        limits.maxBodyCharacters = 10
        let small = CommentDecoder(limits: limits)
        #expect {
            _ = try small.decode(Data(#"{"id":"c","article_id":"a","author":"A","body":"eleven chars","rating":3}"#.utf8))
        } throws: { ($0 as? CommentValidationError)?.code == .tooLong && ($0 as? CommentValidationError)?.field == "body" }
        limits.maxRequestBytes = 20
        #expect {
            _ = try CommentDecoder(limits: limits).decode(Data(#"{"id":"c","article_id":"a","author":"A","body":"x","rating":3}"#.utf8))
        } throws: { ($0 as? CommentValidationError)?.code == .tooLarge }
    }

    @Test func combiningMarksCannotPadAField() throws {
        // One character: "a" with 2,000 acute accents (4,001 bytes), far under 200 characters.
        let padded = "a" + String(repeating: "\u{301}", count: 2_000)
        #expect(padded.count == 1)
        let json = #"{"id":""# + padded + #"","article_id":"a","author":"A","body":"hello","rating":3}"#
        #expect {
            _ = try CommentDecoder().decode(Data(json.utf8))
        } throws: { error in
            guard let error = error as? CommentValidationError else { return false }
            return error.code == .tooLong && error.field == "id" && error.description.contains("longer than 3200 bytes")
        }
        // Real text with heavy clusters passes: an author of 100 Devanagari conjuncts (स्ते, 12 bytes each),
        // and a body of 5,000 of them (60,000 bytes, within the 64 KiB request).
        let author = String(repeating: "स्ते", count: 100)
        let body = String(repeating: "स्ते", count: 5_000)
        let fine = try CommentDecoder().decode(Data((#"{"id":"c","article_id":"a","author":""# + author + #"","body":""# + body + #"","rating":3}"#).utf8))
        #expect(fine.author == author && fine.body == body)
    }

    @Test func bodyLimitCountsCharactersNotBytes() throws {
        var limits = CommentLimits()
        limits.maxBodyCharacters = 5
        let comment = try CommentDecoder(limits: limits).decode(Data(#"{"id":"c","article_id":"a","author":"A","body":"ééééé","rating":3}"#.utf8))
        #expect(comment.body == "ééééé")
    }

    @Test func ipv6AndNetworks() throws {
        #expect(IPAddress("2001:db8:1:2::7")?.network == "2001:db8:1::/48")
        #expect(IPAddress("203.0.113.77")?.network == "203.0.113.0/24")
        #expect(IPAddress("203.0.113") == nil)
    }

    /// Every RFC 3339 time the API document allows is read (found by schemathesis: ten fractional
    /// digits, lower-case t and z), and what is not a time is refused.
    @Test func submittedAtReadsRFC3339Times() {
        let parse = CommentDecoder.parseTimestamp
        let expected = Date(timeIntervalSince1970: 1_795_849_200)  // 2026-11-28T07:00:00Z
        #expect(parse("2026-11-28T07:00:00Z") == expected)
        #expect(parse("2026-11-28t07:00:00z") == expected)
        #expect(parse("2026-11-28T08:00:00+01:00") == expected)
        #expect(parse("2026-11-28T07:00:00.5Z") == expected.addingTimeInterval(0.5))
        #expect(parse("2026-11-28T07:00:00.7357779689Z").map { abs($0.timeIntervalSince(expected) - 0.735777) < 0.000_01 } == true)
        #expect(parse("2026-11-28T07:00:00.123+13:20") != nil)
        for bad in ["", "yesterday", "2026-11-28", "2026-11-28 07:00:00", "2026-11-28T07:00:00", "2026-13-28T07:00:00Z",
                    "2026-11-28T07:00:00." + String(repeating: "9", count: 60) + "Z"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    /// A character that combines with the scheme's last `/` does not hide the scheme (found by schemathesis).
    @Test func anArticleURLIsCheckedByItsBytes() throws {
        let decoder = CommentDecoder()
        let fields: [String: Any] = ["id": "u1", "article_id": "a", "author": "A", "body": "b", "rating": 3,
                                     "article_url": "https://\u{1F3FB}.example"]
        let comment = try decoder.decode(try JSONSerialization.data(withJSONObject: fields))
        #expect(comment.articleURL?.utf8.starts(with: "https://".utf8) == true)
        #expect(throws: CommentValidationError.self) {
            try decoder.decode(Data(#"{"id":"u2","article_id":"a","author":"A","body":"b","rating":3,"article_url":"ftp://x"}"#.utf8))
        }
    }
}
