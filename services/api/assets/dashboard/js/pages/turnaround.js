// Turnaround in Massachusetts business days: median and p90 per month for a kind, breaches, and the open
// applications by age with their due dates.

import { h, replace, select, table, downloads } from "../dom.js";
import { day, words, monthsBefore } from "../format.js";
import { barChart } from "../chart.js";

export const title = "Turnaround";
export const views = ["turnaround"];
const KINDS = ["posc_registration", "enrollment", "revalidation", "aco_affiliation", "mco_affiliation", "pcc_affiliation", "primary_user_modification"];

export function render(ctx) {
  const kind = ctx.params.get("kind") || "enrollment";
  const to = (ctx.asOf || ctx.today).slice(0, 7);
  const from = monthsBefore(to, 11); // twelve months, this one included
  const results = h("div", { class: "results" });
  ctx.main.append(
    h("form", { class: "filters", on: { submit: (event) => event.preventDefault() } },
      select("Kind", "kind", KINDS.map((name) => [name, words(name)]), kind, (value) => ctx.go("turnaround", { kind: value })),
      downloads(ctx.api, "open-applications", { as_of: ctx.asOf })),
    results);

  async function load() {
    const [metrics, aging, due] = await Promise.all([
      ctx.api.all("/v1/views/turnaround/metrics", { kind, pooled: "true", from, to, sort: "month" }),
      ctx.api.get("/v1/views/turnaround/aging", { as_of: ctx.asOf }),
      ctx.api.get("/v1/views/turnaround/applications", { status: "open", sort: "next_due_on", limit: 20, as_of: ctx.asOf }),
    ]);
    const months = metrics.items;
    replace(results,
      h("section", { "aria-labelledby": "chart-title" },
        h("h3", { id: "chart-title" }, `${words(kind)}: business days from submission to decision, by month decided`),
        months.length
          ? barChart(months.map((row) => ({ label: row.month, values: [row.median_business_days, row.p90_business_days] })),
              { series: ["median", "p90"], target: months.at(-1).sla_target_days, unit: "business days" })
          : h("p", { class: "empty" }, `No ${words(kind).toLowerCase()} decided from ${from} to ${to}.`),
        table("The same figures", [
          { label: "Month", cell: (row) => row.month },
          { label: "Decided", cell: (row) => String(row.count) },
          { label: "Median", cell: (row) => String(row.median_business_days) },
          { label: "p90", cell: (row) => String(row.p90_business_days) },
          { label: "SLA target", cell: (row) => String(row.sla_target_days) },
          { label: "Breaches", cell: (row) => String(row.breaches) },
        ], months, { testid: "metrics" })),
      table(`Open applications by age, as of ${aging.as_of}`, [
        { label: "Kind", cell: (row) => words(row.kind) },
        { label: "Open", cell: (row) => String(row.open) },
        { label: "Waiting on the client", cell: (row) => String(row.waiting_on_client) },
        { label: "Breached", cell: (row) => String(row.breached) },
        { label: "Late", cell: (row) => String(row.late) },
        { label: "Due within a week", cell: (row) => String(row.due_soon) },
        { label: "Oldest submitted", cell: (row) => day(row.oldest_submitted_on) },
        ...["0-7", "8-30", "31-60", "61-90", "91+"].map((label) => ({
          label: `${label} days`, cell: (row) => String(row.buckets.find((bucket) => bucket.label === label)?.count ?? 0),
        })),
      ], aging.items, { testid: "aging" }),
      table("Open applications next due", [
        { label: "Due", cell: (row) => day(row.next_due_on) },
        { label: "Late", cell: (row) => (row.late ? "late" : "") },
        { label: "Application", cell: (row) => ctx.recordLink("application", row.application_id, words(row.kind) + (row.plan ? ` (${row.plan})` : "")) },
        { label: "Practice", cell: (row) => ctx.recordLink("organization", row.organization_id, ctx.organizationName(row.organization_id)) },
        { label: "Waiting on", cell: (row) => words(row.waiting_on) },
        { label: "Business days", cell: (row) => String(row.business_days) },
      ], due.items, { testid: "due" }));
  }
  return load;
}
