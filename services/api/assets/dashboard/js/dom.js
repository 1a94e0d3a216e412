// Building the page from data without ever parsing it as HTML: every value from the API becomes a text node,
// so a name or a reason typed into a record can never run as a script.

export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "on") for (const [type, handler] of Object.entries(value)) node.addEventListener(type, handler);
    else if (key in node && !key.includes("-")) node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

// A table from column definitions: [{label, cell: row => node or text}].
export function table(caption, columns, rows, { testid } = {}) {
  return h("table", { "data-testid": testid },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column.label)))),
    h("tbody", {}, rows.length
      ? rows.map((row) => h("tr", {}, columns.map((column) => h("td", {}, column.cell(row)))))
      : h("tr", {}, h("td", { colSpan: columns.length, class: "empty" }, "Nothing to show."))),
  );
}

let fields = 0;

// A labelled <select>; options are [value, text] pairs. The label names the field alone (label for=id), so a
// screen reader and a test find it by its name.
export function select(label, name, options, value, onChange) {
  const id = `field-${name}-${++fields}`;
  return h("span", { class: "field" }, h("label", { htmlFor: id }, label), " ",
    h("select", { id, name, on: { change: (event) => onChange(event.target.value) } },
      options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text))));
}

export function checkbox(label, name, checked, onChange) {
  const id = `field-${name}-${++fields}`;
  return h("span", { class: "field" },
    h("input", { type: "checkbox", id, name, checked, on: { change: (event) => onChange(event.target.checked) } }), " ",
    h("label", { htmlFor: id }, label));
}

// "Download CSV" and "Download XLSX" for a report with the page's filters.
export function downloads(api, report, params) {
  const failed = h("span", { role: "alert", class: "error" });
  const button = (format) => h("button", { type: "button", on: { click: async () => {
    failed.textContent = "";
    try {
      await api.download(`/v1/reports/${report}`, { ...params, format });
    } catch (error) {
      failed.textContent = `The report could not be made: ${error.message}`;
    }
  } } }, `Download ${format.toUpperCase()}`);
  return h("span", { class: "downloads" }, button("csv"), " ", button("xlsx"), " ", failed);
}

export function badge(text, kind) {
  return h("span", { class: `badge ${kind || text}` }, text);
}

// A table that grows a page at a time: `first` is the first page ({items, next_cursor}), `next(cursor)` fetches
// another, `draw(rows)` makes the table of all rows so far. Returns the table's place and its "Show more" button.
export function pagedTable(first, next, draw) {
  const rows = [...first.items];
  const body = h("div");
  const more = h("button", { type: "button", on: { click: async () => {
    const page = await next(more.dataset.cursor);
    rows.push(...page.items);
    show(page.next_cursor);
  } } }, "Show more");
  function show(cursor) {
    more.dataset.cursor = cursor || "";
    more.hidden = !cursor;
    replace(body, draw(rows));
  }
  show(first.next_cursor);
  return [body, more];
}
