"""Issue 6 end to end: `regwatch demo` as a newcomer runs it, in a real subprocess."""

from __future__ import annotations

import email
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
LIMIT_S = 120.0


@dataclass(frozen=True)
class DemoRun:
    done: subprocess.CompletedProcess[str]
    output: Path
    cwd: Path
    seconds: float


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One run of the demo, shared by the tests below (it is the slow part)."""
    base = tmp_path_factory.mktemp("demo")
    output, cwd = base / "out", base / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SLACK_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["HOME"] = str(base)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=LIMIT_S + 30,
        check=False,
    )
    return DemoRun(done, output, cwd, time.monotonic() - started)


def alerts(stdout: str) -> list[str]:
    """Each Slack alert the demo drew: from its 'Slack → channels' line to the next blank."""
    return re.findall(r"^  Slack → .*?(?=\n\n|\n▶|\Z)", stdout, flags=re.M | re.S)


def test_exits_0_in_time_with_progress(demo: DemoRun) -> None:
    done = demo.done
    assert done.returncode == 0, done.stderr[-3000:]
    assert demo.seconds < LIMIT_S
    assert "Traceback" not in done.stderr
    for day in ("2025-04-04", "2025-10-09", "2025-11-07", "2025-11-09", "2026-11-11", "2026-11-21"):
        assert re.search(rf"^▶ {day} \d\d:\d\d Beijing", done.stdout, flags=re.M), day
    assert re.search(r"http://127\.0\.0\.1:\d+/feed\.json", done.stdout)
    assert re.search(r"http://127\.0\.0\.1:\d+/controls\.json", done.stdout)
    assert list(demo.cwd.iterdir()) == []  # the store was temporary; nothing left where it ran


def test_slack_alerts_are_shown_and_the_baseline_is_silent(demo: DemoRun) -> None:
    shown = alerts(demo.done.stdout)
    no18 = [a for a in shown if "商务部 海关总署公告2025年第18号" in a and "notice.new" in a]
    assert len(no18) == 1
    assert no18[0].startswith("  Slack → #ree-alerts, #rare-earths")
    no70 = [a for a in shown if "商务部 海关总署公告2025年第70号" in a and "notice.new" in a]
    assert len(no70) == 1 and "MOFCOM-2025-61" in no70[0]  # what it suspends
    ended = [a for a in shown if "measure.suspension_ended" in a]
    assert {"MOFCOM-2025-61", "MOFCOM-2025-62", "MOFCOM-2025-57"} <= {
        key for a in ended for key in re.findall(r"MOFCOM-2025-\d+", a)
    }
    # The watch filter: holmium & co. (No. 57) reach only the subscriber without a watch.
    no57 = [a for a in shown if "商务部 海关总署公告2025年第57号" in a and "notice.new" in a]
    assert len(no57) == 1 and no57[0].startswith("  Slack → #rare-earths\n")
    # The first poll is a baseline: the older notices never alert.
    assert not [a for a in shown if "MOFCOM-2024-46" in a.split("Acts on")[0]]
    assert not [a for a in shown if "2023年第57号" in a]


def test_digests_are_written_as_eml_and_html(demo: DemoRun) -> None:
    output = demo.output
    emls = sorted(output.glob("digest-*.eml"))
    assert len(emls) >= 4
    assert str(output) in demo.done.stdout
    for path in emls:
        message: Message = email.message_from_bytes(path.read_bytes())
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.get_payload()]  # type: ignore[union-attr]
        assert parts == ["text/plain", "text/html"], path
        day = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
        assert day and day.group(0) in str(message["Subject"])
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        assert "<html" in html.lower() and day.group(0) in html
    magnets = email.message_from_bytes((output / "digest-2025-10-09-magnets.eml").read_bytes())
    text = magnets.get_payload()[0].get_payload(decode=True).decode()  # type: ignore[index,union-attr]
    assert "商务部公告2025年第61号" in text
    assert "2025年第57号" not in text  # not in the magnets watch


def test_final_controls_state(demo: DemoRun) -> None:
    output, stdout = demo.output, demo.done.stdout
    controls = json.loads((output / "controls.json").read_text(encoding="utf-8"))
    assert controls["as_of"] == "2026-11-21"
    measures = {m["doc_key"]: m for m in controls["measures"]}
    assert measures["MOFCOM-2025-61"]["status"] == "in_force"  # No. 70 lapsed, no extension
    assert measures["MOFCOM-2025-18"]["status"] == "in_force"
    paragraph = measures["MOFCOM-2024-46"]["paragraphs"][0]
    assert (paragraph["status"], paragraph["suspended_until"]) == ("suspended", "2026-11-27")
    table = stdout[stdout.index("The controls state today") :]
    assert re.search(r"^\s+MOFCOM-2025-61\s+in_force\s", table, flags=re.M)
    assert re.search(r"^\s+第二款\s+suspended\s+2026-11-27\s+MOFCOM-2025-72", table, flags=re.M)
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    events = {(i["_regwatch"]["event"], i["_regwatch"]["notice"]["doc_key"]) for i in feed["items"]}
    assert ("measure.suspension_ended", "MOFCOM-2025-61") in events


def test_stay_leaves_the_pages_up_until_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SLACK_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["HOME"] = str(tmp_path)
    with subprocess.Popen(
        [sys.executable, "-m", "monitor", "demo", "--output", str(tmp_path / "out"), "--stay"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as demo:
        try:
            assert demo.stdout is not None
            pages = None
            for line in demo.stdout:  # the demo prints the URL of / and then waits
                if found := re.match(r"The web pages: (http://127\.0\.0\.1:\d+/) ", line):
                    pages = found.group(1)
                if line.startswith("The pages stay up"):
                    break
            assert pages is not None
            response = httpx.get(pages, timeout=10, trust_env=False)
            assert response.status_code == 200 and "Recent changes" in response.text
            demo.send_signal(signal.SIGINT)
            assert demo.wait(timeout=30) == 0
        finally:
            if demo.poll() is None:
                demo.kill()


def test_the_demo_shows_an_hs_lookup(demo: DemoRun) -> None:
    stdout = demo.done.stdout
    answer = stdout[stdout.index("Is HS 2805301910 controlled?") :]
    assert re.search(r"^\s+MOFCOM-2025-18\s+in_force\s+item 1C902\.a HS 2805301910", answer, re.M)
