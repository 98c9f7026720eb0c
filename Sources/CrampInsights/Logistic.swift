import Foundation

/// Logistic regression by Newton–Raphson, plain (maximum likelihood) or with Firth's penalty
/// (the Jeffreys prior), which keeps estimates finite when a diary's cells are sparse or
/// separated. The penalised fit follows logistf: the score modified by the hat matrix's
/// diagonal, step halving on the penalised likelihood, and likelihood-ratio tests and profile
/// intervals from fits with a coefficient held fixed.
public struct LogisticModel: Sendable {
    /// Rows of predictors; the first column is the intercept (1) when the caller wants one.
    public let rows: [[Double]]
    public let outcomes: [Double]
    public let firth: Bool

    public init(rows: [[Double]], outcomes: [Bool], firth: Bool) {
        self.rows = rows
        self.outcomes = outcomes.map { $0 ? 1 : 0 }
        self.firth = firth
    }

    public struct Fit: Sendable {
        public var coefficients: [Double]
        /// Standard errors from the inverse information; nil when the information is singular.
        public var standardErrors: [Double]?
        /// The log-likelihood, penalised for a Firth fit.
        public var logLikelihood: Double
        public var converged: Bool
    }

    enum FitError: Error { case singular, diverged }

    var width: Int { rows.first?.count ?? 0 }

    /// Fits every coefficient, or all but those in `fixed` (held at their given values).
    public func fit(fixed: [Int: Double] = [:], start: [Double]? = nil) -> Fit? {
        let p = width
        guard p > 0, rows.count == outcomes.count else { return nil }
        var beta = start ?? [Double](repeating: 0, count: p)
        for (index, value) in fixed { beta[index] = value }
        let free = (0..<p).filter { fixed[$0] == nil }
        guard var state = try? evaluate(beta) else { return nil }
        var converged = false
        for _ in 0..<100 {
            // The step for the free coefficients: their block of the information, inverted.
            let block = free.map { i in free.map { j in state.information[i][j] } }
            guard let inverse = Matrix.inverse(block) else { return nil }
            var delta = [Double](repeating: 0, count: p)
            for (a, i) in free.enumerated() {
                var sum = 0.0
                for (b, j) in free.enumerated() { sum += inverse[a][b] * state.score[j] }
                delta[i] = sum
            }
            // logistf's cap on a step's size, then halving until the likelihood does not fall.
            let largest = delta.map(abs).max() ?? 0
            if largest > 5 { delta = delta.map { $0 * 5 / largest } }
            var next = zip(beta, delta).map { $0 + $1 }
            var candidate = try? evaluate(next)
            var halvings = 0
            while halvings < 25, candidate.map({ $0.logLikelihood < state.logLikelihood - 1e-12 }) ?? true {
                delta = delta.map { $0 / 2 }
                next = zip(beta, delta).map { $0 + $1 }
                candidate = try? evaluate(next)
                halvings += 1
            }
            guard let accepted = candidate else { return nil }
            beta = next
            state = accepted
            let scoreSize = free.map { abs(state.score[$0]) }.max() ?? 0
            if (delta.map(abs).max() ?? 0) < 1e-10 || scoreSize < 1e-11 {
                converged = scoreSize < 1e-6
                break
            }
        }
        let errors = Matrix.inverse(state.information).map { inverse in (0..<p).map { max(0, inverse[$0][$0]).squareRoot() } }
        return Fit(coefficients: beta, standardErrors: errors, logLikelihood: state.logLikelihood, converged: converged)
    }

    struct State {
        var logLikelihood: Double
        var score: [Double]
        var information: [[Double]]
    }

    /// The (penalised) log-likelihood, its (modified) score and the information at β.
    func evaluate(_ beta: [Double]) throws -> State {
        let p = width
        var information = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        var probabilities = [Double](repeating: 0, count: rows.count)
        var logLikelihood = 0.0
        for (index, row) in rows.enumerated() {
            var eta = 0.0
            for j in 0..<p { eta += row[j] * beta[j] }
            let probability = 1 / (1 + exp(-eta))
            probabilities[index] = probability
            // log(1 + e^η) computed stably on both sides.
            let softplus = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
            logLikelihood += outcomes[index] * eta - softplus
            let weight = probability * (1 - probability)
            for i in 0..<p {
                for j in i..<p { information[i][j] += weight * row[i] * row[j] }
            }
        }
        for i in 0..<p { for j in 0..<i { information[i][j] = information[j][i] } }
        guard logLikelihood.isFinite else { throw FitError.diverged }
        var score = [Double](repeating: 0, count: p)
        if firth {
            guard let (inverse, logDeterminant) = Matrix.inverseAndLogDeterminant(information) else { throw FitError.singular }
            logLikelihood += 0.5 * logDeterminant
            for (index, row) in rows.enumerated() {
                let probability = probabilities[index]
                // The hat matrix's diagonal: w·xᵀ(XᵀWX)⁻¹x.
                var quadratic = 0.0
                for i in 0..<p {
                    var sum = 0.0
                    for j in 0..<p { sum += inverse[i][j] * row[j] }
                    quadratic += row[i] * sum
                }
                let leverage = probability * (1 - probability) * quadratic
                let residual = outcomes[index] - probability + leverage * (0.5 - probability)
                for i in 0..<p { score[i] += row[i] * residual }
            }
        } else {
            for (index, row) in rows.enumerated() {
                let residual = outcomes[index] - probabilities[index]
                for i in 0..<p { score[i] += row[i] * residual }
            }
        }
        return State(logLikelihood: logLikelihood, score: score, information: information)
    }

