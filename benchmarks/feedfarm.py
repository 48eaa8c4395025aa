"""A farm of RSS feeds, each on its own loopback host, for the polling benchmark.

Feed `i` is served at ``http://127.10.<i // 250>.<1 + i % 250>:<port>/feed.xml`` (Linux
routes all of 127/8 to `lo`; one listening socket per address, one asyncio loop). Every
feed has 20 items (~10 KB), an ETag and a Last-Modified header, and answers 304 to a
matching If-None-Match or a not-older If-Modified-Since, as a well-behaved news site does.

Run as a child process so that its CPU is not counted with the client's:
``python -m benchmarks.feedfarm N`` prints ``{"port": …, "urls": […]}`` on one line, then
reads commands on stdin: ``counts`` prints the HTTP status counts since the last
``counts`` as JSON; ``delay S`` makes every answer wait S seconds; end of input stops it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

ITEMS_PER_FEED = 20
PER_OCTET = 250

# Headlines in the style of trade-press items on the rare-earth controls (our own text).
_HEADLINES = (
    ("MOFCOM and customs name seven medium and heavy rare earths for export licensing",
     "Announcement No. 18 of 2025 puts samarium, gadolinium, terbium, dysprosium, lutetium, "
     "scandium and yttrium under dual-use licensing from 4 April, including SmCo magnets."),
    ("Licence queue for dysprosium-bearing NdFeB magnets lengthens, magnet makers say",
     "Exporters report 45 working days for first applications under codes 1C902 to 1C908; "
     "end-user certificates are now checked line by line against the contract."),
    ("Beijing adds extraterritorial rule for foreign magnets with Chinese content",
     "Announcement No. 61 of 2025 reaches foreign-made permanent magnets holding 0.1 per cent "
     "or more of China-origin medium or heavy rare earths by value, from 1 December."),
    ("Holmium, erbium, thulium, europium and ytterbium join the control list",
     "Announcement No. 57 of 2025 adds five elements under codes 1C909 to 1C913, effective 8 "
     "November, with metals, alloys, targets and compounds all in scope."),
    ("Commerce ministry suspends October measures for a year",
     "Announcement No. 70 of 2025 suspends Nos. 55, 56, 57, 58, 61 and 62 until 10 November "
     "2026; the April licensing of seven elements under No. 18 stays in force."),
    ("Paragraph two of the 2024 US export ban paused until late November 2026",
     "Announcement No. 72 of 2025 suspends the denial in principle of gallium, germanium, "
     "antimony and superhard materials to the United States until 27 November 2026."),
    ("First general licences for rare-earth magnet exporters approved",
     "Year-long licences per customer were confirmed for several NdFeB producers in December "
     "2025; they sit beside the case-by-case licensing under Announcement No. 18."),
    ("Rare-earth technology and equipment rules spelt out",
     "Announcement No. 62 of 2025 covers mining, separation, smelting, magnet-making and "
     "recycling technology under 1E902, while No. 56 lists production equipment as 2B902."),
    ("Customs tightens declarations for terbium and dysprosium oxides",
     "Declarations for oxides under 1C904.b and 1C905.b must carry the licence number; "
     "shipments without it are held at the port until the paperwork arrives."),
    ("Unified dual-use list takes effect on 1 December 2024",
     "Announcement No. 51 of 2024 folds the gallium, germanium, graphite and antimony item "
     "lists into one dual-use list with five-character control codes."),
)  # fmt: skip


def host_of(index: int) -> str:
    return f"127.10.{index // PER_OCTET}.{1 + index % PER_OCTET}"


def feed_bytes(index: int, host: str, port: int) -> bytes:
    """Feed `index`: 20 items, newest first, about 10 KB."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    items = []
    for j in range(ITEMS_PER_FEED):
        title, summary = _HEADLINES[(index + j) % len(_HEADLINES)]
        moment = start - timedelta(hours=7 * j + index % 5)
        link = f"http://{host}:{port}/news/2026/{index:05d}-{j:02d}.html"
        items.append(
            f"<item><title>{title} ({j + 1})</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            f"<pubDate>{format_datetime(moment, usegmt=True)}</pubDate>"
            f"<description>{summary} Desk {index}, item {j + 1}; the notice text and its "
            f"annexes are on the ministry's website.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Rare-earth trade desk {index}</title><link>http://{host}:{port}/</link>"
        "<description>Export-control news for magnet and materials buyers</description>"
        "<language>en</language>" + "".join(items) + "</channel></rss>\n"
    ).encode()


class Farm:
    def __init__(self, count: int) -> None:
        self.count = count
        self.port = _free_port()
        self.counts: Counter[int] = Counter()
        self.delay_s = 0.0
        self.feeds: dict[str, tuple[bytes, str, str, datetime]] = {}
        modified = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        for index in range(count):
            host = host_of(index)
            body = feed_bytes(index, host, self.port)
            etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
            stamp = format_datetime(modified, usegmt=True)
            self.feeds[host] = (body, etag, stamp, modified)

    def urls(self) -> list[str]:
        return [f"http://{host_of(i)}:{self.port}/feed.xml" for i in range(self.count)]

    def answer(self, host: str, head: bytes) -> tuple[bytes, bool]:
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body, etag, stamp, modified = self.feeds[host]
        not_modified = False
        if "if-none-match" in headers:
            not_modified = etag in {t.strip() for t in headers["if-none-match"].split(",")}
        elif "if-modified-since" in headers:
            try:
                not_modified = modified <= parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                not_modified = False
        close = headers.get("connection", "").lower() == "close"
        common = f"ETag: {etag}\r\nLast-Modified: {stamp}\r\n"
        if close:
            common += "Connection: close\r\n"
        if not_modified:
            self.counts[304] += 1
            return (f"HTTP/1.1 304 Not Modified\r\n{common}\r\n").encode(), close
        self.counts[200] += 1
        start = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n{common}\r\n"
        )
        return start.encode() + body, close

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                data, close = self.answer(host, head)
                writer.write(data)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve(self) -> None:
        servers = [
            await asyncio.start_server(self.handle, host_of(i), self.port, backlog=512)
            for i in range(self.count)
        ]
        print(json.dumps({"port": self.port, "urls": self.urls()}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            command, _, arg = line.strip().partition(" ")
            if command == "counts":
                print(json.dumps({str(k): v for k, v in sorted(self.counts.items())}), flush=True)
                self.counts.clear()
            elif command == "delay":
                self.delay_s = float(arg)
                print("{}", flush=True)
        for server in servers:
            server.close()


def _free_port() -> int:
    """A port free on the farm's first address (the same port is then used on every one)."""
    with socket.socket() as probe:
        probe.bind((host_of(0), 0))
        return int(probe.getsockname()[1])


def main(argv: list[str]) -> int:
    asyncio.run(Farm(int(argv[0])).serve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
