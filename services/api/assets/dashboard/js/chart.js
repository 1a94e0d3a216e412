// A bar chart drawn as SVG (no charting library: a few bars per month need none). It is a figure whose
// caption says what it shows; the page gives the same figures as a table beside it for screen readers.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function barChart(groups, { series, target, unit }) {
  const width = 720, height = 240, left = 40, bottom = 30, top = 10;
  const highest = Math.max(target || 0, ...groups.flatMap((group) => group.values)) || 1;
  const scale = (value) => ((height - bottom - top) * value) / highest;
  const slot = (width - left) / groups.length;
  const bar = Math.max(2, (slot - 8) / series.length);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", "aria-label": `${series.join(" and ")} in ${unit} per month` });
  chart.append(svg("line", { x1: left, x2: width, y1: height - bottom, y2: height - bottom, class: "axis" }));
  chart.append(svg("text", { x: 0, y: top + 10, class: "tick" }, String(Math.round(highest))));
  groups.forEach((group, index) => {
    const x = left + index * slot + 4;
    group.values.forEach((value, which) => {
      const tall = scale(value);
      const rect = svg("rect", { x: x + which * bar, y: height - bottom - tall, width: bar - 1, height: tall, class: `bar series-${which}` });
      rect.append(svg("title", {}, `${group.label} ${series[which]}: ${value} ${unit}`));
      chart.append(rect);
    });
    chart.append(svg("text", { x: x + slot / 2 - 4, y: height - 10, class: "tick", "text-anchor": "middle" }, group.label.slice(2)));
  });
  if (target) {
    const y = height - bottom - scale(target);
    chart.append(svg("line", { x1: left, x2: width, y1: y, y2: y, class: "target" }));
    chart.append(svg("text", { x: width - 4, y: y - 4, class: "tick", "text-anchor": "end" }, `SLA target ${target}`));
  }
  const legend = document.createElement("figcaption");
  legend.textContent = `Bars: ${series.join(", then ")} (${unit}); the line is the SLA target.`;
  const figure = document.createElement("figure");
  figure.append(chart, legend);
  return figure;
}