    /// The p-value for coefficient `index` being zero: a (penalised) likelihood-ratio test for a
    /// Firth fit, as logistf reports; a Wald test for a plain fit, as statsmodels reports.
    public func pValue(_ index: Int, full: Fit, likelihoodRatio: Bool = false) -> Double? {
        if firth || likelihoodRatio {
            guard let restricted = fit(fixed: [index: 0], start: full.coefficients.enumerated().map { $0.offset == index ? 0 : $0.element }) else {
                return nil
            }
            let statistic = max(0, 2 * (full.logLikelihood - restricted.logLikelihood))
            return Distributions.chiSquareSurvival(statistic, degrees: 1)
        }
        guard let errors = full.standardErrors, errors[index] > 0 else { return nil }
        let z = full.coefficients[index] / errors[index]
        return 2 * Distributions.normalCDF(-abs(z))
    }

    /// The profile (penalised) likelihood interval for coefficient `index`, as logistf's default.
    public func profileInterval(_ index: Int, full: Fit, confidence: Double = 0.95) -> (lower: Double, upper: Double)? {
        let target = Distributions.chiSquareQuantile(confidence, degrees: 1) / 2
        let estimate = full.coefficients[index]
        let scale = max(full.standardErrors?[index] ?? 1, 1e-3)
        func drop(_ value: Double) -> Double? {
            var start = full.coefficients
            start[index] = value
            return fit(fixed: [index: value], start: start).map { full.logLikelihood - $0.logLikelihood - target }
        }
        func bound(_ direction: Double) -> Double? {
            var inside = estimate
            var outside = estimate + direction * 2 * scale
            var tries = 0
            while let value = drop(outside), value < 0 {
                inside = outside
                outside += direction * 2 * scale
                tries += 1
                if tries > 60 { return nil }
            }
            for _ in 0..<100 {
                let middle = (inside + outside) / 2
                guard let value = drop(middle) else { return nil }
                if value < 0 { inside = middle } else { outside = middle }
                if abs(outside - inside) < 1e-12 * max(1, abs(middle)) { break }
            }
            return (inside + outside) / 2
        }
        guard let lower = bound(-1), let upper = bound(1) else { return nil }
        return (lower, upper)
    }
}

/// Small dense matrices (a model has a handful of coefficients).
enum Matrix {
    static func inverse(_ matrix: [[Double]]) -> [[Double]]? { inverseAndLogDeterminant(matrix)?.0 }

    /// Gauss–Jordan with partial pivoting; the log of |det| on the side. Nil when singular.
    static func inverseAndLogDeterminant(_ matrix: [[Double]]) -> ([[Double]], Double)? {
        let n = matrix.count
        guard n > 0 else { return ([], 0) }
        var a = matrix
        var inverse = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
        var logDeterminant = 0.0
        let scale = matrix.flatMap { $0 }.map(abs).max() ?? 0
        for column in 0..<n {
            var pivot = column
            for row in column..<n where abs(a[row][column]) > abs(a[pivot][column]) { pivot = row }
            guard abs(a[pivot][column]) > 1e-13 * max(scale, 1e-300) else { return nil }
            if pivot != column {
                a.swapAt(pivot, column)
                inverse.swapAt(pivot, column)
            }
            let value = a[column][column]
            logDeterminant += log(abs(value))
            for j in 0..<n {
                a[column][j] /= value
                inverse[column][j] /= value
            }
            for row in 0..<n where row != column {
                let factor = a[row][column]
                if factor == 0 { continue }
                for j in 0..<n {
                    a[row][j] -= factor * a[column][j]
                    inverse[row][j] -= factor * inverse[column][j]
                }
            }
        }
        return (inverse, logDeterminant)
    }
}
