"""The insights' reference values are what scipy and statsmodels give (the Swift tests compare
CrampInsights against that file to 6 significant digits)."""
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).parent / "reference" / "statistics_reference.py"


def test_reference_file_matches_scipy_and_statsmodels():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
