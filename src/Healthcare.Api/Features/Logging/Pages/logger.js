"use strict";
(() => {
  const toggle = document.getElementById("tail");
  const status = document.getElementById("tail-status");
  const body = document.querySelector("#events tbody");
  if (!toggle || !status || !body) {
    return;
  }
  const maxRows = 500;
  const levels = { Verbose: "trace", Debug: "debug", Information: "info", Warning: "warning", Error: "error", Fatal: "fatal" };
  let source = null;

  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };

  const filterLink = (name, value, text) => {
    const a = document.createElement("a");
    const params = new URLSearchParams();
    params.set(name, value);
    a.href = "/logger?" + params.toString();
    a.textContent = text;
    return a;
  };

  const cell = (className) => {
    const td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    return td;
  };

  const row = (e) => {
    const tr = document.createElement("tr");
    tr.className = "fresh level-" + (levels[e.level] || "info");
    tr.dataset.id = e.id;
    const time = cell("time");
    const link = document.createElement("a");
    link.href = "/logger/events/" + e.id;
    link.textContent = e.time.replace("T", " ").replace(/(Z|[+-]\d\d:\d\d)$/, "").replace(/(\.\d{6})\d+$/, "$1");
    time.appendChild(link);
    const level = cell("level");
    level.textContent = e.level === "Verbose" ? "Trace" : e.level;
    const app = cell("app");
    app.appendChild(document.createTextNode(e.application));
    app.appendChild(document.createElement("br"));
    const instance = document.createElement("span");
    instance.className = "muted";
    instance.textContent = e.instance;
    app.appendChild(instance);
    const src = cell("source");
    if (e.source) {
      src.appendChild(filterLink("source", e.source, e.source.substring(e.source.lastIndexOf(".") + 1)));
    }
    const message = cell("message");
    message.textContent = e.message;
    const request = cell("request");
    if (e.requestId) {
      request.appendChild(filterLink("requestId", e.requestId, e.requestId));
    }
    tr.append(time, level, app, src, message, request);
    return tr;
  };

  const start = () => {
    const params = new URLSearchParams(window.location.search);
    params.delete("before");
    source = new EventSource("/logger/stream?" + params.toString());
    setStatus("connecting", "connecting…");
    source.onopen = () => setStatus("open", "live");
    source.onmessage = (message) => {
      const e = JSON.parse(message.data);
      body.insertBefore(row(e), body.firstChild);
      while (body.rows.length > maxRows) {
        body.deleteRow(body.rows.length - 1);
      }
      const empty = document.getElementById("empty");
      if (empty) {
        empty.remove();
      }
    };
    source.onerror = () => setStatus("reconnecting", "reconnecting…");
  };

  const stop = () => {
    if (source) {
      source.close();
      source = null;
    }
    setStatus("off", "");
  };

  toggle.addEventListener("change", () => (toggle.checked ? start() : stop()));
  if (toggle.checked) {
    start();
  }
})();
