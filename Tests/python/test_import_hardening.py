"""The importer survives crafted files: zips whose directory points outside the file, memory
bounded whatever the file's shape, and every imported record checked as typed input is."""
import io
import json
import os
import struct
import subprocess
import tempfile
import zipfile

import pytest

from conftest import CLI, run

XML = b'<?xml version="1.0"?><HealthData locale="en_GB"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="p" unit="count" value="10" startDate="2026-01-01 08:00:00 +0000" endDate="2026-01-01 08:10:00 +0000"/></HealthData>'


def plain_zip(data=XML, name="apple_health_export/export.xml", method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr(name, data)
    return bytearray(buffer.getvalue())


def find(blob, signature):
    return blob.rindex(struct.pack("<I", signature))


def with_zip64_entry(sizes=None, offset=None, version=45, flags=None, method=zipfile.ZIP_DEFLATED):
    """The zip's one directory entry given ZIP64 fields (all ones in the 32-bit fields)."""
    blob = plain_zip(method=method)
    cd = find(blob, 0x02014B50)
    eocd = find(blob, 0x06054B50)
    fields = b""
    fixed = blob[cd:cd + 46]
    if sizes is not None:
        struct.pack_into("<II", fixed, 20, 0xFFFFFFFF, 0xFFFFFFFF)
        fields += struct.pack("<QQ", sizes[1], sizes[0])  # uncompressed, then compressed
    if offset is not None:
        struct.pack_into("<I", fixed, 42, 0xFFFFFFFF)
        fields += struct.pack("<Q", offset)
    struct.pack_into("<H", fixed, 6, version)
    if flags is not None:
        struct.pack_into("<H", fixed, 8, flags)
    name_length, extra_length, comment_length = struct.unpack_from("<HHH", fixed, 28)
    name = blob[cd + 46:cd + 46 + name_length]
    extra = struct.pack("<HH", 1, len(fields)) + fields
    struct.pack_into("<H", fixed, 30, len(extra))
    entry = bytes(fixed) + bytes(name) + extra
    end = bytearray(blob[eocd:])
    struct.pack_into("<I", end, 12, len(entry))
    return bytes(blob[:cd]) + entry + bytes(end)


def with_zip64_end(count=1, size=None, offset=None):
    """A ZIP64 end record (and locator) before the end record, with the values given."""
    blob = plain_zip()
    cd = find(blob, 0x02014B50)
    eocd = find(blob, 0x06054B50)
    cd_size = eocd - cd
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                         cd_size if size is None else size, cd if offset is None else offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, eocd, 1)
    return bytes(blob[:eocd]) + record + locator + bytes(blob[eocd:])


