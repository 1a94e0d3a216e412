// What expires when: every dated credential and due date, by window, soonest first.

import { h, replace, select, table, badge, pagedTable, downloads } from "../dom.js";
import { day, words } from "../format.js";

export const title = "Expirables";
export const views = ["expirables"];
const WINDOWS = [["overdue", "Overdue"], ["30", "Within 30 days"], ["60", "Within 60 days"], ["90", "Within 90 days"], ["later", "Later"]];
const KINDS = ["license", "dea", "board_certification", "malpractice", "caqh_attestation", "document", "masshealth_revalidation", "revalidation_response", "plan_recredentialing"];

export function render(ctx) {
  const window = ctx.params.get("window") || "";
  const kind = ctx.params.get("kind") || "";
  const organization = ctx.params.get("organization_id") || "";
  const results = h("div", { class: "results" });
  const set = (key, value) => ctx.go("expirables", { ...Object.fromEntries(ctx.params), [key]: value });
  ctx.main.append(
    h("form", { class: "filters", on: { submit: (event) => event.preventDefault() } },
      select("Kind", "kind", [["", "any"], ...KINDS.map((name) => [name, words(name)])], kind, (value) => set("kind", value)),
      ctx.clientFilter(organization, (value) => set("organization_id", value)),
      downloads(ctx.api, "expirables", { window, kind, organization_id: organization, as_of: ctx.asOf })),
    results);

  async function load() {
    const params = { window, kind, organization_id: organization, as_of: ctx.asOf, limit: 50 };
    const first = await ctx.api.get("/v1/views/expirables", params);
    const [body, more] = pagedTable(first, (cursor) => ctx.api.get("/v1/views/expirables", { ...params, cursor }), (rows) =>
      table(`Due dates, soonest first (as of ${first.as_of})`, [
        { label: "Due", cell: (row) => day(row.due_on) },
        { label: "Days left", cell: (row) => String(row.days_left) },
        { label: "Who", cell: (row) => ctx.recordLink(row.subject_kind, row.subject_id, row.subject_name) },
        { label: "What", cell: (row) => row.label },
        { label: "Window", cell: (row) => words(WINDOWS.find(([name]) => name === row.window)?.[1] || row.window) },
        { label: "Severity", cell: (row) => (row.severity ? badge(row.severity) : "") },
        { label: "Enrollment depends on it", cell: (row) => (row.enrollment_depends ? "yes" : "no") },
      ], rows, { testid: "expirables" }));
    replace(results,
      h("div", { class: "windows", role: "group", "aria-label": "Window", "data-testid": "windows" },
        h("button", { type: "button", "aria-pressed": String(!window), on: { click: () => set("window", "") } }, "All"),
        WINDOWS.map(([name, label]) => h("button", {
          type: "button", "data-window": name, "aria-pressed": String(window === name), on: { click: () => set("window", name) },
        }, `${label}: ${first.counts[name] ?? 0}`))),
      body, more);
  }
  return load;
}
