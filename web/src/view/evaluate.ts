// A dimension's selection as the server evaluates it, alone on the rows of
// a one-column grid: the members with their depths, in order, as the grid
// would show them unsuppressed.
import type { ApiClient } from "../api/client";
import type { HeaderMember } from "../api/types";

export async function evaluateSelection(
  client: ApiClient,
  cube: string,
  dimension: string,
  terms: string[],
  other: { dimension: string; member: string },
): Promise<HeaderMember[]> {
  const { answer } = await client.grid(cube, {
    rows: [{ dimension, members: terms }],
    columns: [{ dimension: other.dimension, members: [other.member] }],
    context: {},
    suppress_empty: { rows: false, columns: false },
  });
  return answer.rows.map((tuple) => tuple[0]);
}
