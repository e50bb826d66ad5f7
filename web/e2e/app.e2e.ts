// The planner's web app against the real server, in Chromium: every value
// asserted is checked against the server through the API as well.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ViewSpec } from "../src/api/types";
import { DEFAULT_FORMAT, formatValue } from "../src/grid/format";
import {
  Api,
  cell,
  cellText,
  launch,
  login,
  newContext,
  saveViewsOnServer,
  screenshot,
  server,
  shownNumber,
  waitFor,
} from "./harness";

/** Budget of one product and account: US legal entities by the months of 2025-Q1, with totals. */
const LEAVES: ViewSpec = {
  rows: [{ dimension: "Entity", members: ["United States", "children(United States)"] }],
  columns: [{ dimension: "Time", members: ["2025-01", "2025-02", "2025-03", "2025-Q1"] }],
  context: { Version: "Budget", Account: "Hardware Sales", Product: "Forge Gaming 15 RTX" },
  suppress_empty: { rows: false, columns: false },
};
const VIEWS = { "US leaves": LEAVES };
const OPEN_LEAVES = `?cube=Finance&view=${encodeURIComponent("US leaves")}`;
const members = (entity: string, month: string) => [
  "Budget",
  month,
  entity,
  "Hardware Sales",
  "Forge Gaming 15 RTX",
];
const shown = (v: number | null) => formatValue(v, DEFAULT_FORMAT);

let browser: Browser;
let admin: Api;

beforeAll(async () => {
  browser = await launch();
  admin = await Api.as(server.admin);
  await saveViewsOnServer([server.admin, server.planner, server.viewer], VIEWS);
});

afterAll(async () => {
  await browser.close();
});

async function open(user = server.planner, search = OPEN_LEAVES): Promise<Page> {
  const context = await newContext(browser, VIEWS);
  const page = await context.newPage();
  await login(page, user, search);
  return page;
}

async function typeInto(page: Page, row: string, column: string, text: string, key = "Enter") {
  await cell(page, row, column).click();
  await page.keyboard.type(text);
  await page.keyboard.press(key);
}

async function allSaved(page: Page) {
  await page.locator('.saving[data-pending="0"]').waitFor();
}

