// Saved views of a cube. The server keeps them (GET/PUT/DELETE
// /api/cubes/{cube}/views); until a server has that route (it answers 404
// NO_ROUTE), they are kept in this browser's localStorage. Callers see one
// interface either way.
import { ApiError, type ApiClient } from "../api/client";
import type { SavedView, ViewSpec } from "../api/types";

export interface SavedViewStore {
  /** Where the views live, for the page to say so. */
  readonly where: "server" | "browser";
  list(cube: string): Promise<SavedView[]>;
  save(cube: string, name: string, view: ViewSpec): Promise<void>;
  remove(cube: string, name: string): Promise<void>;
}

export class ServerSavedViews implements SavedViewStore {
  readonly where = "server";
  constructor(private readonly client: ApiClient) {}

  async list(cube: string): Promise<SavedView[]> {
    return (await this.client.savedViews(cube)).views;
  }

  async save(cube: string, name: string, view: ViewSpec): Promise<void> {
    await this.client.saveView(cube, name, view);
  }

  async remove(cube: string, name: string): Promise<void> {
    await this.client.deleteView(cube, name);
  }
}

export class BrowserSavedViews implements SavedViewStore {
  readonly where = "browser";
  constructor(private readonly storage: Storage) {}

  private key(cube: string): string {
    return `quantatom.views.${cube}`;
  }

  list(cube: string): Promise<SavedView[]> {
    try {
      const views = JSON.parse(this.storage.getItem(this.key(cube)) ?? "[]") as SavedView[];
      return Promise.resolve(Array.isArray(views) ? views : []);
    } catch {
      return Promise.resolve([]);
    }
  }

  async save(cube: string, name: string, view: ViewSpec): Promise<void> {
    const views = (await this.list(cube)).filter((v) => v.name !== name);
    views.push({ name, view });
    views.sort((a, b) => a.name.localeCompare(b.name));
    this.storage.setItem(this.key(cube), JSON.stringify(views));
  }

  async remove(cube: string, name: string): Promise<void> {
    const views = (await this.list(cube)).filter((v) => v.name !== name);
    this.storage.setItem(this.key(cube), JSON.stringify(views));
  }
}

/** The server's store when it has the route, else this browser's. */
export async function savedViewStore(
  client: ApiClient,
  cube: string,
  storage: Storage,
): Promise<SavedViewStore> {
  try {
    await client.savedViews(cube);
    return new ServerSavedViews(client);
  } catch (e) {
    if (e instanceof ApiError && e.code === "NO_ROUTE") return new BrowserSavedViews(storage);
    throw e;
  }
}
