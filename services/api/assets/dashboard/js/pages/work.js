// The work queue: what is due, whose it is, soonest first (due dates in Massachusetts business days).

import { h, replace, table, badge } from "../dom.js";
import { day, words } from "../format.js";

export const title = "Work queue";
export const views = ["work_queue"];
const LISTS = [["mine", "My work"], ["unassigned", "Unassigned"], ["all", "All open"]];

export function render(ctx) {
  const list = ctx.params.get("list") || "all";
  const results = h("div", { class: "results" });
  ctx.main.append(
    h("div", { class: "windows", role: "group", "aria-label": "Which tasks" },
      LISTS.map(([name, label]) => h("button", {
        type: "button", "data-list": name, "aria-pressed": String(list === name), on: { click: () => ctx.go("work", { list: name }) },
      }, label))),
    results);

  async function load() {
    const filter = list === "mine" ? { mine: "true" } : list === "unassigned" ? { unassigned: "true" } : {};
    const [counts, page] = await Promise.all([
      ctx.api.get("/v1/views/work-queue/counts", { as_of: ctx.asOf }),
      ctx.api.get("/v1/views/work-queue", { ...filter, as_of: ctx.asOf, limit: 100 }),
    ]);
    const open = Object.values(counts.by_assignee).reduce((sum, count) => sum + count, 0);
    replace(results,
      h("p", { "data-testid": "work-counts" }, `${open} open, ${counts.late} late, as of `, day(counts.as_of), ". ",
        Object.entries(counts.by_assignee).map(([who, count]) => `${who || "unassigned"}: ${count}`).join(" · ")),
      table(page.next_cursor ? "The first 100 tasks, soonest due first" : "Tasks, soonest due first", [
        { label: "Due", cell: (row) => [day(row.due_on), row.late ? [" ", badge("late", "high")] : null] },
        { label: "Business days left", cell: (row) => String(row.business_days_left) },
        { label: "Task", cell: (row) => ctx.recordLink("task", row.task_id, row.label) },
        { label: "Practice", cell: (row) => ctx.recordLink("organization", row.organization_id, row.organization_name) },
        { label: "Priority", cell: (row) => badge(row.priority) },
        { label: "Assignee", cell: (row) => row.assignee || "unassigned" },
        { label: "Kind", cell: (row) => words(row.kind) },
      ], page.items, { testid: "tasks" }));
  }
  return load;
}
