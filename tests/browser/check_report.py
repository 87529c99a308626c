#!/usr/bin/env python3
"""Loads one sniprobe HTML report in headless Chromium and checks it the way a reader's
browser would see it.

The browser is driven over the DevTools protocol on --remote-debugging-pipe (JSON
messages separated by NUL bytes on file descriptors 3 and 4), with nothing but Python's
standard library: no port is opened, no npm or pip package is needed, and the protocol
events give what --dump-dom cannot: every console message, every uncaught exception,
every network request and every JavaScript dialog. Any of those fails the check (the
page must need nothing but itself, and a hostile string must never run). Then the DOM
is read: the verdict, and for each packet ladder the number of arrows and injected-RST
arrows, compared with the JSON report the page was rendered from. A full-page
screenshot and an A4 PDF are saved for people to look at.

Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or the browser broke.
"""
import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

K_MAX_LADDER_ARROWS = 40  # report/ladder_svg.hpp: k_max_ladder_arrows
K_TIMEOUT_S = 60
# A4 (210 mm) less the page's 12 mm side margins (@page), in CSS pixels (96 per inch).
K_A4_TEXT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)


class BrowserError(Exception):
    pass


class Chromium:
    """A headless Chromium with a DevTools pipe; one page target attached (flat mode)."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="sniprobe-chromium.")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def wire_pipes():
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "about:blank"]
        self.log = open(os.path.join(self.profile, "stderr.log"), "w+b")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, close_fds=False, preexec_fn=wire_pipes)
        os.close(to_r)
        os.close(from_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout_s=10)
        except BrowserError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def stderr_tail(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def _send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            n = os.write(self.to_w, data)
            data = data[n:]

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no answer from Chromium within the time limit")
            ready, _, _ = select.select([self.from_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe:\n" + self.stderr_tail())
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=True, timeout_s=K_TIMEOUT_S):
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + timeout_s
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self._on_event(m)

    def wait_event(self, method, timeout_s=K_TIMEOUT_S):
        deadline = time.monotonic() + timeout_s
        for m in self.events:
            if m["method"] == method:
                return m
        while True:
            m = self._read_message(deadline)
            if "method" in m:
                self._on_event(m)
                if m["method"] == method:
                    return m

    def _on_event(self, m):
        self.events.append(m)
        if m["method"] == "Page.javascriptDialogOpening":
            # Dismiss it at once so the page does not hang; the check fails on the event.
            self._send({"id": 0, "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": False}, "sessionId": self.session})

    def attach_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.call("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(domain)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError("evaluate failed: " + json.dumps(result["exceptionDetails"]))
        return result["result"].get("value")


# Read in the page: what the report shows, from its data attributes and classes.
K_DOM_QUERY = r"""
(() => {
  const verdict = document.querySelector('#verdict');
  const ladders = [...document.querySelectorAll('svg.ladder')].map(svg => ({
    trial: Number(svg.dataset.trialId),
    packets: Number(svg.dataset.packets),
    arrows: svg.querySelectorAll('g.arrow').length,
    injected: svg.querySelectorAll('g.arrow.injected').length,
    injected_from_hop: [...svg.querySelectorAll('g.arrow.injected')].filter(g => {
      const hop = svg.querySelector('.lane.hop line');
      const line = g.querySelector('line');
      return hop && line && line.getAttribute('x1') === hop.getAttribute('x1');
    }).length,
    injected_titled: [...svg.querySelectorAll('g.arrow.injected > title')]
        .filter(t => t.textContent.includes('injected on the path')).length,
    server_close: svg.querySelectorAll('g.arrow.server-close').length,
    hop_lane: svg.querySelector('.lane.hop .lane-caption')?.textContent ?? null,
  }));
  const hopRows = [...document.querySelectorAll('#trace tr.middlebox')]
      .map(tr => Number(tr.children[1].textContent));
  return {
    cause: verdict?.dataset.cause ?? null,
    confidence: verdict ? Number(verdict.dataset.confidence) : null,
    summary: verdict?.querySelector('.summary')?.textContent ?? null,
    variants: document.querySelectorAll('#variants tr[data-variant]').length,
    ci_bars: document.querySelectorAll('#variants svg.ci').length,
    evidence: document.querySelectorAll('#evidence dt').length,
    evidence_explained: document.querySelectorAll('#evidence dd.meaning').length,
    ladders,
    middlebox_rows: hopRows,
    sink_views: [...document.querySelectorAll('aside.sink-view')]
        .filter(a => a.parentElement.querySelector(':scope > svg.ladder')).length,
    scripts: document.querySelectorAll('script').length,
    event_handlers: [...document.querySelectorAll('*')]
        .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    text: document.body.innerText,
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  };
})()
"""


class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = 0

    def check(self, what, ok, detail=""):
        if ok:
            print(f"ok   - {self.name}: {what}")
        else:
            print(f"FAIL - {self.name}: {what}{': ' + detail if detail else ''}")
            self.failures += 1

    def eq(self, what, expected, actual):
        self.check(f"{what} ({actual})", expected == actual, f"expected {expected!r}, got {actual!r}")


def expected_ladders(report):
    """Per trial id: the packets and injected RSTs the JSON report holds."""
    out = {}
    for trial in report.get("trials", []):
        drawn = min(len(trial.get("packets", [])), K_MAX_LADDER_ARROWS)
        injected = sum(1 for r in report.get("rst", [])
                       if r["trial_id"] == trial["id"] and r["origin"] == "injected"
                       and r["packet_index"] < drawn)
        out[trial["id"]] = {"packets": len(trial.get("packets", [])), "arrows": drawn,
                            "injected": injected}
    return out


def save(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def run(args):
    binary = shutil.which(args.chromium)
    if not binary:
        print(f"FAIL - {args.chromium} not found: install it (scripts/setup.sh lists chromium)")
        return 1
    checks = Checks(args.name or os.path.basename(args.html))
    url = "file://" + os.path.abspath(args.html)
    browser = Chromium(binary)
    try:
        browser.attach_page()
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        browser.call("Page.navigate", {"url": url})
        browser.wait_event("Page.loadEventFired")
        dom = browser.evaluate(K_DOM_QUERY)

        # Screenshot of the whole page, then the page as it prints on A4.
        if args.screenshot:
            metrics = browser.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            height = min(size["height"], args.clip_height or size["height"])
            shot = browser.call("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": height,
                         "scale": 1}})
            save(args.screenshot, base64.b64decode(shot["data"]))
        pdf = browser.call("Page.printToPDF", {"preferCSSPageSize": True,
                                               "printBackground": True})
        pdf_bytes = base64.b64decode(pdf["data"])
        if args.pdf:
            save(args.pdf, pdf_bytes)
        browser.call("Emulation.setEmulatedMedia", {"media": "print"})
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": K_A4_TEXT_WIDTH_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        print_width = browser.evaluate("document.documentElement.scrollWidth")
        # Let events that were already on their way arrive before judging them.
        browser.evaluate("1")
    except BrowserError as e:
        print(f"FAIL - {checks.name}: the browser broke: {e}")
        browser.close()
        return 2
    events = list(browser.events)
    browser.close()

    # Nothing may run, complain or fetch.
    console = [e["params"] for e in events if e["method"] == "Runtime.consoleAPICalled"
               and e["params"].get("type") in ("error", "assert", "warning")]
    exceptions = [e["params"] for e in events if e["method"] == "Runtime.exceptionThrown"]
    log_errors = [e["params"]["entry"] for e in events if e["method"] == "Log.entryAdded"
                  and e["params"]["entry"].get("level") in ("error", "warning")]
    requests = [e["params"]["request"]["url"] for e in events
                if e["method"] == "Network.requestWillBeSent"
                and e["params"]["request"]["url"] != url]
    dialogs = [e["params"].get("message") for e in events
               if e["method"] == "Page.javascriptDialogOpening"]
    checks.check("the page loaded from file://", any(
        e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["url"] == url
        for e in events), "no request for the page itself was seen")
    checks.check("no console error", not console, json.dumps(console)[:500])
    checks.check("no exception", not exceptions, json.dumps(exceptions)[:500])
    checks.check("no error in the browser log (CSP, loading)", not log_errors,
                 json.dumps(log_errors)[:500])
    checks.check("no network request besides the page", not requests, ", ".join(requests))
    checks.check("no dialog opened", not dialogs, repr(dialogs))
    checks.eq("no script element", 0, dom["scripts"])
    checks.eq("no event-handler attribute", 0, dom["event_handlers"])
    checks.check("fits the window without horizontal scrolling",
                 dom["width"] <= dom["viewport"], f"{dom['width']} > {dom['viewport']}")
    checks.check("fits an A4 page width in print layout", print_width <= K_A4_TEXT_WIDTH_PX,
                 f"scrollWidth {print_width} > {K_A4_TEXT_WIDTH_PX}")
    checks.check("prints as a PDF", pdf_bytes.startswith(b"%PDF"), "no PDF")

    for text in args.expect_text:
        checks.check(f"the page shows {text!r} as text", text in dom["text"])

    if args.json:
        with open(args.json) as f:
            report = json.load(f)
        verdict = report.get("verdict") or {}
        checks.eq("verdict cause as in the JSON", verdict.get("cause"), dom["cause"])
        checks.check("verdict sentence as in the JSON",
                     dom["summary"] == verdict.get("summary"), repr(dom["summary"]))
        checks.eq("one table row per variant", len(report.get("variants", [])), dom["variants"])
        checks.eq("one interval bar per variant", dom["variants"], dom["ci_bars"])
        checks.eq("every evidence id listed", len(verdict.get("evidence", [])), dom["evidence"])
        checks.eq("every evidence id explained", dom["evidence"], dom["evidence_explained"])
        want = expected_ladders(report)
        captured_variants = {t["variant"] for t in report.get("trials", []) if t.get("packets")}
        # A variant whose most common outcome was never captured has no ladder.
        ladder_variants = [t["variant"] for l in dom["ladders"] for t in report.get("trials", [])
                           if t["id"] == l["trial"]]
        checks.check(f"at most one ladder per captured variant ({len(dom['ladders'])} of "
                     f"{len(captured_variants)})",
                     len(ladder_variants) == len(set(ladder_variants))
                     and set(ladder_variants) <= captured_variants
                     and (dom["ladders"] or not captured_variants), repr(ladder_variants))
        for ladder in dom["ladders"]:
            w = want.get(ladder["trial"])
            if w is None:
                checks.check(f"ladder of trial {ladder['trial']} is a trial of the report", False)
                continue
            checks.eq(f"trial {ladder['trial']}: arrows = packets drawn", w["arrows"],
                      ladder["arrows"])
            checks.eq(f"trial {ladder['trial']}: injected arrows = injected RSTs", w["injected"],
                      ladder["injected"])
            checks.eq(f"trial {ladder['trial']}: injected arrows start at the hop lane",
                      ladder["injected"], ladder["injected_from_hop"])
            checks.eq(f"trial {ladder['trial']}: injected arrows say so on hover",
                      ladder["injected"], ladder["injected_titled"])
        hop = (report.get("trace") or {}).get("middlebox_hop")
        checks.eq("trace rows marked as the interfering hop", [hop] if hop is not None else [],
                  dom["middlebox_rows"])

    total_injected = sum(l["injected"] for l in dom["ladders"])
    total_server = sum(l["server_close"] for l in dom["ladders"])
    total_arrows = sum(l["arrows"] for l in dom["ladders"])
    if args.expect_cause:
        checks.eq("verdict", args.expect_cause, dom["cause"])
    if args.min_arrows is not None:
        checks.check(f"ladder arrows ({total_arrows}) >= {args.min_arrows}",
                     total_arrows >= args.min_arrows)
    if args.min_injected is not None:
        checks.check(f"injected-RST arrows ({total_injected}) >= {args.min_injected}",
                     total_injected >= args.min_injected)
    if args.max_injected is not None:
        checks.check(f"injected-RST arrows ({total_injected}) <= {args.max_injected}",
                     total_injected <= args.max_injected)
    if args.min_server_close is not None:
        checks.check(f"server RST/FIN arrows ({total_server}) >= {args.min_server_close}",
                     total_server >= args.min_server_close)
    if args.min_sink_views is not None:
        checks.check(f"server's views beside a ladder ({dom['sink_views']}) >= "
                     f"{args.min_sink_views}", dom["sink_views"] >= args.min_sink_views)
    if args.hop_lane:
        lanes = {l["hop_lane"] for l in dom["ladders"] if l["injected"]}
        checks.check(f"injected RSTs drawn from the lane {args.hop_lane!r}",
                     lanes == {args.hop_lane}, repr(lanes))

    if checks.failures:
        print(f"{checks.failures} browser check(s) failed")
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--html", required=True, help="the report page")
    p.add_argument("--json", help="the JSON report it was rendered from (expected values)")
    p.add_argument("--name", help="scenario name for the output lines")
    p.add_argument("--screenshot", help="save a full-page PNG here")
    p.add_argument("--clip-height", type=int, help="screenshot only this many CSS pixels from the top")
    p.add_argument("--pdf", help="save the A4 print here")
    p.add_argument("--expect-cause")
    p.add_argument("--expect-text", action="append", default=[],
                   help="text the page must show literally (repeatable)")
    p.add_argument("--min-arrows", type=int)
    p.add_argument("--min-injected", type=int)
    p.add_argument("--max-injected", type=int)
    p.add_argument("--min-server-close", type=int)
    p.add_argument("--min-sink-views", type=int)
    p.add_argument("--hop-lane", help="caption of the lane injected RSTs must start from")
    p.add_argument("--chromium", default=os.environ.get("SNIPROBE_CHROMIUM", "chromium"))
    sys.exit(run(p.parse_args()))


if __name__ == "__main__":
    main()
