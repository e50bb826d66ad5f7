// What the end-to-end tests share: the server the test script started, its
// users, Debian's Chromium driven by playwright-core, logging in, reading
// the grid as the page shows it, and the API as a second, independent
// witness of what the server holds.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { GridAnswer, ViewSpec } from "../src/api/types";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with scripts/web_test.sh`);
  return value;
}

export const server = {
  url: env("QA_E2E_URL"),
  admin: { name: env("QA_E2E_ADMIN"), password: env("QA_E2E_ADMIN_PASSWORD") },
  planner: { name: env("QA_E2E_PLANNER"), password: env("QA_E2E_PLANNER_PASSWORD") },
  viewer: { name: env("QA_E2E_VIEWER"), password: env("QA_E2E_VIEWER_PASSWORD") },
  hiddenEntity: env("QA_E2E_HIDDEN_ENTITY"),
};

export type User = typeof server.admin;

/** Debian's Chromium (never a downloaded browser), headless, with a fresh profile per launch. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.QA_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`) });
}

/**
 * Saves `views` on the server for each user, where the server keeps saved
 * views (PUT /api/cubes/Finance/views/{name}); false when it has no such
 * route, and the app keeps them in the browser (see newContext).
 */
export async function saveViewsOnServer(users: User[], views: Record<string, ViewSpec>): Promise<boolean> {
  for (const user of users) {
    const api = await Api.as(user);
    for (const [name, view] of Object.entries(views)) {
      try {
        await api.call("PUT", `/api/cubes/Finance/views/${encodeURIComponent(name)}`, { view });
      } catch (e) {
        if (String(e).includes("NO_ROUTE")) return false;
        throw e;
      }
    }
  }
  return true;
}

/** A fresh context (own storage) whose localStorage holds `views` as saved views of Finance. */
export async function newContext(browser: Browser, views: Record<string, ViewSpec>): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const saved = Object.entries(views).map(([name, view]) => ({ name, view }));
  await context.addInitScript((text: string) => {
    if (!localStorage.getItem("quantatom.views.Finance"))
      localStorage.setItem("quantatom.views.Finance", text);
  }, JSON.stringify(saved));
  return context;
}

export async function login(page: Page, user: User, search = ""): Promise<void> {
  await page.goto(`${server.url}/${search}`);
  await page.getByLabel("User").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("[role=gridcell]").first().waitFor();
}

/** The grid cell at a row and a column, by their member names (" / " between nested ones). */
export function cell(page: Page, row: string, column: string) {
  return page.locator(`[role=gridcell][aria-label^=${JSON.stringify(`${row}, ${column}:`)}]`);
}

export async function cellText(page: Page, row: string, column: string): Promise<string> {
  return (await cell(page, row, column).innerText()).trim();
}

/** The API as a witness: a session of its own. */
export class Api {
  private constructor(private readonly token: string) {}

  static async as(user: User): Promise<Api> {
    const r = await fetch(`${server.url}/api/login`, {
      method: "POST",
      body: JSON.stringify({ user: user.name, password: user.password }),
    });
    if (!r.ok) throw new Error(`login of ${user.name}: ${r.status} ${await r.text()}`);
    return new Api(((await r.json()) as { token: string }).token);
  }

  async text(path: string): Promise<string> {
    const r = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
    return r.text();
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  }

  grid(view: ViewSpec): Promise<GridAnswer> {
    return this.call("POST", "/api/cubes/Finance/view", view);
  }

  /** The value of one cell of a one-dimension-per-axis view, by row and column names. */
  async value(view: ViewSpec, row: string, column: string): Promise<number | null> {
    const g = await this.grid(view);
    const r = g.rows.findIndex((t) => t[0].name === row);
    const c = g.columns.findIndex((t) => t[0].name === column);
    if (r < 0 || c < 0) throw new Error(`no cell ${row} / ${column} in the grid`);
    return g.values[r][c];
  }

  async write(members: string[], value: number | null): Promise<number> {
    const a = await this.call<{ sequence: number }>("POST", "/api/cubes/Finance/cells", {
      cells: [{ members, value }],
    });
    return a.sequence;
  }
}

/** The number a cell shows ("1,234.50", "-7.00", "(7.00)"), or null when empty. */
export function shownNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const negative = t.startsWith("-") || t.startsWith("(");
  const n = Number(t.replace(/[-(),]/g, ""));
  return negative ? -n : n;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
