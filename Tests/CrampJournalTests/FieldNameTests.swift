import Testing

@testable import CrampJournal

/// The one field-name table names every field the way each interface does.
@Suite struct FieldNames {
    @Test func everyFieldIsAColumnAndAJSONMemberOfItsRecord() {
        let columns = Set(JournalCSV.episodeColumns + JournalCSV.dayColumns)
        let members = JournalBackup.episodeMembers.union(JournalBackup.dayMembers).union(JournalBackup.profileMembers)
        for field in JournalField.allCases {
            #expect(members.contains(field.jsonKey), "\(field) has no JSON member \(field.jsonKey)")
            let profileField = [.birthYear, .sex, .conditions, .medications, .timeZone, .region, .reminderTimes, .glassML].contains(field)
            if !profileField { #expect(columns.contains(field.column), "\(field) has no CSV column \(field.column)") }
        }
    }

    @Test func validationPathsAreRenamedAtTheirLastName() {
        #expect(JournalField.jsonPath("fluids_ml") == "fluidsML")
        #expect(JournalField.jsonPath("duration") == "durationSeconds")
        #expect(JournalField.jsonPath("reliefs[1].secondsToEase") == "reliefs[1].secondsToEase")
        #expect(JournalField.jsonPath("episodes[3].sitting_hours") == "episodes[3].sittingHours")
        #expect(JournalField.jsonPath("mineral_foods[0]") == "mineralFoods[0]")
        #expect(JournalField.flagPath("sitting_hours") == "--sitting")
        #expect(JournalField.flagPath("birth_year") == "--birth-year")
        #expect(JournalField.flagPath("medication_changes[1]") == "--medication-change[1]")
        #expect(JournalField.flagPath("duration") == "--duration")
    }
}
