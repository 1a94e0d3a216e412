// The dashboard: sign in with a bearer token, then pages that read the public API, kept current by the views'
// change stream. Routes live in the address's fragment (#/findings?severity=critical), so a view can be
// bookmarked, shared and reached with Back.

import { Api, ApiError, claims } from "./api.js";
import { h, replace, select } from "./dom.js";
import { day, moment, todayInMassachusetts } from "./format.js";
import { follow } from "./live.js";
import * as findings from "./pages/findings.js";
import * as access from "./pages/access.js";
import * as affiliations from "./pages/affiliations.js";
import * as turnaround from "./pages/turnaround.js";
import * as expirables from "./pages/expirables.js";
import * as work from "./pages/work.js";
import * as record from "./pages/record.js";

const PAGES = { findings, affiliations, turnaround, expirables, work, access, record };
const NAV = ["findings", "affiliations", "turnaround", "expirables", "work"];
const TOKEN_KEY = "credledger.token";
const main = document.getElementById("main");
const status = document.getElementById("live");
const state = { token: sessionStorage.getItem(TOKEN_KEY), snapshot: "", asOf: "", organizations: null, load: null, page: null, stopLive: null, shown: 0, loading: Promise.resolve() };

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { name: PAGES[path] ? path : "findings", params: new URLSearchParams(query || "") };
}

function href(name, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== "" && value !== null && value !== undefined));
  const text = query.toString();
  return `#/${name}${text ? `?${text}` : ""}`;
}

function api() {
  return new Api(state.token, { snapshot: state.snapshot });
}

async function organizations() {
  if (!state.organizations) {
    const { items } = await api().all("/v1/views/affiliation-status", {}, 5000);
    state.organizations = new Map(items.map((row) => [row.organization_id, row.legal_name]));
  }
  return state.organizations;
}

function context(params) {
  const today = todayInMassachusetts();
  return {
    api: api(), params, main, today, asOf: state.asOf,
    go: (name, next) => { location.hash = href(name, next); },
    href,
    recordLink: (kind, id, name) => h("a", { href: href("record", { kind: kind.replace("_", "-"), id, name }) }, name),
    organizationName: (id) => state.organizations?.get(id) || id,
    organizations,
    clientFilter: (value, onChange) => select("Client", "organization_id",
      [["", "every client"], ...[...(state.organizations || new Map())].sort((a, b) => a[1].localeCompare(b[1]))], value, onChange),
  };
}

async function show() {
  if (!state.token) return signIn();
  const { name, params } = route();
  const page = PAGES[name];
  const shown = ++state.shown; // a later navigation wins over one still loading
  state.page = page;
  for (const link of document.querySelectorAll("nav a")) link.toggleAttribute("aria-current", link.dataset.page === name);
  document.title = `${page.title} — credledger`;
  replace(main, h("h2", { id: "page-title" }, page.title));
  try {
    await organizations();
    if (shown !== state.shown) return;
    state.load = page.render(context(params));
    await refresh();
  } catch (error) {
    failed(error, shown);
  }
}

// One load at a time, in order: a live update arriving while the page loads waits for it, so an older answer
// never replaces a newer one.
function refresh() {
  const shown = state.shown;
  state.loading = state.loading.then(async () => {
    if (shown !== state.shown) return;
    const results = main.querySelector(".results");
    results?.setAttribute("aria-busy", "true");
    try {
      await state.load();
    } catch (error) {
      failed(error, shown);
    } finally {
      results?.removeAttribute("aria-busy");
    }
  });
  return state.loading;
}

function failed(error, shown = state.shown) {
  if (shown !== state.shown) return; // the page it was for is gone
  if (error instanceof ApiError && error.status === 401) return signOut("Your token was refused or has expired: sign in again.");
  const text = error instanceof ApiError ? `${error.problem.title || "Error"}: ${error.message}` : String(error.message || error);
  main.append(h("p", { role: "alert", class: "error" }, text));
}

