// Access-audit findings: per client practice, by severity, as of a business day.

import { h, replace, select, checkbox, badge, downloads } from "../dom.js";
import { day, words } from "../format.js";

export const title = "Access-audit findings";
export const views = ["access_audit"];
const SEVERITIES = ["critical", "high", "medium", "low"];

export function render(ctx) {
  const severity = ctx.params.get("severity") || "";
  const organization = ctx.params.get("organization_id") || "";
  const all = ctx.params.get("all") === "1";
  const results = h("div", { class: "results", "aria-busy": "true" });
  const set = (key, value) => ctx.go("findings", { ...Object.fromEntries(ctx.params), [key]: value });

  ctx.main.append(
    h("form", { class: "filters", on: { submit: (event) => event.preventDefault() } },
      select("Severity", "severity", [["", "any"], ...SEVERITIES.map((name) => [name, name])], severity, (value) => set("severity", value)),
      ctx.clientFilter(organization, (value) => set("organization_id", value)),
      checkbox("Also practices without findings", "all", all, (value) => set("all", value ? "1" : "")),
      downloads(ctx.api, "access-findings", { severity, organization_id: organization, has_findings: all ? "" : "true", as_of: ctx.asOf })),
    results);

  async function load() {
    const { items, truncated } = await ctx.api.all("/v1/views/access-audit", {
      severity, organization_id: organization, has_findings: all ? "" : "true", as_of: ctx.asOf,
    });
    const counts = Object.fromEntries(SEVERITIES.map((name) => [name, 0]));
    for (const row of items) for (const finding of row.findings) counts[finding.severity] += 1;
    const asOf = items[0]?.as_of;
    replace(results,
      h("p", { class: "as-of" }, "Findings as of ", asOf ? day(asOf) : day(ctx.asOf || ctx.today), " (Massachusetts)."),
      h("ul", { class: "tiles", "aria-label": "Findings by severity", "data-testid": "severity-counts" },
        SEVERITIES.map((name) => h("li", { class: `tile ${name}`, "data-severity": name },
          h("span", { class: "count" }, String(counts[name])), " ", name))),
      truncated ? h("p", { class: "note" }, "Only the first 1,000 practices are shown: filter by client.") : null,
      h("table", { "data-testid": "findings" },
        h("caption", {}, `${items.length} practice${items.length === 1 ? "" : "s"}`),
        h("thead", {}, h("tr", {}, ["Practice", "Worst", "Findings", "Access"].map((label) => h("th", { scope: "col" }, label)))),
        h("tbody", {}, items.length ? items.map((row) => practice(ctx, row)) : h("tr", {}, h("td", { colSpan: 4, class: "empty" }, "No findings.")))));
  }
  return load;
}

function practice(ctx, row) {
  return h("tr", { "data-organization": row.organization_id },
    h("th", { scope: "row" }, ctx.recordLink("organization", row.organization_id, row.legal_name), h("div", { class: "muted" }, `NPI ${row.npi}`)),
    h("td", {}, row.worst_severity ? badge(row.worst_severity) : "none"),
    h("td", {}, h("ul", { class: "findings" }, row.findings.map((finding) =>
      h("li", { "data-kind": finding.kind },
        badge(finding.severity), " ", h("strong", {}, words(finding.kind)),
        finding.since ? [" since ", day(finding.since)] : null,
        finding.person_name ? [" — ", finding.person_name] : null,
        h("div", { class: "detail" }, finding.detail))))),
    h("td", {}, h("a", { href: ctx.href("access", { organization_id: row.organization_id, on: row.as_of }) }, "Who held access")));
}
