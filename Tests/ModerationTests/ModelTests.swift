import Crypto
import Foundation
import Moderation
import ModeratoTestSupport
import ModeratoTools
import PCRE2
import Testing

/// The shipped model: training, its file, its explanations, the site's layer and the evasions it must see through.
@Suite struct ModelTests {
    // A small fixture: toxic comments use insults, civil ones talk about the town.
    static let insults = ["idiot", "moron", "clown", "scumbag", "loser", "imbecile"]
    static let topics = ["harbour", "bypass", "library", "council tax", "bus timetable", "lifeboat"]

    static func fixture() -> [(text: String, toxic: Bool)] {
        var rows: [(String, Bool)] = []
        for (index, insult) in insults.enumerated() {
            for topic in topics {
                rows.append(("You are a complete \(insult), stop posting about the \(topic)", true))
                rows.append(("Thanks for the update on the \(topic), see you at meeting \(index)", false))
            }
        }
        return rows
    }

    static func train(_ rows: [(text: String, toxic: Bool)], seed: UInt64 = 7) -> ModerationModel {
        var features = FeatureSettings()
        features.hashBits = 16
        var settings = TrainerSettings()
        settings.seed = seed
        settings.l1 = 0.01
        settings.l2 = 0.01
        settings.epochs = 20
        let empty = ModerationModel(features: features, outputs: [], name: "fixture")
        let scratch = MatchScratch()
        let examples = rows.map { row in
            TrainingExample(vector: ModelTraining.vector(row.text, model: empty, scratch: scratch), labels: [row.toxic ? 1 : 0, 0])
        }
        return ModelTrainer.train(examples, outputs: ["toxicity", "spam"], features: features, settings: settings, name: "fixture")
    }

    static let shipped: ModerationModel = {
        try! ModelFile.read(TestPaths.packageRoot.appendingPathComponent("Models/moderato.model").path)
    }()

    // MARK: Training

    @Test func trainingIsDeterministic() {
        let rows = Self.fixture()
        let first = ModelFile.encode(Self.train(rows))
        let second = ModelFile.encode(Self.train(rows))
        #expect(first == second)
        // Another seed shuffles differently and gives other weights: the seed is what fixes the bytes.
        #expect(ModelFile.encode(Self.train(rows, seed: 8)) != first)
    }

    @Test func aFixtureTrainsToAKnownSeparation() throws {
        let model = Self.train(Self.fixture())
        let toxicity = try #require(model.output(named: "toxicity"))
        let scratch = MatchScratch()
        // Unseen sentences with the same kinds of words.
        let toxic = ["what a moron you are", "typical clown behaviour, loser", "you imbecile"]
        let civil = ["the harbour wall is mended", "the library opens on Sunday", "the bus timetable changes in May"]
        let toxicScores = toxic.map { toxicity.logit(ModelTraining.vector($0, model: model, scratch: scratch)) }
        let civilScores = civil.map { toxicity.logit(ModelTraining.vector($0, model: model, scratch: scratch)) }
        #expect(toxicScores.min()! > civilScores.max()!, "toxic \(toxicScores), civil \(civilScores)")
        // Every unseen toxic sentence ranks above every civil one (ROC AUC 1 on the fixture).
        #expect(ModerationModel.sigmoid(toxicScores.min()!) - ModerationModel.sigmoid(civilScores.max()!) > 0.05)
    }

    // MARK: The model file

    @Test func theFileRoundTripsWithin16BitPrecision() throws {
        let model = Self.train(Self.fixture())
        let read = try ModelFile.decode(ModelFile.encode(model), path: "fixture.model")
        #expect(read.features == model.features && read.name == "fixture")
        for (original, copy) in zip(model.outputs, read.outputs) {
            let largest = original.weights.map(abs).max()!
            let worst = zip(original.weights, copy.weights).map { abs($0 - $1) }.max()!
            #expect(worst <= largest / 32767, "\(original.name): off by \(worst)")
            #expect(original.bias == copy.bias)
        }
    }

