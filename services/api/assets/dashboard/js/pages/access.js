// Who held which POSC access to one practice on a business day: what an auditor asks first.

import { h, replace, table } from "../dom.js";
import { day, words } from "../format.js";

export const title = "Who held access";
export const views = ["access_audit"];

export function render(ctx) {
  const organization = ctx.params.get("organization_id");
  const on = ctx.params.get("on") || ctx.asOf || ctx.today;
  const results = h("div", { class: "results" });
  ctx.main.append(
    h("form", { class: "filters", on: { submit: (event) => event.preventDefault() } },
      h("label", {}, "On ", h("input", { type: "date", name: "on", value: on, max: ctx.today,
        on: { change: (event) => event.target.value && ctx.go("access", { organization_id: organization, on: event.target.value }) } }))),
    results);

  async function load() {
    const access = await ctx.api.get(`/v1/views/access-audit/${organization}/access`, { on });
    const name = (await ctx.organizations()).get(organization) || organization;
    replace(results,
      h("h3", {}, ctx.recordLink("organization", organization, name), " on ", day(access.on)),
      table("Primary users", [
        { label: "Location", cell: (row) => row.service_location },
        { label: "Person", cell: (row) => ctx.recordLink("user-account", row.account_id, row.person_name) },
        { label: "From", cell: (row) => day(row.started_on) },
        { label: "To", cell: (row) => (row.ended_on ? day(row.ended_on) : "still") },
      ], access.primary_users, { testid: "primary-users" }),
      table("Access held that day", [
        { label: "Person", cell: (row) => ctx.recordLink("user-account", row.account_id, row.person_name) },
        { label: "Role", cell: (row) => words(row.role) + (row.partner_firm ? ` (${row.partner_firm})` : "") },
        { label: "Functions", cell: (row) => h("ul", {}, row.functions.map((held) => h("li", {}, words(held.function), ": ",
          day(held.granted_on), " – ", held.ended_on ? day(held.ended_on) : "still held"))) },
      ], access.holders, { testid: "holders" }));
  }
  return load;
}
