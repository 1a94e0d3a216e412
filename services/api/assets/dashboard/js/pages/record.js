// One record's compliance history: every change, who made it, when it was recorded (Eastern time) and why.

import { h, replace, table, pagedTable } from "../dom.js";
import { moment } from "../format.js";

export const title = "Record history";
export const views = [];
export const PATHS = {
  organization: "/v1/organizations",
  "user-account": "/v1/user-accounts",
  application: "/v1/applications",
  practitioner: "/v1/practitioners",
  task: "/v1/tasks",
};

export function render(ctx) {
  const kind = ctx.params.get("kind");
  const id = ctx.params.get("id");
  const results = h("div", { class: "results" });
  ctx.main.append(results);

  async function load() {
    const base = PATHS[kind];
    if (!base) throw new Error(`No such kind of record: ${kind}`);
    const first = await ctx.api.get(`${base}/${id}/history`, { limit: 100 }, { views: false });
    const next = (cursor) => ctx.api.get(`${base}/${id}/history`, { limit: 100, cursor }, { views: false });
    const [body, more] = pagedTable(first, next, (rows) =>
      table(`${rows.length} change${rows.length === 1 ? "" : "s"}, oldest first`, [
        { label: "Version", cell: (row) => String(row.version) },
        { label: "Recorded", cell: (row) => moment(row.recorded_at) },
        { label: "Who", cell: (row) => [row.actor, " ", h("span", { class: "muted" }, `(${row.actor_role})`)] },
        { label: "What", cell: (row) => row.summary },
        { label: "Why", cell: (row) => row.reason || "—" },
      ], rows, { testid: "history" }));
    replace(results, h("h3", {}, ctx.params.get("name") || `${kind} ${id}`), body, more);
  }
  return load;
}