CRAFTED = {
    # sizes above Int64.max: Archive+Helpers.swift:21 (stored) and :35 (deflated)
    "uncompressed_above_int64": with_zip64_entry(sizes=(100, 0x8000000000000000), method=zipfile.ZIP_STORED),
    "compressed_above_int64": with_zip64_entry(sizes=(0x8000000000000000, 100)),
    # an offset above Int64.max: Data+Serialization.swift:40 (off_t of the offset)
    "local_offset_above_int64": with_zip64_entry(offset=0x8000000000000001),
    # a data descriptor past UInt64.max: Archive.swift:239 overflows
    "descriptor_overflow": with_zip64_entry(sizes=(0xFFFFFFFFFFFFFFF0, 0xFFFFFFFFFFFFFFF0), flags=0x08),
    "directory_offset_above_int64": with_zip64_end(offset=0x8000000000000000),
    "directory_size_huge": with_zip64_end(size=0xFFFFFFFFFFFFFFF0),
    "entries_count_huge": with_zip64_end(count=0xFFFFFFFFFFFFFFFF),
    "no_end_record": bytes(plain_zip()[:-22]),
    # the directory says deflate, the local header says stored (with a 1 TiB ZIP64 size): ZIPFoundation
    # reads by the local header, so the two must agree
    "method_mismatch": (lambda b: b[:8] + b"\x00\x00" + b[10:])(bytearray(with_zip64_entry(sizes=(100, 1 << 40)))),
    "cut_short": bytes(plain_zip()[:60]),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_crafted_zip_is_refused_without_a_crash(cli, tmp_path, name):
    path = tmp_path / "export.zip"
    path.write_bytes(CRAFTED[name])
    database = tmp_path / "j.sqlite"
    result = run(cli, ["import", "--database", str(database), str(path)])
    assert result.returncode == 2, (name, result.returncode, result.stderr)
    assert "zip" in result.stderr and "Fatal error" not in result.stderr, result.stderr
    assert len(CRAFTED[name]) < 1024


def test_messages_never_carry_terminal_escapes_from_the_file(cli, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(backup(profile={"region": "\x1b]0;pwned\x07", "updatedAt": 0})))
    result = run(cli, ["import", "--database", str(tmp_path / "j.sqlite"), str(path)])
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "region" in result.stderr, repr(result.stderr)


def test_a_damaged_entry_is_refused_by_its_checksum(cli, tmp_path):
    blob = plain_zip(method=zipfile.ZIP_STORED)
    at = bytes(blob).index(b'value="10"') + 8
    blob[at] = ord("9")
    path = tmp_path / "export.zip"
    path.write_bytes(bytes(blob))
    result = run(cli, ["import", "--database", str(tmp_path / "j.sqlite"), str(path)])
    assert result.returncode == 2 and "checksum" in result.stderr, result.stderr


def test_a_sound_zip_still_imports(cli, tmp_path):
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        path = tmp_path / f"export-{method}.zip"
        path.write_bytes(bytes(plain_zip(method=method)))
        result = run(cli, ["import", "--database", str(tmp_path / "j.sqlite"), "--dry-run", str(path)])
        assert result.returncode == 0, result.stderr
        assert "1 records give 1 days" in result.stdout


def test_a_zip64_archive_python_writes_still_imports(cli, tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with archive.open("apple_health_export/export.xml", "w", force_zip64=True) as entry:
            entry.write(XML)
    result = run(cli, ["import", "--database", str(tmp_path / "j.sqlite"), "--dry-run", str(path)])
    assert result.returncode == 0, result.stderr


def peak_rss_mib(args, stdin=None):
    """Runs the CLI under /usr/bin/time and returns (result, peak resident MiB)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M", str(CLI), *args], input=stdin, capture_output=True, timeout=600)
    peak = int(result.stderr.decode().strip().splitlines()[-1]) / 1024
    return result, peak


def test_many_sources_keep_memory_bounded(tmp_path):
    """600 sources with 1 MB names (the issue's 620 MB): per-source totals are capped."""
    path = tmp_path / "export.xml"
    name = "s" * (1 << 20)
    with open(path, "w") as out:
        out.write('<?xml version="1.0"?><HealthData locale="en_GB">')
        for index in range(600):
            out.write(f'<Record type="HKQuantityTypeIdentifierStepCount" sourceName="{index}{name}" unit="count" value="10" '
                      f'startDate="2026-01-01 08:00:00 +0000" endDate="2026-01-01 08:10:00 +0000"/>')
        out.write("</HealthData>")
    result, peak = peak_rss_mib(["import", "--database", str(tmp_path / "j.sqlite"), "--dry-run", str(path)])
    assert result.returncode in (0, 2), result.stderr[-400:]
    print(f"600 sources of 1 MB: peak {peak:.0f} MiB")
    assert peak < 64 + 4 * 1, peak  # a 600 MB file: the bound is not the file size


def test_a_long_log_ndjson_line_is_capped(tmp_path):
    line = b'{"note":"' + b"x" * (150 << 20) + b'"}\n'
    good = json.dumps({"startedAt": "2026-01-01T03:00:00Z", "durationSeconds": 60, "muscles": ["calf"]}).encode() + b"\n"
    result, peak = peak_rss_mib(["log", "--database", str(tmp_path / "j.sqlite"), "--ndjson"], stdin=line + good)
    out = [json.loads(row) for row in result.stdout.decode().splitlines()]
    assert out[0]["line"] == 1 and "longer than" in out[0]["error"]["message"]
    assert out[1]["line"] == 2 and "id" in out[1]
    assert peak < 64, peak


def backup(**changes):
    document = {"format": "crampcare-journal-backup", "version": 1, "profile": None, "episodes": [], "dayLogs": [], "assessments": []}
    document.update(changes)
    return document


EPISODE = {"id": "6f1c3a52-8f2e-4c55-9b1e-3f4a5b6c7d8e", "startedAt": "2026-01-01T03:00:00Z", "durationSeconds": 60,
           "muscles": ["calf"], "createdAt": 0, "updatedAt": 0}
DAY = {"date": "2026-01-01", "sleepHours": 7, "updatedAt": 0}

BAD_BACKUPS = {
    "birth_year_huge": (backup(profile={"birthYear": 8999999999999999, "updatedAt": 0}), "profile.birth_year"),
    "region_four_letters": (backup(profile={"region": "XYZQ", "updatedAt": 0}), "profile.region"),
    "time_zone_path": (backup(profile={"timeZone": "../x", "updatedAt": 0}), "profile.time_zone"),
    "duplicate_conditions": (backup(profile={"conditions": ["diabetes", "diabetes"], "updatedAt": 0}), "profile.conditions[1]"),
    "episode_twice": (backup(episodes=[EPISODE, EPISODE]), "episodes[1].id"),
    "day_twice": (backup(dayLogs=[DAY, DAY]), "dayLogs[1].date"),
    "unknown_member": (backup(extra=1), "extra"),
    "unknown_episode_member": (backup(episodes=[dict(EPISODE, colour="red")]), "episodes[0].colour"),
    "empty_member_name": (backup(**{"": 1}), '""'),
}


@pytest.mark.parametrize("name", sorted(BAD_BACKUPS))
def test_a_bad_backup_is_refused_by_field_before_anything_is_written(cli, tmp_path, name):
    document, field = BAD_BACKUPS[name]
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document, indent=1))
    database = str(tmp_path / "j.sqlite")
    for extra in (["--dry-run"], []):
        result = run(cli, ["import", "--database", database, *extra, str(path)])
        assert result.returncode == 2, (name, result.returncode, result.stderr)
        assert field in result.stderr, (name, result.stderr)
        assert "UNIQUE" not in result.stderr
    exported = run(cli, ["export", "--database", database, "--format", "json", "--out", "-"])
    assert exported.returncode == 0, exported.stderr
    left = json.loads(exported.stdout)
    assert left["profile"] is None and left["episodes"] == [] and left["dayLogs"] == []


def test_a_repeated_record_names_both_lines(cli, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(backup(episodes=[EPISODE, EPISODE]), indent=1))
    result = run(cli, ["import", "--database", str(tmp_path / "j.sqlite"), str(path)])
    assert "also on line" in result.stderr and "line " in result.stderr.split("also")[0], result.stderr


def test_a_large_backup_is_read_in_bounded_memory(tmp_path):
    """64 MB of episodes: decoded one at a time (the issue's 905 MB peak)."""
    episodes = []
    for index in range(110_000):
        episodes.append(dict(EPISODE, id=f"6f1c3a52-8f2e-4c55-9b1e-{index:012x}", note="n" * 400))
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(backup(episodes=episodes)))
    size = path.stat().st_size / (1 << 20)
    assert size > 60
    result, peak = peak_rss_mib(["import", "--database", str(tmp_path / "j.sqlite"), "--dry-run", str(path)])
    assert result.returncode == 0, result.stderr[-400:]
    assert peak < 64 + 4 * size, (peak, size)


def test_a_short_workout_beside_a_typed_intensity_keeps_the_journal_readable(cli, tmp_path):
    database = str(tmp_path / "j.sqlite")
    assert run(cli, ["day", "--database", database, "--date", "2026-01-01", "--exercise-minutes", "20",
                     "--intensity", "moderate"]).returncode == 0
    xml = ('<?xml version="1.0"?><HealthData locale="en_GB"><Workout workoutActivityType="HKWorkoutActivityTypeWalking" '
           'duration="0.2" durationUnit="min" startDate="2026-01-01 08:00:00 +0000" endDate="2026-01-01 08:00:12 +0000"/></HealthData>')
    path = tmp_path / "export.xml"
    path.write_text(xml)
    result = run(cli, ["import", "--database", database, str(path)])
    assert result.returncode == 0, result.stderr
    shown = run(cli, ["day", "--database", database, "--date", "2026-01-01"])
    assert shown.returncode == 0, shown.stderr
    exported = tmp_path / "out"
    assert run(cli, ["export", "--database", database, "--format", "csv", "--out", str(exported)]).returncode == 0
