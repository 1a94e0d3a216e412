// The views' change stream (GET /v1/views/changes, server-sent events). EventSource cannot send an
// Authorization header, so the stream is read with fetch; on a drop it reconnects with Last-Event-ID and so
// misses nothing.

export function follow(token, { onChange, onState }) {
  const stop = new AbortController();
  let lastId = null;
  let retry = 2000;

  async function connect() {
    const headers = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    const response = await fetch("/v1/views/changes", { headers, signal: stop.signal });
    if (response.status === 401) {
      onState("signed-out");
      return false;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    onState("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let carriage = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      // Lines may end in CRLF, LF or CR (the server sends CRLF); a CR at a chunk's end waits for the next chunk,
      // which may begin with its LF.
      const text = carriage + value;
      carriage = text.endsWith("\r") ? "\r" : "";
      buffer += text.slice(0, text.length - carriage.length).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  function dispatch(frame) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      const colon = line.indexOf(":");
      if (colon === 0) continue; // a comment (keep-alive)
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") lastId = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "retry" && /^\d+$/.test(value)) retry = Number(value);
    }
    if (!data.length) return;
    try {
      onChange(event, JSON.parse(data.join("\n")));
    } catch (error) {
      console.warn("a view change the page could not take", error); // the next change refreshes the page anyway
    }
  }

  (async () => {
    while (!stop.signal.aborted) {
      try {
        if (!(await connect())) return;
      } catch (error) {
        if (stop.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, retry));
    }
  })();

  return () => stop.abort();
}