function signIn(message = "") {
  document.body.classList.add("signed-out");
  const input = h("textarea", { id: "token", name: "token", rows: 4, required: true, autocomplete: "off", spellcheck: false });
  replace(main,
    h("h2", {}, "Sign in"),
    message ? h("p", { role: "alert", class: "error" }, message) : null,
    h("form", { class: "sign-in", on: { submit: async (event) => {
      event.preventDefault();
      const token = input.value.trim();
      try {
        await new Api(token).get("/v1/views/snapshots");
      } catch (error) {
        return signIn(error instanceof ApiError ? `The token was refused: ${error.message}` : String(error));
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      state.token = token;
      start();
    } } },
      h("label", { for: "token" }, "Bearer token"),
      h("p", { class: "muted" }, "Ask your firm's administrator, or run: credledger token --tenant demo --role specialist --user you"),
      input,
      h("button", { type: "submit" }, "Sign in")));
  input.focus();
}

function signOut(message) {
  state.stopLive?.();
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state, { token: null, organizations: null, snapshot: "", asOf: "" });
  replace(document.getElementById("who"));
  signIn(message);
}

async function start() {
  document.body.classList.remove("signed-out");
  const who = claims(state.token) || {};
  replace(document.getElementById("who"), `${who.sub} · ${who.role} · ${who.tenant}`);
  replace(document.getElementById("today"), "Today in Massachusetts: ", day(todayInMassachusetts()));
  try {
    await asOfControls();
  } catch (error) {
    // A token kept from an earlier visit may have expired since.
    if (error instanceof ApiError && error.status === 401) return signOut("Your token has expired: sign in again.");
    return failed(error);
  }
  goLive();
  show();
}

async function asOfControls() {
  const { items } = await api().get("/v1/views/snapshots");
  const form = document.getElementById("as-of-form");
  const dateInput = h("input", { type: "date", id: "as-of", name: "as_of", value: state.asOf, max: todayInMassachusetts(),
    on: { change: (event) => { state.asOf = event.target.value; show(); } } });
  replace(form,
    select("Views", "snapshot", [["", "live"], ...items.map((snap) => [snap.name, `${snap.name} (${snap.as_of_day})`])], state.snapshot, (value) => {
      state.snapshot = value;
      state.organizations = null;
      state.asOf = value ? items.find((snap) => snap.name === value).as_of_day : "";
      dateInput.value = state.asOf;
      goLive();
      show();
    }),
    h("label", { for: "as-of" }, " as of "), dateInput,
    h("button", { type: "button", on: { click: () => { state.asOf = ""; dateInput.value = ""; show(); } } }, "Today"));
}

function goLive() {
  state.stopLive?.();
  state.stopLive = null;
  if (state.snapshot) {
    replace(status, "Snapshot: it does not change, so live updates are off.");
    return;
  }
  let timer = null;
  let connected = false;
  state.stopLive = follow(state.token, {
    onChange: (view) => {
      if (!state.page?.views.includes(view) || state.asOf) return;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        await refresh();
        replace(status, "Live · updated ", moment(new Date().toISOString()));
      }, 250);
    },
    onState: (now) => {
      if (now === "signed-out") return signOut("Your token has expired: sign in again.");
      replace(status, now === "live" ? "Live" : "Reconnecting…");
      // Back after a drop: the stream resumes where it stopped, and the page is read again meanwhile.
      if (now === "live" && connected && !state.asOf) refresh();
      if (now === "live") connected = true;
    },
  });
}

document.getElementById("sign-out").addEventListener("click", () => signOut(""));
window.addEventListener("hashchange", show);
// Keys 1-5 open the pages of the menu, unless the user is typing in a field.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, select")) return;
  const index = Number(event.key) - 1;
  if (state.token && index >= 0 && index < NAV.length) {
    location.hash = href(NAV[index]);
    main.focus();
  }
});

if (state.token) start(); else signIn();