describe("the planner's web app", () => {
  test("logs in, shows the first grid, opens a saved view and builds another", async () => {
    const context = await newContext(browser, VIEWS);
    const page = await context.newPage();
    await login(page, server.planner);
    const total = await admin.value(
      {
        rows: [{ dimension: "Entity", members: ["Total Company"] }],
        columns: [{ dimension: "Time", members: ["FY2025"] }],
        context: { Version: "Actual", Account: "Net Income", Product: "Total Product" },
        suppress_empty: { rows: false, columns: false },
      },
      "Total Company",
      "FY2025",
    );
    expect(await cellText(page, "Total Company", "FY2025")).toBe(shown(total));
    await screenshot(page, "grid");

    await page.getByLabel("Saved view").selectOption("US leaves");
    await cell(page, "Acme Inc. (Boston)", "2025-01").waitFor();
    expect(page.url()).toContain("view=US+leaves");
    const us = await admin.value(LEAVES, "United States", "2025-Q1");
    expect(await cellText(page, "United States", "2025-Q1")).toBe(shown(us));

    // Build: Account onto the rows beside Entity, then swap the axes.
    await page.getByLabel("Place of Account").selectOption("rows");
    await cell(page, "United States / Hardware Sales", "2025-01").waitFor();
    await page.getByRole("button", { name: "Swap axes" }).click();
    await page.locator('[role=columnheader]:has-text("Acme Inc. (Boston)")').first().waitFor();
    expect(await page.locator('[role=rowheader]:has-text("2025-01")').count()).toBe(1);
    await context.close();
  });

  test("builds a view: drag a dimension, pick members by alias, suppress empty rows and columns, save it", async () => {
    const page = await open(server.planner, "");
    await page
      .locator('li.chip[data-dimension="Version"]')
      .dragTo(page.locator('li.chip[data-dimension="Time"]'));
    await cell(page, "Total Company", "Actual / FY2025").waitFor();
    await page.getByRole("button", { name: /^Members of Version/ }).click();
    const versions = page.getByRole("dialog", { name: "Members of Version" });
    await versions.getByRole("button", { name: "Add Budget" }).click();
    await versions.getByRole("button", { name: "Add Forecast" }).click();
    await versions.getByRole("button", { name: "Apply" }).click();
    await cell(page, "Total Company", "Forecast / FY2025").waitFor();
    expect(await cellText(page, "Total Company", "Forecast / FY2025")).toBe("");

    await page.getByRole("button", { name: /^Members of Entity/ }).click();
    const picker = page.getByRole("dialog", { name: "Members of Entity" });
    await picker.getByRole("listitem").filter({ hasText: "Americas" }).first().waitFor();
    await picker.getByRole("button", { name: "Remove descendants(Total Company, 1)" }).click();
    await picker.getByLabel("Search name or alias").fill("US-BOS");
    await picker.getByRole("button", { name: "Add Acme Inc. (Boston)" }).click();
    await picker.getByLabel("Search name or alias").fill("Germany");
    await picker.getByRole("button", { name: "Add the children of Germany" }).click();
    await picker.getByRole("button", { name: "Apply" }).click();
    await cell(page, "Acme GmbH (Munich)", "Budget / FY2024").waitFor();
    const rows = await page.locator("[role=rowheader] .name").allInnerTexts();
    expect(await page.locator('[role=columnheader]:has-text("Forecast")').count()).toBe(3);
    expect(rows[0]).toBe("Acme Inc. (Boston)");
    expect(rows).toHaveLength(6);

    // Forecast exists for no year here: suppressing empty columns leaves Actual and Budget.
    // (the grid before the check has that cell too: wait for the columns to go)
    await page.getByLabel("Suppress empty columns").check();
    await waitFor(
      async () => (await page.locator('[role=columnheader]:has-text("Forecast")').count()) === 0,
      5000,
      "the empty columns suppressed",
    );
    await cell(page, "Acme GmbH (Munich)", "Budget / FY2024").waitFor();
    // Swapped, the suppression follows the axis: empty Forecast rows stay out.
    await page.getByRole("button", { name: "Swap axes" }).click();
    await cell(page, "Budget / FY2024", "Acme GmbH (Munich)").waitFor();
    expect(await page.getByLabel("Suppress empty rows").isChecked()).toBe(true);
    expect(await page.locator('[role=rowheader]:has-text("Forecast")').count()).toBe(0);

    await page.getByLabel("Name to save the view as").fill("Boston and Germany");
    await page.getByRole("button", { name: "Save view" }).click();
    await page.waitForURL(/view=Boston\+and\+Germany/);
    await page.reload();
    await cell(page, "Budget / FY2024", "Acme GmbH (Munich)").waitFor();
    expect(await page.getByLabel("Saved view").inputValue()).toBe("Boston and Germany");
    await page.context().close();
  });

  test("expands and collapses a region inline; consolidated rows look different", async () => {
    const page = await open(server.planner, "");
    await page.getByRole("button", { name: "Expand Americas" }).click();
    await cell(page, "United States", "FY2025").waitFor();
    const view: ViewSpec = {
      rows: [{ dimension: "Entity", members: ["United States"] }],
      columns: [{ dimension: "Time", members: ["FY2025"] }],
      context: { Version: "Actual", Account: "Net Income", Product: "Total Product" },
      suppress_empty: { rows: false, columns: false },
    };
    expect(await cellText(page, "United States", "FY2025")).toBe(
      shown(await admin.value(view, "United States", "FY2025")),
    );
    await expect(
      page.getByRole("button", { name: "Collapse Americas" }).getAttribute("aria-expanded"),
    ).resolves.toBe("true");
    expect(
      await page.locator('.grid-row.consolidated:has([role=rowheader]:has-text("Americas"))').count(),
    ).toBe(1);
    await screenshot(page, "expand");
    await page.getByRole("button", { name: "Collapse Americas" }).click();
    await page.getByRole("button", { name: "Expand Americas" }).waitFor();
    expect(await cell(page, "United States", "FY2025").count()).toBe(0);

    // The cube's number format: no decimals, no separators; kept for the next visit.
    const americas = await admin.value(
      { ...view, rows: [{ dimension: "Entity", members: ["Americas"] }] },
      "Americas",
      "FY2025",
    );
    await page.getByText("Number format").click();
    await page.getByLabel("Decimals").selectOption("0");
    await page.getByLabel("Thousands separators").uncheck();
    const plain = { ...DEFAULT_FORMAT, decimals: 0, thousands: false };
    expect(await cellText(page, "Americas", "FY2025")).toBe(formatValue(americas, plain));
    await page.reload();
    await cell(page, "Americas", "FY2025").waitFor();
    expect(await cellText(page, "Americas", "FY2025")).toBe(formatValue(americas, plain));
    await page.context().close();
  });

  test("an edit of a leaf changes the totals; a non-number is refused inline and kept", async () => {
    const page = await open();
    const row = "Northwind Inc. (Chicago)";
    const before = await admin.value(LEAVES, row, "2025-01");
    const month = await admin.value(LEAVES, "United States", "2025-01");
    const quarter = await admin.value(LEAVES, "United States", "2025-Q1");
    const delta = 1234.5;
    const next = (before ?? 0) + delta;

    await typeInto(page, row, "2025-01", "12x");
    await expect(
      page.getByRole("alert").filter({ hasText: "is not a number" }).innerText(),
    ).resolves.toContain('"12x"');
    await expect(page.getByRole("textbox", { name: /^Value of/ }).inputValue()).resolves.toBe("12x");
    await page.keyboard.press("Escape");
    expect(await admin.value(LEAVES, row, "2025-01")).toBe(before);

    await typeInto(page, row, "2025-01", String(next));
    await waitFor(
      async () => (await cellText(page, "United States", "2025-01")) === shown((month ?? 0) + delta),
      5000,
      "the month's total",
    );
    expect(await cellText(page, "United States", "2025-Q1")).toBe(shown((quarter ?? 0) + delta));
    expect(await cellText(page, row, "2025-01")).toBe(shown(next));
    expect(await admin.value(LEAVES, row, "2025-01")).toBeCloseTo(next, 6);
    // Enter moved the active cell down; Tab moves right, an arrow after typing moves that way.
    expect(await cell(page, "Bluepeak Inc. (Austin)", "2025-01").getAttribute("class")).toContain("active");
    await typeInto(page, "Meridian Inc. (Seattle)", "2025-03", "31", "Tab");
    expect(await cell(page, "Meridian Inc. (Seattle)", "2025-Q1").getAttribute("class")).toContain("active");
    await typeInto(page, "Silverline Inc. (Denver)", "2025-01", "41", "ArrowUp");
    expect(await cell(page, "Meridian Inc. (Seattle)", "2025-01").getAttribute("class")).toContain("active");
    await allSaved(page);
    expect(await admin.value(LEAVES, "Meridian Inc. (Seattle)", "2025-03")).toBe(31);
    expect(await admin.value(LEAVES, "Silverline Inc. (Denver)", "2025-01")).toBe(41);
    await screenshot(page, "edit");
    await page.context().close();
  });

  test("a 3 x 3 block pasted from Excel is one transaction; a copy gives it back", async () => {
    const page = await open();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await cell(page, "Acme Inc. (Boston)", "2025-01").click();
    const block = "101\t102\t103\r\n201\t202\t203\r\n301\t302\t(303)\r\n";
    await page.evaluate((text) => navigator.clipboard.writeText(text), block);
    await page.keyboard.press("Control+V");
    await allSaved(page);
    const rows = ["Acme Inc. (Boston)", "Northwind Inc. (Chicago)", "Bluepeak Inc. (Austin)"];
    const months = ["2025-01", "2025-02", "2025-03"];
    const grid = await admin.grid(LEAVES);
    const expected = [
      [101, 102, 103],
      [201, 202, 203],
      [301, 302, -303],
    ];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        const gr = grid.rows.findIndex((t) => t[0].name === rows[r]);
        expect(grid.values[gr][c]).toBe(expected[r][c]);
        await waitFor(
          async () => (await cellText(page, rows[r], months[c])) === shown(expected[r][c]),
          3000,
          `${rows[r]} ${months[c]}`,
        );
      }
    }
    expect(await cellText(page, "Bluepeak Inc. (Austin)", "2025-03")).toBe("-303.00");
    expect(await cell(page, "Bluepeak Inc. (Austin)", "2025-03").getAttribute("class")).toContain("negative");
    const changes = await admin.call<{ transactions: { user: string; deltas_count: number }[] }>(
      "GET",
      `/api/changes?after=0&max=10000`,
    );
    const last = changes.transactions.at(-1);
    expect(last?.user).toBe(server.planner.name);
    expect(last?.deltas_count).toBe(9);
    // The pasted block stays selected: copying it gives the numbers back.
    await page.keyboard.press("Control+C");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      "101\t102\t103\n201\t202\t203\n301\t302\t-303",
    );
    await page.context().close();
  });

  test("a second planner sees an edit live, highlighted", async () => {
    const writer = await open();
    const reader = await open(server.admin);
    const row = "Meridian Inc. (Seattle)";
    const value = 4242.25;
    const start = Date.now();
    await typeInto(writer, row, "2025-02", String(value));
    await waitFor(
      async () => (await cellText(reader, row, "2025-02")) === shown(value),
      3000,
      "the live update",
    );
    const seenMs = Date.now() - start;
    expect(await cell(reader, row, "2025-02").getAttribute("class")).toContain("highlight");
    console.log(`live update seen by the second browser ${seenMs} ms after Enter`);
    await screenshot(reader, "live");
    await writer.context().close();
    await reader.context().close();
  });

  test("an unsent edit survives a reload and is sent when the server answers again", async () => {
    const context = await newContext(browser, VIEWS);
    await context.route("**/api/cubes/Finance/sync", (route) => route.abort("internetdisconnected"));
    const page = await context.newPage();
    await login(page, server.planner, OPEN_LEAVES);
    const row = "Silverline Inc. (Denver)";
    const before = await admin.value(LEAVES, row, "2025-03");
    await typeInto(page, row, "2025-03", "777");
    await page.locator('.saving[data-pending="1"].offline').waitFor();
    await page.reload();
    await cell(page, row, "2025-03").waitFor();
    await page.locator('.saving[data-pending="1"]').waitFor();
    expect(await cellText(page, row, "2025-03")).toBe(shown(777));
    expect(await cell(page, row, "2025-03").getAttribute("class")).toContain("own-pending");
    expect(await admin.value(LEAVES, row, "2025-03")).toBe(before);
    await screenshot(page, "offline");

    await context.unroute("**/api/cubes/Finance/sync");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await allSaved(page);
    expect(await admin.value(LEAVES, row, "2025-03")).toBe(777);

    // A value typed but not yet entered is back in its editor after a reload.
    await cell(page, "Meridian Inc. (Seattle)", "2025-01").click();
    await page.keyboard.type("4321");
    await page.reload();
    const editor = page.getByRole("textbox", { name: "Value of Meridian Inc. (Seattle), 2025-01" });
    await editor.waitFor();
    expect(await editor.inputValue()).toBe("4321");
    await page.keyboard.press("Enter");
    await allSaved(page);
    expect(await admin.value(LEAVES, "Meridian Inc. (Seattle)", "2025-01")).toBe(4321);
    await context.close();
  });

  test("an edit that conflicts with a newer one shows both values and lets the planner choose", async () => {
    const context = await newContext(browser, VIEWS);
    await context.route("**/api/cubes/Finance/sync", (route) => route.abort("internetdisconnected"));
    const page = await context.newPage();
    await login(page, server.planner, OPEN_LEAVES);
    const row = "Acme Inc. (Boston)";
    await typeInto(page, row, "2025-02", "555");
    await page.locator('.saving[data-pending="1"]').waitFor();
    await admin.write(members(row, "2025-02"), 999);
    await context.unroute("**/api/cubes/Finance/sync");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    const dialog = page.getByRole("dialog", { name: "Someone changed these cells first" });
    await dialog.waitFor();
    expect(await dialog.locator("td.mine").innerText()).toBe(shown(555));
    expect(await dialog.locator("td.theirs").innerText()).toContain(shown(999));
    expect(await dialog.locator("td.theirs").innerText()).toContain(server.admin.name);
    await screenshot(page, "conflict");
    await dialog.getByRole("button", { name: "Keep mine" }).click();
    await allSaved(page);
    expect(await admin.value(LEAVES, row, "2025-02")).toBe(555);
    await context.close();
  });

  test("undo and redo of one's own edit, and its history", async () => {
    const page = await open();
    const row = "Bluepeak Inc. (Austin)";
    const before = await admin.value(LEAVES, row, "2025-01");
    await typeInto(page, row, "2025-01", "31337");
    await allSaved(page);
    expect(await admin.value(LEAVES, row, "2025-01")).toBe(31337);
    await page.keyboard.press("Control+z");
    await waitFor(async () => (await admin.value(LEAVES, row, "2025-01")) === before, 5000, "the undo");
    await waitFor(
      async () => (await cellText(page, row, "2025-01")) === shown(before),
      3000,
      "the grid after undo",
    );
    await page.keyboard.press("Control+y");
    await waitFor(async () => (await admin.value(LEAVES, row, "2025-01")) === 31337, 5000, "the redo");

    await cell(page, row, "2025-01").click();
    await page.keyboard.press("Alt+h");
    const panel = page.getByRole("complementary", { name: /^History of/ });
    await panel.locator("tbody tr").first().waitFor();
    const newest = await panel.locator("tbody tr").first().innerText();
    expect(newest).toContain(server.planner.name);
    expect(newest).toContain("undo");
    expect(newest).toContain(shown(31337));
    await screenshot(page, "history");
    await page.context().close();
  });

  test("a user without access sees masked cells", async () => {
    const page = await open(server.viewer, "");
    const total = cell(page, "Total Company", "FY2025");
    expect(await total.innerText()).toBe("•••");
    expect(await total.getAttribute("aria-label")).toContain("no access");
    await page.getByRole("button", { name: "Expand Western Europe" }).click();
    await cell(page, "Germany", "FY2025").waitFor();
    expect(await cellText(page, "Germany", "FY2025")).toBe("•••");
    expect(shownNumber(await cellText(page, "France", "FY2025"))).not.toBeNull();
    await page.getByRole("button", { name: "Expand Germany" }).click();
    await cell(page, "Northwind GmbH (Berlin)", "FY2025").waitFor();
    expect(await page.locator(`[role=rowheader]:has-text("${server.hiddenEntity}")`).count()).toBe(0);
    await screenshot(page, "masked");
    await typeInto(page, "Germany", "FY2025", "1");
    await page.getByRole("alert").filter({ hasText: "You have no access to this cell" }).waitFor();

    // Actual is read-only for this user: its leaves look so and refuse typing.
    await page.goto(`${server.url}/${OPEN_LEAVES}`);
    await page.getByRole("button", { name: /^Members of Version/ }).click();
    await page
      .getByRole("dialog", { name: "Version in the context" })
      .getByRole("button", { name: "Choose Actual" })
      .click();
    const actual = cell(page, "Acme Inc. (Boston)", "2025-01");
    await waitFor(
      async () => (await page.getByRole("button", { name: /^Members of Version: Actual/ }).count()) === 1,
      3000,
      "Actual",
    );
    await actual.waitFor();
    expect(await actual.getAttribute("aria-readonly")).toBe("true");
    expect(await actual.getAttribute("class")).toContain("access-R");
    const before = await actual.innerText();
    await typeInto(page, "Acme Inc. (Boston)", "2025-01", "5");
    await page.getByRole("alert").filter({ hasText: "This cell is read-only for you" }).waitFor();
    expect(await page.getByRole("textbox", { name: /^Value of/ }).count()).toBe(0);
    expect(await actual.innerText()).toBe(before);
    await page.context().close();
  });

  test("writing to a consolidated cell spreads it through the dialog; holds; the server's errors are shown", async () => {
    const page = await open();
    await typeInto(page, "United States", "2025-01", "100");
    const dialog = page.getByRole("dialog", { name: /^Spread over/ });
    await dialog.waitFor();
    await expect(dialog.getByLabel("Value").inputValue()).resolves.toBe("100");
    // A bad TM1 expression: the server's reason, and nothing written.
    const before = await admin.value(LEAVES, "United States", "2025-01");
    await dialog.getByLabel(/^Or an expression/).fill("P<>abc");
    await dialog.getByRole("button", { name: "Spread", exact: true }).click();
    await dialog.getByRole("alert").waitFor();
    expect(await admin.value(LEAVES, "United States", "2025-01")).toBe(before);
    await dialog.getByLabel(/^Or an expression/).fill("");
    await dialog.getByRole("button", { name: "Spread", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await waitFor(
      async () => (await cellText(page, "United States", "2025-01")) === shown(100),
      5000,
      "the spread total",
    );
    // Totals are met within floating-point error (docs/writeback.md, "Rounding").
    expect(await admin.value(LEAVES, "United States", "2025-01")).toBeCloseTo(100, 6);

    await cell(page, "Acme Inc. (Boston)", "2025-03").click();
    await page.getByRole("button", { name: "Hold", exact: true }).click();
    await waitFor(
      async () =>
        ((await cell(page, "Acme Inc. (Boston)", "2025-03").getAttribute("class")) ?? "").includes("held"),
      5000,
      "the hold",
    );
    await page.getByRole("button", { name: "Release all", exact: true }).click();
    await waitFor(
      async () =>
        !((await cell(page, "Acme Inc. (Boston)", "2025-03").getAttribute("class")) ?? "").includes("held"),
      5000,
      "the release",
    );
    await page.context().close();
  });

  test("charts the selected rows and the variance of two versions", async () => {
    const page = await open();
    await cell(page, "Acme Inc. (Boston)", "2025-01").click();
    await cell(page, "Bluepeak Inc. (Austin)", "2025-01").click({ modifiers: ["Shift"] });
    const charts = page.getByRole("region", { name: "Charts" });
    await charts.locator("canvas").nth(1).waitFor();
    const series = charts.getByRole("img").first();
    await waitFor(
      async () => (await series.getAttribute("aria-label"))?.includes("Bluepeak") ?? false,
      3000,
      "the chart",
    );
    const label = await series.getAttribute("aria-label");
    expect(label).toContain("Acme Inc. (Boston); Northwind Inc. (Chicago); Bluepeak Inc. (Austin)");
    expect(label).not.toContain("United States");
    const variance = charts.getByRole("img").nth(1);
    await waitFor(
      async () => (await variance.getAttribute("aria-label"))?.includes("Bluepeak") ?? false,
      5000,
      "the variance",
    );
    expect(await variance.getAttribute("aria-label")).toBe(
      "Variance Budget minus Actual: Acme Inc. (Boston); Northwind Inc. (Chicago); Bluepeak Inc. (Austin)",
    );
    await screenshot(page, "charts");
    await page.context().close();
  });
});