    @Test func aDamagedFileIsRefusedWithItsProblem() throws {
        let bytes = ModelFile.encode(Self.train(Self.fixture()))
        func problem(_ bytes: [UInt8]) -> String {
            do {
                _ = try ModelFile.decode(bytes, path: "site.model")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(problem(Array(bytes.prefix(bytes.count / 2))).contains("fails its checksum"))
        #expect(problem(Array(bytes.prefix(20))).contains("is truncated"))
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(problem(flipped) == "model file site.model: fails its checksum (truncated or damaged); rebuild it with Scripts/train-model.sh or copy it again")
        var version = bytes
        version[ModelFile.magic.count] = 9
        #expect(problem(version).contains("has format version 9; this build reads version 1"))
        #expect(problem(Array("text,toxic\nhello,0\n".utf8)).contains("is not a Moderato model file"))
        #expect(throws: ModelFileError.self) { try ModelFile.read("/nonexistent/moderato.model") }
    }

    @Test func theShippedModelMatchesItsManifest() throws {
        let root = TestPaths.packageRoot.appendingPathComponent("Models")
        let data = try Data(contentsOf: root.appendingPathComponent("moderato.model"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("moderato.manifest.json"))) as? [String: Any])
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        #expect(manifest["sha256"] as? String == digest)
        #expect(manifest["bytes"] as? Int == data.count)
        #expect(Self.shipped.sha256 == digest)
        let outputs = try #require(manifest["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["name"] as? String } == Self.shipped.outputs.map(\.name))
        #expect(outputs.map { $0["non_zero_weights"] as? Int } == Self.shipped.outputs.map(\.nonZeroWeights))
        let files = try #require(manifest["training_files"] as? [[String: Any]])
        #expect(files.count == 7 && files.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
        #expect((manifest["attributions"] as? [String])?.contains { $0.contains("CC BY-SA 3.0") } == true)
        #expect(data.count < 4_000_000, "a few MB at most")
    }

    // MARK: Explanations

    func judged(_ body: String, model: ModelJudge? = nil) -> (signals: [Signal], probability: Double) {
        let analysis = CommentAnalysis(comment: Fixtures.comment(body: body), scratch: MatchScratch())
        let reading = (model ?? ModelJudge(model: Self.shipped)).read(analysis)
        return (reading.signals, reading.probabilities["toxicity"] ?? 0)
    }

    @Test func theExplanationNamesAndMarksTheWordsThatPushed() throws {
        let body = "You are a complete idiot Sue, the council is a bunch of clowns"
        let (signals, probability) = judged(body)
        #expect(probability > 0.9)
        let main = try #require(signals.first { $0.name == "model.toxicity" })
        #expect(main.score >= 5, "holds at least")
        #expect(main.explanation.hasPrefix("The model reads as abuse"))
        #expect(main.explanation.contains("«idiot»") && main.explanation.contains("«clowns»"), "\(main.explanation)")
        let spans = signals.filter { $0.name.hasPrefix("model.toxicity") }.compactMap(\.span)
        #expect(spans.map(\.text).contains("idiot") && spans.map(\.text).contains("clowns"))
        let utf8 = Array(body.utf8)
        for span in spans {
            #expect(String(decoding: utf8[span.utf8Start..<span.utf8End], as: UTF8.self) == span.text)
        }
    }

    @Test func spansPointAtTheReadersOwnCharacters() throws {
        let body = "Honestly, you are an i-d-i-o-t."
        let (signals, _) = judged(body)
        let span = try #require(signals.first { $0.name == "model.toxicity" }?.span)
        #expect(span.text == "i-d-i-o-t")
    }

    @Test func aCivilCommentGetsNoSignal() {
        let (signals, probability) = judged("The harbour wall repairs finished on time; thanks to the council workers for a good job.")
        #expect(signals.isEmpty)
        #expect(probability < 0.2)
    }

    // MARK: Evasions

    @Test(arguments: [("c.h.e.c.k out my channel", "check"), ("you are an i-d-i-o-t", "idiot"), ("cheeeeck this", "check"),
                      ("what an iiidiot", "idiot"), ("you i.d.i.o.t", "idiot"), ("s-t-u-p-i-d move", "stupid")])
    func theNormalizerUndoesSeparatedAndStretchedLetters(text: String, word: String) {
        let normalized = TextNormalizer().normalize(text).text
        #expect(normalized.split(separator: " ").contains(Substring(word)), "\(normalized)")
    }

    @Test func evasionsReadLikeThePlainWord() {
        let plain = judged("you are an idiot").probability
        for evasion in ["you are an i-d-i-o-t", "you are an i.d.i.o.t", "you are an iiidiot", "you are an idiooooot"] {
            #expect(abs(judged(evasion).probability - plain) < 0.05, "\(evasion)")
        }
    }

    // MARK: The site's layer

    @Test func theSiteLayerLearnsAndUnlearnsExactly() {
        var configuration = ClassifierConfiguration()
        configuration.minimumPerClass = 2
        var layer = SiteLayer(configuration: configuration)
        let scratch = MatchScratch()
        func tokens(_ body: String) -> Set<UInt64> { SiteLayer.tokens(CommentAnalysis(comment: Fixtures.comment(body: body), scratch: scratch)) }
        let rejected = ["Great offer on garden sheds, call Dave", "Garden sheds half price this week, call Dave"]
        let approved = ["The garden centre opened on Saturday", "Dave from the council spoke at the meeting"]
        for body in rejected { layer.counts.train(tokens(body), unwanted: true) }
        for body in approved { layer.counts.train(tokens(body), unwanted: false) }
        let before = layer.counts
        let probe = CommentAnalysis(comment: Fixtures.comment(body: "Garden sheds at half price, call Dave today"), scratch: scratch)
        #expect(layer.logit(probe) > 1, "the site's rejections raise similar comments")
        let civil = CommentAnalysis(comment: Fixtures.comment(body: "The garden centre opened at the meeting"), scratch: scratch)
        #expect(layer.logit(civil) < 0)

        // Learning and unlearning in any order are exact inverses.
        let extra = tokens("Sheds sheds sheds, call now")
        layer.counts.train(extra, unwanted: true)
        layer.counts.train(tokens(approved[0]), unwanted: false, forget: true)
        layer.counts.train(extra, unwanted: true, forget: true)
        layer.counts.train(tokens(approved[0]), unwanted: false)
        #expect(layer.counts == before)

        // The site's layer moves the shipped model's reading of a comment.
        let model = ModelJudge(model: Self.shipped, siteLayer: layer)
        let plain = ModelJudge(model: Self.shipped)
        #expect((model.read(probe).probabilities.values.max() ?? 0) > (plain.read(probe).probabilities.values.max() ?? 0))
    }

    static func analysis(_ body: String) -> CommentAnalysis {
        CommentAnalysis(comment: Fixtures.comment(body: body), scratch: MatchScratch())
    }

    /// A site's layer that has learned these decisions and speaks once it has `minimum` of each kind.
    static func siteLayer(rejected: [String], approved: [String], minimum: Int) -> SiteLayer {
        var configuration = ClassifierConfiguration()
        configuration.minimumPerClass = minimum
        var layer = SiteLayer(configuration: configuration)
        for body in rejected { layer.counts.train(SiteLayer.tokens(analysis(body)), unwanted: true) }
        for body in approved { layer.counts.train(SiteLayer.tokens(analysis(body)), unwanted: false) }
        return layer
    }

    @Test func whenTheModelLeansToNoConcernTheSiteLayerIsHeardOnItsOwn() throws {
        // A site that rejects garden-shed adverts: nothing the shipped model reads as abuse or spam.
        let rounds = 0..<4
        let layer = Self.siteLayer(
            rejected: rounds.flatMap { ["Garden sheds half price, ring Dave", "Dave has garden sheds, ring him round \($0)"] },
            approved: rounds.flatMap { ["The library reopens on Saturday \($0)", "The council met about the bypass \($0)"] },
            minimum: 2)
        let analysis = Self.analysis
        let probe = analysis("Garden sheds, ring Dave")
        let plain = ModelJudge(model: Self.shipped).read(probe)
        #expect(plain.signals.isEmpty, "the shipped model alone leans to nothing: \(plain.probabilities)")
        let reading = ModelJudge(model: Self.shipped, siteLayer: layer).read(probe)
        #expect(!reading.signals.contains { $0.name == "model.toxicity" || $0.name == "model.spam" },
                "the site's evidence is not put in the model's mouth: \(reading.signals.map(\.explanation))")
        let site = try #require(reading.signals.first { $0.name == "model.site" }, "\(reading.probabilities)")
        #expect(site.score > 0)
        #expect(site.explanation.hasPrefix("Moderators here rejected comments like this"), "\(site.explanation)")
        let marked = reading.signals.filter { $0.name == "model.site" }.compactMap(\.span?.text)
        #expect(marked.contains { $0.contains("sheds") || $0.contains("Dave") }, "\(marked)")

        // A comment the shipped model already reads as abuse is pushed further on that concern.
        let insult = analysis("You are an idiot, Dave")
        let before = try #require(ModelJudge(model: Self.shipped).read(insult).probabilities["toxicity"])
        let after = ModelJudge(model: Self.shipped, siteLayer: layer).read(insult)
        #expect(try #require(after.probabilities["toxicity"]) > before)
        #expect(!after.signals.contains { $0.name == "model.site" })
    }

