// cio-analytics inspector: the live view of what the local server receives.
//
// Reads the server-sent event stream at /__cio__/feed (events "reset", "items",
// "stats"), keeps the newest KEEP items in the page and draws the newest ROWS
// that match the filters. Every value from a payload is put in the page with
// textContent (never as markup), so a message cannot inject anything.
"use strict";

(function () {
  const KEEP = 5000; // items held in the page
  const ROWS = 400; // rows drawn at most
  const TYPES = ["identify", "track", "page", "screen", "group", "alias"];

  const state = {
    items: [], // oldest first
    pending: [], // arrived while paused, oldest first
    paused: false,
    selected: null,
    stats: null,
    filters: { type: "", event: "", user: "", text: "" },
    drawScheduled: false,
    fullDraw: false,
    fresh: [], // items to add to the drawn rows at the next frame
  };

  const $ = (id) => document.getElementById(id);
  const rows = $("rows");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function two(n, width) {
    return String(n).padStart(width || 2, "0");
  }

  function clock(ms) {
    const d = new Date(ms);
    return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${two(d.getMilliseconds(), 3)}`;
  }

  function asText(value) {
    return typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  }

  function messageOf(item) {
    return item.message && typeof item.message === "object" ? item.message : {};
  }

  function label(item) {
    const m = messageOf(item);
    if (m.type === "alias") return `${asText(m.previousId)} -> ${asText(m.userId)}`;
    return asText(m.event || m.name || m.groupId || "");
  }

  function user(item) {
    const m = messageOf(item);
    if (m.userId) return asText(m.userId);
    if (m.anonymousId) return `anon ${asText(m.anonymousId)}`;
    return "";
  }

  function typeOf(item) {
    const kind = messageOf(item).type;
    return typeof kind === "string" ? kind : item.kind === "refused" ? "request" : "?";
  }

  function searchText(item) {
    if (item._text === undefined) {
      item._text = JSON.stringify([item.message, item.reason, item.path]).toLowerCase();
    }
    return item._text;
  }

  function matches(item) {
    const f = state.filters;
    if (f.type === "rejected") {
      if (item.kind === "accepted") return false;
    } else if (f.type === "duplicate") {
      if (!item.duplicate) return false;
    } else if (f.type && typeOf(item) !== f.type) {
      return false;
    }
    if (f.event && !label(item).toLowerCase().includes(f.event)) return false;
    if (f.user) {
      const m = messageOf(item);
      const ids = `${asText(m.userId)}\n${asText(m.anonymousId)}\n${asText(m.previousId)}`;
      if (!ids.toLowerCase().includes(f.user)) return false;
    }
    if (f.text && !searchText(item).includes(f.text)) return false;
    return true;
  }

  function resultCell(item) {
    const cell = el("td");
    if (item.kind === "accepted") {
      cell.append(el("span", `HTTP ${item.status}`, "badge ok"));
      if (item.duplicate) cell.append(el("span", "duplicate", "badge dup"));
    } else {
      cell.append(el("span", `${item.kind} - HTTP ${item.status}`, "badge bad"));
      cell.append(el("span", (item.rules && item.rules[0]) || item.reason || "", "reason"));
    }
    cell.title = item.reason || (item.duplicate ? "messageId seen before" : "");
    return cell;
  }

  function rowFor(item) {
    const tr = el("tr");
    tr.dataset.seq = String(item.seq);
    if (item.kind !== "accepted") tr.className = "rejected";
    if (item.duplicate) tr.classList.add("duplicate");
    if (state.selected === item) tr.classList.add("selected");
    tr.append(el("td", clock(item.at)), el("td", typeOf(item)), el("td", label(item)), el("td", user(item)));
    tr.append(resultCell(item));
    tr.cells[2].title = label(item);
    tr._item = item;
    return tr;
  }

  function drawAll() {
    const frag = document.createDocumentFragment();
    let drawn = 0;
    for (let i = state.items.length - 1; i >= 0 && drawn < ROWS; i--) {
      if (matches(state.items[i])) {
        frag.append(rowFor(state.items[i]));
        drawn++;
      }
    }
    rows.replaceChildren(frag);
  }

  function drawFresh(fresh) {
    const frag = document.createDocumentFragment();
    for (let i = fresh.length - 1; i >= 0; i--) {
      if (matches(fresh[i])) frag.append(rowFor(fresh[i]));
      if (frag.childNodes.length >= ROWS) break;
    }
    rows.prepend(frag);
    while (rows.rows.length > ROWS) rows.lastElementChild.remove();
  }

  function shownCount() {
    let n = 0;
    for (const item of state.items) if (matches(item)) n++;
    return n;
  }

  function draw() {
    state.drawScheduled = false;
    if (state.fullDraw) drawAll();
    else if (state.fresh.length) drawFresh(state.fresh);
    state.fullDraw = false;
    state.fresh = [];
    $("empty").hidden = state.items.length > 0;
    const shown = shownCount();
    const paused = state.pending.length ? `, ${state.pending.length} waiting (paused)` : "";
    $("shown").textContent = `${shown} shown of ${state.items.length} in the page${paused}`;
  }

  function schedule(full) {
    if (full) state.fullDraw = true;
    if (!state.drawScheduled) {
      state.drawScheduled = true;
      window.requestAnimationFrame(draw);
    }
  }

  function trim() {
    const extra = state.items.length - KEEP;
    if (extra > 0) state.items.splice(0, extra);
  }

  function add(items) {
    if (!items.length) return;
    if (state.paused) {
      for (const item of items) state.pending.push(item);
      if (state.pending.length > KEEP) state.pending.splice(0, state.pending.length - KEEP);
      schedule(false);
      return;
    }
    for (const item of items) state.items.push(item);
    trim();
    for (const item of items) state.fresh.push(item);
    if (state.fresh.length > ROWS) state.fresh.splice(0, state.fresh.length - ROWS);
    schedule(false);
  }

  function showStats(stats) {
    if (!stats) return;
    state.stats = stats;
    const byType = stats.accepted_by_type || {};
    const values = {
      total: stats.message_count,
      rejected: stats.rejections,
      duplicates: stats.duplicate_count,
    };
    for (const kind of TYPES) values[kind] = byType[kind] || 0;
    for (const node of document.querySelectorAll("#counters .counter")) {
      const value = values[node.dataset.key];
      node.querySelector("b").textContent = Number(value || 0).toLocaleString("en-US");
    }
  }

  function fact(list, name, value) {
    if (value === undefined || value === null || value === "") return;
    list.append(el("dt", name), el("dd", value));
  }

  function showDetail(item) {
    state.selected = item;
    for (const tr of rows.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = rows.querySelector(`tr[data-seq="${item.seq}"]`);
    if (tr) tr.classList.add("selected");
    const m = messageOf(item);
    $("detail-title").textContent = `${typeOf(item)} ${label(item)}`.trim();
    const facts = $("detail-facts");
    facts.replaceChildren();
    fact(facts, "result", item.kind === "accepted" ? "accepted" : `${item.kind} (the client got HTTP ${item.status})`);
    fact(facts, "received", new Date(item.at).toISOString());
    fact(facts, "request", item.index === null ? item.path : `${item.path} [${item.index}]`);
    fact(facts, "messageId", asText(m.messageId));
    fact(facts, "duplicate", item.duplicate ? "yes: this messageId was accepted before" : "");
    const rules = $("detail-rules");
    rules.replaceChildren(...(item.rules || []).map((rule) => el("li", rule)));
    $("detail-json").textContent = item.message ? JSON.stringify(item.message, null, 2) : "(no message: the body could not be read)";
    $("detail").hidden = false;
  }

  function download() {
    const lines = [];
    for (const item of state.items) {
      if (!matches(item)) continue;
      const { _text, ...plain } = item;
      lines.push(JSON.stringify(plain));
    }
    const blob = new Blob([lines.join("\n") + (lines.length ? "\n" : "")], { type: "application/x-ndjson" });
    const url = URL.createObjectURL(blob);
    const a = el("a");
    a.href = url;
    a.download = `cio-messages-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function setPaused(paused) {
    state.paused = paused;
    const button = $("pause");
    button.setAttribute("aria-pressed", String(paused));
    button.textContent = paused ? "Resume" : "Pause";
    $("connection").dataset.state = paused ? "paused" : "live";
    $("connection").textContent = paused ? "paused" : "live";
    if (!paused && state.pending.length) {
      const waiting = state.pending;
      state.pending = [];
      for (const item of waiting) state.items.push(item);
      trim();
      schedule(true);
    }
  }

  function readFilters() {
    state.filters = {
      type: $("filter-type").value,
      event: $("filter-event").value.trim().toLowerCase(),
      user: $("filter-user").value.trim().toLowerCase(),
      text: $("filter-text").value.trim().toLowerCase(),
    };
    schedule(true);
  }

  function connect() {
    const source = new EventSource("/__cio__/feed");
    const status = $("connection");
    source.addEventListener("open", () => {
      status.dataset.state = state.paused ? "paused" : "live";
      status.textContent = state.paused ? "paused" : "live";
    });
    source.addEventListener("error", () => {
      status.dataset.state = "reconnecting";
      status.textContent = "reconnecting";
    });
    source.addEventListener("reset", (event) => {
      const data = JSON.parse(event.data);
      state.items = data.items || [];
      state.pending = [];
      trim();
      showStats(data.stats);
      schedule(true);
    });
    source.addEventListener("items", (event) => add(JSON.parse(event.data).items || []));
    source.addEventListener("stats", (event) => showStats(JSON.parse(event.data)));
  }

  function bind() {
    $("pause").addEventListener("click", () => setPaused(!state.paused));
    $("clear").addEventListener("click", () => {
      state.items = [];
      state.pending = [];
      $("detail").hidden = true;
      schedule(true);
      fetch("/__cio__/clear", { method: "POST" });
    });
    $("download").addEventListener("click", download);
    $("detail-close").addEventListener("click", () => {
      $("detail").hidden = true;
      state.selected = null;
    });
    rows.addEventListener("click", (event) => {
      const tr = event.target.closest("tr");
      if (tr && tr._item) showDetail(tr._item);
    });
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("filters").addEventListener("input", readFilters);
    $("filters").addEventListener("change", readFilters);
  }

  bind();
  connect();
})();
