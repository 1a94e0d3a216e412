// The affiliation matrix: each client practice against POSC, MassHealth and every ACO, MCO and PCC Plan.

import { h, replace, checkbox, badge, downloads } from "../dom.js";
import { words } from "../format.js";

export const title = "Affiliations";
export const views = ["affiliation_status"];
const KIND_ORDER = ["aco_a", "aco_b", "aco_c", "mco", "pcc"];

export function render(ctx) {
  const risk = ctx.params.get("sole_enrollment_risk") === "true";
  const organization = ctx.params.get("organization_id") || "";
  const results = h("div", { class: "results" });
  const set = (key, value) => ctx.go("affiliations", { ...Object.fromEntries(ctx.params), [key]: value });
  ctx.main.append(
    h("form", { class: "filters", on: { submit: (event) => event.preventDefault() } },
      ctx.clientFilter(organization, (value) => set("organization_id", value)),
      checkbox("Only sole-enrollment risks", "sole_enrollment_risk", risk, (value) => set("sole_enrollment_risk", value ? "true" : "")),
      downloads(ctx.api, "affiliation-status", { sole_enrollment_risk: risk ? "true" : "", organization_id: organization })),
    results);

  async function load() {
    const { items } = await ctx.api.all("/v1/views/affiliation-status", {
      sole_enrollment_risk: risk ? "true" : "", organization_id: organization,
    });
    const plans = new Map();
    for (const row of items) for (const [plan, affiliation] of Object.entries(row.affiliations)) plans.set(plan, affiliation.kind);
    const columns = [...plans].sort(([a, kindA], [b, kindB]) => KIND_ORDER.indexOf(kindA) - KIND_ORDER.indexOf(kindB) || a.localeCompare(b));
    const risky = items.filter((row) => row.sole_enrollment_risk).length;
    replace(results,
      ctx.asOf && !ctx.api.snapshot
        ? h("p", { class: "note" }, "This view has no as-of day: it shows the status now. Choose a snapshot to see a past one.")
        : null,
      h("p", { "data-testid": "risk-count" }, `${risky} of ${items.length} practices at sole-enrollment risk.`),
      h("div", { class: "scroll" }, h("table", { "data-testid": "matrix", class: "matrix" },
        h("caption", {}, "Practices by payer: the state of each registration, enrollment and plan affiliation"),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Practice"), h("th", { scope: "col" }, "POSC"), h("th", { scope: "col" }, "MassHealth"),
          columns.map(([plan, kind]) => h("th", { scope: "col" }, plan, h("div", { class: "muted" }, words(kind)))),
          h("th", { scope: "col" }, "Sole-enrollment risk"))),
        h("tbody", {}, items.map((row) => h("tr", { "data-organization": row.organization_id },
          h("th", { scope: "row" }, ctx.recordLink("organization", row.organization_id, row.legal_name)),
          h("td", {}, state(row.posc_registration)),
          h("td", {}, state(row.enrollment), row.provider_number ? h("div", { class: "muted" }, row.provider_number) : null),
          columns.map(([plan]) => h("td", {}, row.affiliations[plan] ? state(row.affiliations[plan].state) : h("span", { class: "muted" }, "—"))),
          h("td", {}, row.sole_enrollment_risk ? badge("at risk", "high") : "no")))))));
  }
  return load;
}

function state(name) {
  return h("span", { class: `state ${name}` }, words(name));
}
