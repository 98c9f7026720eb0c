import Foundation

/// The distribution functions the insights need, in double precision: enough for intervals and
/// p-values checked against scipy to 6 significant digits.
public enum Distributions {
    /// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
    public static func logGamma(_ x: Double) -> Double {
        if x < 0.5 {
            // Reflection keeps the approximation on its accurate side.
            return log(Double.pi / abs(sin(Double.pi * x))) - logGamma(1 - x)
        }
        let coefficients: [Double] = [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ]
        let z = x - 1
        var sum = coefficients[0]
        for index in 1..<coefficients.count { sum += coefficients[index] / (z + Double(index)) }
        let t = z + 7.5
        return 0.5 * log(2 * Double.pi) + (z + 0.5) * log(t) - t + log(sum)
    }

    /// The regularized lower incomplete gamma function P(a, x).
    public static func gammaP(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x < a + 1 { return gammaSeries(a, x) }
        return 1 - gammaContinuedFraction(a, x)
    }

    /// The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate in the tail.
    public static func gammaQ(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x < a + 1 { return 1 - gammaSeries(a, x) }
        return gammaContinuedFraction(a, x)
    }

    private static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var term = 1 / a
        var sum = term
        var n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(-x + a * log(x) - logGamma(a))
    }

    private static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        // Modified Lentz.
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(-x + a * log(x) - logGamma(a)) * h
    }

    /// P(X ≤ x) for a chi-square variable with `degrees` degrees of freedom.
    public static func chiSquareCDF(_ x: Double, degrees: Double) -> Double { gammaP(degrees / 2, x / 2) }

    /// P(X > x) for a chi-square variable: the p-value of a likelihood-ratio statistic.
    public static func chiSquareSurvival(_ x: Double, degrees: Double) -> Double { gammaQ(degrees / 2, x / 2) }

    /// The chi-square quantile: x with P(X ≤ x) = p (bisection on a bracket, then exact to double precision).
    public static func chiSquareQuantile(_ p: Double, degrees: Double) -> Double {
        precondition(p > 0 && p < 1 && degrees > 0)
        var low = 0.0
        var high = max(1.0, degrees)
        while chiSquareCDF(high, degrees: degrees) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if chiSquareCDF(middle, degrees: degrees) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The standard normal distribution function.
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// The standard normal quantile (Acklam's approximation, refined by one Halley step).
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
            2.506628277459239e+00,
        ]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
            2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// ln C(n, k).
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        logGamma(Double(n + 1)) - logGamma(Double(k + 1)) - logGamma(Double(n - k + 1))
    }
}
