// The web app's figures (docs/bench.md): time to the first grid, frames
// while scrolling a 2,000 x 24 view, and Enter to the updated totals
// painted. Run by bench/web_bench.sh against the release server.
import { writeFileSync } from "node:fs";
import { test } from "vitest";
import type { Page } from "playwright-core";
import type { ViewSpec } from "../src/api/types";
import { DEFAULT_FORMAT, formatValue } from "../src/grid/format";
import {
  Api,
  cellText,
  launch,
  login,
  newContext,
  saveViewsOnServer,
  server,
  shownNumber,
} from "../e2e/harness";
import {
  nextEnterAt,
  paintedWhenText,
  recordFirstGrid,
  scrollThrough,
  timeEnterToText,
  type ScrollReport,
} from "./pageProbes";

const LOADS = Number(process.env.QA_BENCH_LOADS ?? 9);
const EDITS = Number(process.env.QA_BENCH_EDITS ?? 60);
const SCROLL_PX_PER_FRAME = Number(process.env.QA_BENCH_SCROLL_PX ?? 120);

/** 200 legal entities x 10 revenue accounts down, the 24 months of 2024 and 2025 across. */
const BIG: ViewSpec = {
  rows: [
    { dimension: "Entity", members: ["leaves(Total Company)"] },
    { dimension: "Account", members: ["children(Product Revenue)", "children(Service Revenue)"] },
  ],
  columns: [{ dimension: "Time", members: ["leaves(FY2024)", "leaves(FY2025)"] }],
  context: { Version: "Actual", Product: "Total Product" },
  suppress_empty: { rows: false, columns: false },
};
const LEAVES: ViewSpec = {
  rows: [{ dimension: "Entity", members: ["United States", "children(United States)"] }],
  columns: [{ dimension: "Time", members: ["2025-01", "2025-02", "2025-03", "2025-Q1"] }],
  context: { Version: "Budget", Account: "Hardware Sales", Product: "Forge Gaming 15 RTX" },
  suppress_empty: { rows: false, columns: false },
};
const VIEWS = { big: BIG, leaves: LEAVES };

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const round = (v: number) => Math.round(v * 10) / 10;
const started = Date.now();
const progress = (what: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
const summary = (values: number[]) => ({
  median: round(quantile(values, 0.5)),
  p95: round(quantile(values, 0.95)),
  p99: round(quantile(values, 0.99)),
  max: round(Math.max(...values)),
  n: values.length,
});

test("web app benchmark", async () => {
  const browser = await launch();
  await saveViewsOnServer([server.planner], VIEWS);
  const report: Record<string, unknown> = {};
  try {
    // First grid: a logged-in tab reloaded (assets cached, as a planner reopening the app),
    // and a fresh browser profile from the login click.
    const context = await newContext(browser, VIEWS);
    await context.addInitScript(recordFirstGrid);
    const page = await context.newPage();
    await login(page, server.planner);
    const reloads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.reload();
      await page.waitForFunction(() => window.qaFirstGridMs !== undefined);
      reloads.push(await page.evaluate(() => window.qaFirstGridMs ?? 0));
    }
    report.first_grid_reload_ms = summary(reloads);
    progress("first grid after reloads");
    const logins: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const fresh = await newContext(browser, VIEWS);
      const p = await fresh.newPage();
      await p.goto(server.url);
      await p.getByLabel("User").fill(server.planner.name);
      await p.getByLabel("Password").fill(server.planner.password);
      const clicked = await p.evaluate(() => performance.now());
      await p.evaluate(recordFirstGrid);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.waitForFunction(() => window.qaFirstGridMs !== undefined);
      logins.push((await p.evaluate(() => window.qaFirstGridMs ?? 0)) - clicked);
      await fresh.close();
    }
    report.first_grid_after_login_click_ms = summary(logins);
    progress("first grid after logins");

    // Scrolling the 2,000 x 24 view, top to bottom, several times.
    await page.bringToFront();
    await page.goto(`${server.url}/?cube=Finance&view=big`);
    await page
      .locator('[role=gridcell][aria-label^="Acme Inc. (Boston) / Hardware Sales, 2024-01:"]')
      .waitFor();
    const rows = await page.locator("[role=grid]").getAttribute("aria-rowcount");
    const columns = await page.locator("[role=grid]").getAttribute("aria-colcount");
    const scrolls: ScrollReport[] = [];
    for (let i = 0; i < 3; i++) scrolls.push(await page.evaluate(scrollThrough, SCROLL_PX_PER_FRAME));
    progress("scrolling");
    const frames = scrolls.flatMap((s) => s.frameMs);
    report.scroll = {
      view: `${Number(rows) - 1} rows x ${Number(columns) - 2} columns (aria counts less headers)`,
      px_per_frame: SCROLL_PX_PER_FRAME,
      frame_ms: summary(frames),
      frames: scrolls.reduce((a, s) => a + s.frames, 0),
      blank_frames: scrolls.reduce((a, s) => a + s.blankFrames, 0),
      long_animation_frames: scrolls.reduce((a, s) => a + s.longFrames, 0),
    };

    // Enter to the updated totals painted, and to the edit painted in a second browser.
    await page.goto(`${server.url}/?cube=Finance&view=leaves`);
    await enterToTotals(page, report);
    progress("enter to totals");
    const readerContext = await newContext(browser, VIEWS);
    const reader = await readerContext.newPage();
    await login(reader, server.admin, "?cube=Finance&view=leaves");
    await page.bringToFront();
    await liveToOthers(page, reader, report);
    progress("live edits");
  } finally {
    await browser.close();
  }
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  if (process.env.QA_BENCH_OUT) writeFileSync(process.env.QA_BENCH_OUT, text);
});

