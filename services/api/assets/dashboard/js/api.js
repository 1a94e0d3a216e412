// The public API, called with the user's bearer token exactly as any other client would.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor(token, { snapshot = "" } = {}) {
    this.token = token;
    this.snapshot = snapshot;
  }

  url(path, params = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        if (one !== null && one !== undefined && one !== "") query.append(key, String(one));
      }
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  }

  async get(path, params = {}, { views = true } = {}) {
    // A view read goes to the chosen snapshot, if any; a record's own reads never do.
    const all = views && this.snapshot ? { ...params, snapshot: this.snapshot } : params;
    const response = await fetch(this.url(path, all), {
      headers: { Authorization: `Bearer ${this.token}`, Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  async post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, answer);
    return answer;
  }

  // A report (GET /v1/reports/...) saved as the file the API names: fetched with the token, then handed to the
  // browser as a download.
  async download(path, params) {
    const all = this.snapshot ? { ...params, snapshot: this.snapshot } : params;
    const response = await fetch(this.url(path, all), { headers: { Authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
    const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = named ? named[1] : "report";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  // Every page of a list, up to `most` rows (a firm's practices: one or two pages of 100).
  async all(path, params = {}, most = 1000) {
    const items = [];
    let cursor = null;
    do {
      const page = await this.get(path, { ...params, limit: 100, cursor });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < most);
    return { items, truncated: Boolean(cursor) };
  }
}

// What the token says about its holder. Only for display: the API checks the token on every call.
export function claims(token) {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(payload));
  } catch {
    return null;
  }
}
