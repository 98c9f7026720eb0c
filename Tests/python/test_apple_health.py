"""Apple Health import: export.xml or its zip, as a stream, with the DTD read but no entity expanded."""
import json
import os
import resource
import subprocess
import time
import zipfile

import pytest

from conftest import CLI, run

DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics|WorkoutActivity)*)>
]>
"""


def record(kind, value, unit, source, start, end=None):
    return (f'<Record type="{kind}" sourceName="{source}" unit="{unit}" value="{value}" '
            f'startDate="{start}" endDate="{end or start}"/>')


def export_xml():
    rows = [
        # Water: the phone logs 500 mL and 0.75 L; the watch app mirrors 500 mL (same drink): max per source.
        record("HKQuantityTypeIdentifierDietaryWater", "500", "mL", "Phone", "2026-03-01 08:00:00 +0100"),
        record("HKQuantityTypeIdentifierDietaryWater", "0.75", "L", "Phone", "2026-03-01 13:00:00 +0100"),
        record("HKQuantityTypeIdentifierDietaryWater", "500", "mL", "Watch &amp; Co", "2026-03-01 08:00:00 +0100"),
        record("HKQuantityTypeIdentifierDietaryWater", "16", "fl_oz_us", "Phone", "2026-03-02 09:00:00 +0100"),
        # Steps: phone 4000 + 3000, watch 7500 for the same walks: the larger total wins.
        record("HKQuantityTypeIdentifierStepCount", "4000", "count", "Phone", "2026-03-01 10:00:00 +0100", "2026-03-01 11:00:00 +0100"),
        record("HKQuantityTypeIdentifierStepCount", "3000", "count", "Phone", "2026-03-01 17:00:00 +0100", "2026-03-01 18:00:00 +0100"),
        record("HKQuantityTypeIdentifierStepCount", "7500", "count", "Watch", "2026-03-01 10:00:00 +0100", "2026-03-01 18:00:00 +0100"),
        # Sleep ending on 2 March: core 23:00-03:00 and deep 02:00-06:30 overlap; merged = 7.5 h.
        '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" value="HKCategoryValueSleepAnalysisAsleepCore" startDate="2026-03-01 23:00:00 +0100" endDate="2026-03-02 03:00:00 +0100"/>',
        '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Phone" value="HKCategoryValueSleepAnalysisAsleepDeep" startDate="2026-03-02 02:00:00 +0100" endDate="2026-03-02 06:30:00 +0100"/>',
        '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Phone" value="HKCategoryValueSleepAnalysisAwake" startDate="2026-03-02 03:00:00 +0100" endDate="2026-03-02 03:10:00 +0100"/>',
        # Only in-bed time for the night ending on 3 March: 6 h.
        '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Phone" value="HKCategoryValueSleepAnalysisInBed" startDate="2026-03-02 23:30:00 +0100" endDate="2026-03-03 05:30:00 +0100"/>',
        # Workouts: the older layout (duration on the workout) and the newer (time in activities).
        '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="32.5" durationUnit="min" sourceName="Watch" startDate="2026-03-01 18:30:00 +0100" endDate="2026-03-01 19:02:30 +0100"><MetadataEntry key="HKIndoorWorkout" value="0"/></Workout>',
        '<Workout workoutActivityType="HKWorkoutActivityTypeCycling" sourceName="Watch" startDate="2026-03-02 07:00:00 +0100" endDate="2026-03-02 08:00:00 +0100">'
        '<WorkoutActivity uuid="A" startDate="2026-03-02 07:00:00 +0100" endDate="2026-03-02 07:20:00 +0100" duration="20" durationUnit="min"/>'
        '<WorkoutActivity uuid="B" startDate="2026-03-02 07:30:00 +0100" endDate="2026-03-02 07:55:00 +0100"/>'
        '<WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="2026-03-02 07:00:00 +0100" endDate="2026-03-02 08:00:00 +0100" sum="300" unit="kcal"/>'
        '</Workout>',
        record("HKQuantityTypeIdentifierHeartRate", "61", "count/min", "Watch", "2026-03-01 09:00:00 +0100"),
    ]
    return DTD + '<HealthData locale="en_GB">\n <ExportDate value="2026-03-04 10:00:00 +0100"/>\n <Me HKCharacteristicTypeIdentifierSex="HKBiologicalSexFemale"/>\n ' + "\n ".join(rows) + "\n</HealthData>\n"


EXPECTED = {
    "2026-03-01": {"fluidsML": 1250, "steps": 7500, "exerciseMinutes": 33},
    "2026-03-02": {"fluidsML": 473, "sleepHours": 7.5, "exerciseMinutes": 45},
    "2026-03-03": {"sleepHours": 6},
}


def days(journal):
    backup = run(str(CLI), ["export", "--format", "json", "--out", "-"], env={"CRAMPCARE_DATABASE": journal})
    assert backup.returncode == 0, backup.stderr
    return {d["date"]: d for d in json.loads(backup.stdout)["dayLogs"]}


def check(journal):
    found = days(journal)
    for date, fields in EXPECTED.items():
        for key, value in fields.items():
            assert found[date].get(key) == value, (date, key, found[date])


def test_export_xml_becomes_day_logs(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    path = tmp_path / "export.xml"
    path.write_text(export_xml())
    # A field the person typed by hand survives the import.
    assert run(str(CLI), ["day", "--date", "2026-03-01", "--hot-weather", "true"], env={"CRAMPCARE_DATABASE": journal}).returncode == 0
    proc = run(str(CLI), ["import", str(path)], env={"CRAMPCARE_DATABASE": journal})
    assert proc.returncode == 0, proc.stderr
    assert "3 days" in proc.stdout
    check(journal)
    assert days(journal)["2026-03-01"]["hotWeather"] is True
    # Importing it again changes nothing.
    assert run(str(CLI), ["import", str(path)], env={"CRAMPCARE_DATABASE": journal}).returncode == 0
    check(journal)


def test_the_zip_apple_exports(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        archive.writestr("apple_health_export/export.xml", export_xml())
    proc = run(str(CLI), ["import", str(path)], env={"CRAMPCARE_DATABASE": journal})
    assert proc.returncode == 0, proc.stderr
    check(journal)


BAD = [
    ("truncated", lambda: export_xml()[:-200], "cut short"),
    ("billion laughs", lambda: '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
     + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
     + ']>\n<HealthData locale="x"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&lol9;" value="1" startDate="2026-01-01 00:00:00 +0000" endDate="2026-01-01 00:00:00 +0000"/></HealthData>\n',
     "not expanded"),
    ("external entity", lambda: '<?xml version="1.0"?>\n<!DOCTYPE HealthData [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
     '<HealthData locale="x"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&xxe;" value="1" startDate="2026-01-01 00:00:00 +0000" endDate="2026-01-01 00:00:00 +0000"/></HealthData>\n',
     "not expanded"),
    ("not health data", lambda: '<?xml version="1.0"?>\n<Library><Book/></Library>\n', "not an Apple Health export"),
    ("mismatched tags", lambda: '<HealthData locale="x"><Record type="a"></HealthData>\n', "closes"),
]


@pytest.mark.parametrize("name,make,mention", BAD, ids=[b[0] for b in BAD])
def test_bad_exports_are_refused_and_change_nothing(tmp_path, name, make, mention):
    journal = str(tmp_path / "j.sqlite")
    assert run(str(CLI), ["day", "--date", "2026-03-01", "--fluids", "321"], env={"CRAMPCARE_DATABASE": journal}).returncode == 0
    path = tmp_path / "export.xml"
    path.write_text(make())
    started = time.monotonic()
    proc = run(str(CLI), ["import", "--format", "apple-health", str(path)], env={"CRAMPCARE_DATABASE": journal})
    assert proc.returncode == 2, proc.stderr
    assert mention in proc.stderr, proc.stderr
    assert time.monotonic() - started < 10
    assert days(journal) == {"2026-03-01": days(journal)["2026-03-01"]}
    assert days(journal)["2026-03-01"]["fluidsML"] == 321


def test_a_large_export_streams_in_constant_memory(tmp_path):
    """About 100 MB through a pipe: memory stays far below the file's size."""
    journal = str(tmp_path / "j.sqlite")
    process = subprocess.Popen([str(CLI), "import", "--format", "apple-health", "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, CRAMPCARE_DATABASE=journal))
    process.stdin.write((DTD + '<HealthData locale="en_GB">\n').encode())
    line = record("HKQuantityTypeIdentifierStepCount", "12", "count", "Phone", "2026-01-01 10:00:00 +0000") + "\n"
    block = ("".join(line.replace("2026-01-01", f"2026-01-{day:02d}") for day in range(1, 29)) * 40).encode()
    written = 0
    while written < 100_000_000:
        process.stdin.write(block)
        written += len(block)
    process.stdin.write(b"</HealthData>\n")
    process.stdin.close()
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read()
    assert b"28 days" in out
    assert usage.ru_maxrss < 150_000, f"peak memory {usage.ru_maxrss} KB for a {written // 1_000_000} MB stream"