/** The server's own time for a route (from /metrics): requests answered and seconds spent. */
async function serverTime(route: string, method: string): Promise<{ count: number; seconds: number }> {
  const metrics = await (await Api.as(server.admin)).text("/metrics");
  const read = (what: string) => {
    const line = metrics
      .split("\n")
      .find(
        (l) =>
          l.startsWith(`quantatom_http_request_duration_seconds_${what}{`) &&
          l.includes(`route="${route}"`) &&
          l.includes(`method="${method}"`) &&
          l.includes('status_class="2xx"'),
      );
    return line ? Number(line.split(" ").at(-1)) : 0;
  };
  return { count: read("count"), seconds: read("sum") };
}

async function enterToTotals(page: Page, report: Record<string, unknown>) {
  const before = await serverTime("/api/cubes/{cube}/sync", "POST");
  const leaf = "Acme Inc. (Boston)";
  const leafCell = page.locator(`[role=gridcell][aria-label^=${JSON.stringify(`${leaf}, 2025-01:`)}]`);
  await leafCell.waitFor();
  const latencies: number[] = [];
  const writes: number[] = [];
  const grids: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const old = shownNumber(await cellText(page, leaf, "2025-01")) ?? 0;
    const total = shownNumber(await cellText(page, "United States", "2025-01")) ?? 0;
    const next = 1000 + i;
    const expected = formatValue(total + (next - old), DEFAULT_FORMAT);
    await leafCell.click();
    const timed = page.evaluate(timeEnterToText, { label: "United States, 2025-01:", expected });
    await page.keyboard.type(String(next));
    await page.keyboard.press("Enter");
    const timing = await timed;
    latencies.push(timing.totalMs);
    writes.push(timing.writeMs);
    grids.push(timing.gridMs);
    await page.locator('.saving[data-pending="0"]').waitFor();
  }
  report.enter_to_totals_painted_ms = summary(latencies);
  report.of_which_write_request_ms = summary(writes);
  const after = await serverTime("/api/cubes/{cube}/sync", "POST");
  report.of_which_server_commit_mean_ms = round(
    ((after.seconds - before.seconds) / (after.count - before.count)) * 1000,
  );
  report.of_which_grid_request_ms = summary(grids);
}

async function liveToOthers(writer: Page, reader: Page, report: Record<string, unknown>) {
  const row = "Northwind Inc. (Chicago)";
  const label = `${row}, 2025-02:`;
  const leafCell = writer.locator(`[role=gridcell][aria-label^=${JSON.stringify(label)}]`);
  const latencies: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const next = 5000 + i;
    const painted = reader.evaluate(paintedWhenText, { label, expected: formatValue(next, DEFAULT_FORMAT) });
    await leafCell.click();
    const entered = writer.evaluate(nextEnterAt);
    await writer.keyboard.type(String(next));
    await writer.keyboard.press("Enter");
    latencies.push((await painted) - (await entered));
    await writer.locator('.saving[data-pending="0"]').waitFor();
  }
  report.live_edit_painted_in_second_browser_ms = summary(latencies);
}
