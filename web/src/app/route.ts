// The page's address: which cube and saved view are open (?cube=..&view=..),
// so a reload or a shared link opens the same grid.

export interface Route {
  cube: string | null;
  view: string | null;
}

export function readRoute(search: string): Route {
  const q = new URLSearchParams(search);
  return { cube: q.get("cube"), view: q.get("view") };
}

export function routeSearch(route: Route): string {
  const q = new URLSearchParams();
  if (route.cube) q.set("cube", route.cube);
  if (route.view) q.set("view", route.view);
  const s = q.toString();
  return s ? `?${s}` : "";
}