    /// A model that reads every comment the same: only biases.
    static func constant(toxicity: Double, spam: Double) -> ModerationModel {
        var features = FeatureSettings()
        features.hashBits = 12
        let zero = [Float](repeating: 0, count: 1 << 12)
        return ModerationModel(features: features, outputs: [
            ModelOutput(name: "toxicity", bias: Float(ModerationModel.logit(toxicity)), weights: zero),
            ModelOutput(name: "spam", bias: Float(ModerationModel.logit(spam)), weights: zero),
        ], name: "constant")
    }

    @Test func theSiteLayerRaisesTheConcernThatLeansEvenWhenAnotherIsHigher() throws {
        let layer = Self.siteLayer(rejected: ["garden sheds ring Dave"], approved: ["the library reopens"], minimum: 1)
        let probe = Self.analysis("garden sheds ring Dave")
        #expect(layer.logit(probe) > 0)
        // Spam is the higher reading (60%) but below its lean (75%); toxicity (45%) is past its lean (40%).
        let reading = ModelJudge(model: Self.constant(toxicity: 0.45, spam: 0.6), siteLayer: layer).read(probe)
        #expect(!reading.signals.contains { $0.name == "model.site" }, "\(reading.signals.map(\.explanation))")
        #expect(try #require(reading.probabilities["toxicity"]) > 0.45)
        #expect(reading.probabilities["spam"] == nil || reading.probabilities["spam"]! <= 0.6 + 1e-9)
    }

