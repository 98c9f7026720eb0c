import CrampJournal
import FuzzSupport

// Everything a person types in everyday words: muscles, durations, times of day, fluids and date
// ranges, each read under every unit a bare number can have.
let today = LocalDate(year: 2026, month: 12, day: 2)!

fuzz { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    _ = EverydayInput.muscles(text)
    _ = EverydayInput.squeezedText(text)
    for unit in [EverydayInput.DurationUnit.seconds, .minutes] { _ = EverydayInput.durationSeconds(text, bareUnit: unit) }
    _ = EverydayInput.clockTime(text)
    for unit in [EverydayInput.FluidUnit.millilitres, .glasses] {
        for glass in [50, 250, 1000] { _ = EverydayInput.fluidML(text, bareUnit: unit, glassML: glass) }
    }
    _ = EverydayInput.dateRange(text, today: today)
}
