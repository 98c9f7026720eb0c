import Foundation

/// An estimate with its 95% interval.
public struct Estimate: Sendable, Equatable {
    public var value: Double
    public var lower: Double
    public var upper: Double

    public init(value: Double, lower: Double, upper: Double) {
        self.value = value
        self.lower = lower
        self.upper = upper
    }
}

/// The small-sample statistics a personal diary needs. Every function is checked against scipy
/// or statsmodels in the tests (Tests/CrampInsightsTests/reference.json).
public enum Statistics {
    /// The exact (Garwood) 95% interval for a Poisson count.
    public static func poissonInterval(count: Int, confidence: Double = 0.95) -> Estimate {
        let alpha = 1 - confidence
        let lower = count == 0 ? 0 : Distributions.chiSquareQuantile(alpha / 2, degrees: Double(2 * count)) / 2
        let upper = Distributions.chiSquareQuantile(1 - alpha / 2, degrees: Double(2 * count + 2)) / 2
        return Estimate(value: Double(count), lower: lower, upper: upper)
    }

    /// P(X ≤ k) for X ~ Binomial(n, p).
    static func binomialCDF(_ k: Int, _ n: Int, _ p: Double) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        if p <= 0 { return 1 }
        if p >= 1 { return 0 }
        var sum = 0.0
        for i in 0...k {
            sum += exp(Distributions.logChoose(n, i) + Double(i) * log(p) + Double(n - i) * log1p(-p))
        }
        return min(1, sum)
    }

    /// The exact (Clopper–Pearson) interval for a binomial proportion k of n.
    public static func clopperPearson(_ k: Int, _ n: Int, confidence: Double = 0.95) -> Estimate {
        let alpha = 1 - confidence
        func solve(_ target: (Double) -> Bool) -> Double {
            // `target` is true below the root, false above: bisect on (0, 1).
            var low = 0.0
            var high = 1.0
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if middle == low || middle == high { break }
                if target(middle) { low = middle } else { high = middle }
            }
            return (low + high) / 2
        }
        // Lower: P(X ≥ k | p) = α/2; upper: P(X ≤ k | p) = α/2.
        let lower = k == 0 ? 0 : solve { p in 1 - binomialCDF(k - 1, n, p) < alpha / 2 }
        let upper = k == n ? 1 : solve { p in binomialCDF(k, n, p) > alpha / 2 }
        return Estimate(value: n == 0 ? 0 : Double(k) / Double(n), lower: lower, upper: upper)
    }

    /// The ratio of two Poisson rates, count₁/time₁ over count₂/time₂, with the exact interval
    /// from the conditional binomial; nil when both counts are zero (no rate to compare).
    public static func rateRatio(count: Int, time: Double, referenceCount: Int, referenceTime: Double) -> Estimate? {
        guard count + referenceCount > 0, time > 0, referenceTime > 0 else { return nil }
        let share = clopperPearson(count, count + referenceCount)
        func ratio(_ p: Double) -> Double { p >= 1 ? .infinity : p / (1 - p) * referenceTime / time }
        let value = referenceCount == 0 ? Double.infinity : (Double(count) / time) / (Double(referenceCount) / referenceTime)
        return Estimate(value: value, lower: ratio(share.lower), upper: ratio(share.upper))
    }

    /// The Wilson score interval for a proportion (how often a relief helped).
    public static func wilson(_ successes: Int, _ trials: Int, confidence: Double = 0.95) -> Estimate {
        guard trials > 0 else { return Estimate(value: 0, lower: 0, upper: 1) }
        let z = Distributions.normalQuantile(1 - (1 - confidence) / 2)
        let n = Double(trials)
        let p = Double(successes) / n
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        return Estimate(value: p, lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// Fisher's exact test, two-sided as scipy computes it: the probability of every table with
    /// the same margins no more likely than the one seen. Table: [[a, b], [c, d]].
    public static func fisherExact(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        let row = a + b
        let column = a + c
        let total = a + b + c + d
        guard total > 0 else { return 1 }
        let lowest = max(0, column - (c + d))
        let highest = min(row, column)
        func logProbability(_ x: Int) -> Double {
            Distributions.logChoose(row, x) + Distributions.logChoose(total - row, column - x) - Distributions.logChoose(total, column)
        }
        let observed = logProbability(a)
        var p = 0.0
        for x in lowest...highest {
            let value = logProbability(x)
            // A relative tolerance, as scipy's, so tables as likely as the observed one count.
            if value <= observed + 1e-7 { p += exp(value) }
        }
        return min(1, p)
    }

    /// Fisher's exact test one way, as scipy's `alternative="greater"` (or `"less"`): the chance of
    /// a count of exposed cramp days at least as high (or low) as `a`, given the margins.
    public static func fisherExact(_ a: Int, _ b: Int, _ c: Int, _ d: Int, greater: Bool) -> Double {
        let row = a + b
        let column = a + c
        let total = a + b + c + d
        guard total > 0, a >= 0, b >= 0, c >= 0, d >= 0 else { return 1 }
        let lowest = max(0, column - (c + d))
        let highest = min(row, column)
        var p = 0.0
        for x in (greater ? a...highest : lowest...a) {
            p += exp(Distributions.logChoose(row, x) + Distributions.logChoose(total - row, column - x) - Distributions.logChoose(total, column))
        }
        return min(1, p)
    }

    /// The relative risk of a cramp day with against without an exposure, with the Katz log
    /// interval; 0.5 is added to every cell when one is empty (Haldane), so it stays finite.
    /// a, b: exposed days with and without a cramp; c, d: unexposed days with and without.
    public static func relativeRisk(_ a: Int, _ b: Int, _ c: Int, _ d: Int, confidence: Double = 0.95) -> Estimate? {
        guard a + b > 0, c + d > 0 else { return nil }
        let corrected = a == 0 || b == 0 || c == 0 || d == 0
        let (a1, b1, c1, d1) =
            corrected ? (Double(a) + 0.5, Double(b) + 0.5, Double(c) + 0.5, Double(d) + 0.5) : (Double(a), Double(b), Double(c), Double(d))
        let ratio = (a1 / (a1 + b1)) / (c1 / (c1 + d1))
        let se = (1 / a1 - 1 / (a1 + b1) + 1 / c1 - 1 / (c1 + d1)).squareRoot()
        let z = Distributions.normalQuantile(1 - (1 - confidence) / 2)
        return Estimate(value: ratio, lower: exp(log(ratio) - z * se), upper: exp(log(ratio) + z * se))
    }

    /// Benjamini–Hochberg adjusted p-values (q-values), in the input's order.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let index = order[rank - 1]
            running = min(running, pValues[index] * Double(m) / Double(rank))
            adjusted[index] = min(1, running)
        }
        return adjusted
    }

    /// The median of some numbers; nil for none.
    public static func median(_ values: [Double]) -> Double? {
        quantile(values, 0.5)
    }

    /// A quantile by linear interpolation between order statistics (numpy's default, type 7).
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }
}
