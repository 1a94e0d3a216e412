// Dates as Massachusetts states them. A business date from the API (YYYY-MM-DD) is a calendar day there, shown
// as it is; a recording moment (an ISO timestamp) is shown on the Eastern clock, whatever the reader's own zone.

import { h } from "./dom.js";

export const ZONE = "America/New_York";

const dayFormat = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", weekday: "short", year: "numeric", month: "short", day: "numeric" });
const momentFormat = new Intl.DateTimeFormat("en-US", { timeZone: ZONE, year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
const isoDay = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

// Today's date in Massachusetts, YYYY-MM-DD.
export function todayInMassachusetts(now = new Date()) {
  return isoDay.format(now);
}

// The month `count` months before a YYYY-MM month.
export function monthsBefore(month, count) {
  const [year, number] = month.split("-").map(Number);
  return new Date(Date.UTC(year, number - 1 - count, 1)).toISOString().slice(0, 7);
}

export function day(isoDate) {
  if (!isoDate) return "—";
  const [year, month, dayOfMonth] = isoDate.split("-").map(Number);
  return h("time", { dateTime: isoDate }, dayFormat.format(new Date(Date.UTC(year, month - 1, dayOfMonth))));
}

export function moment(timestamp) {
  if (!timestamp) return "—";
  return h("time", { dateTime: timestamp }, momentFormat.format(new Date(timestamp)));
}

// snake_case names from the API, in words: "no_backup_primary_user" -> "No backup primary user".
export function words(name) {
  if (!name) return "—";
  const text = String(name).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