    @Test func theSiteLayerAloneIsNotTheModelsConfidence() throws {
        let layer = Self.siteLayer(rejected: Array(repeating: "garden sheds ring Dave", count: 5), approved: ["the library reopens"], minimum: 1)
        let reading = ModelJudge(model: Self.constant(toxicity: 0.1, spam: 0.1), siteLayer: layer).read(Self.analysis("garden sheds ring Dave"))
        #expect(reading.signals.contains { $0.name == "model.site" })
        #expect(try #require(reading.probabilities["site"]) > 0.99)
        // What feeds automatic learning is the model's own reading, so the layer never teaches itself.
        #expect(abs(reading.probability - 0.1) < 1e-6, "\(reading.probability)")
    }

    // MARK: Policy

    @Test func probabilitiesBecomeScoresThatKeepTheThresholdsMeaningful() {
        let policy = OutputPolicy(lean: 0.4, hold: 0.65, reject: 0.995)
        func score(_ p: Double) -> Double { policy.score(p, holdThreshold: 5, rejectThreshold: 10) }
        #expect(score(0.3) == 0)
        #expect(score(0.5) > 0 && score(0.5) < 3)
        #expect(score(0.65) == 5)
        #expect(score(0.9) > 5 && score(0.9) < 10)
        #expect(score(0.99) < 10)
        #expect(score(0.995) == 10)
        let probabilities = stride(from: 0.0, through: 0.999, by: 0.001)
        #expect(zip(probabilities, probabilities.dropFirst()).allSatisfy { score($0.0) <= score($0.1) }, "monotonic")
    }

    @Test func belowItsRejectProbabilityTheModelNeverTipsACommentIntoRejection() throws {
        let analysis = CommentAnalysis(comment: Fixtures.comment(body: "You are such an idiot"), scratch: MatchScratch())
        var configuration = ModelConfiguration()
        configuration.toxicity = OutputPolicy(lean: 0.1, hold: 0.2, reject: 0.999_999)
        let judge = ModelJudge(model: Self.shipped, configuration: configuration)
        let reading = judge.read(analysis, otherScore: 6)
        let signal = try #require(reading.signals.first { $0.name == "model.toxicity" })
        #expect(signal.score == 3.9)
        #expect(signal.explanation.contains("; below 99.9999% it holds but does not reject"), "\(signal.explanation)")
    }
}
