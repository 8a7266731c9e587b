// The Mq broker dashboard: renders each event of /api/live (the $SYS stats, peers, subs and services replies) and
// computes rates from the previous event. Everything shown comes from peers, so it goes in as text, never as HTML.
"use strict";

const cards = [
  ["peers", "Peers"], ["connections", "Connections"], ["subscriptions", "Subscriptions"], ["services", "Services"],
  ["messages_published", "Published", "msg/s"], ["messages_delivered", "Delivered", "msg/s"],
  ["requests_routed", "Requests", "req/s"], ["pending_requests", "Requests in flight"],
  ["dropped_messages", "Dropped messages", "/s", true], ["dropped_frames", "Dropped frames", "/s", true],
  ["slow_consumers", "Slow consumers", null, true], ["refused", "Refused", "/s", true],
  ["handshakes_refused", "Handshakes refused", null, true], ["framing_errors", "Framing errors", null, true],
];

let previous = null;

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function format(value) {
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(1);
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function renderCards(stats, seconds) {
  const section = document.getElementById("stats");
  section.replaceChildren(...cards.map(([key, label, unit, alert]) => {
    const card = element("div", undefined, "card" + (alert && stats[key] > 0 ? " alert" : ""));
    card.id = "stat-" + key;
    card.append(element("div", label, "label"), element("div", format(stats[key]), "value"));
    const rate = unit && previous && seconds > 0 ? (stats[key] - previous.stats[key]) / seconds : null;
    card.append(element("div", rate === null ? "" : `${format(Math.max(0, rate))} ${unit}`, "rate"));
    return card;
  }));
}

function duration(ms) {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(0)} s` : s < 3600 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`;
}

function bytes(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

function micros(us) {
  return us < 1000 ? `${us} µs` : us < 1000000 ? `${(us / 1000).toFixed(1)} ms` : `${(us / 1000000).toFixed(2)} s`;
}

// One column per key: durations (_ms, _us) and sizes (_bytes) in readable units, the rest as they come.
function column(k) {
  if (k.endsWith("_ms")) return [k.slice(0, -3).replaceAll("_", " "), e => duration(e[k])];
  if (k.endsWith("_us")) return [k.slice(0, -3).replaceAll("_", " "), e => micros(e[k])];
  if (k.endsWith("_bytes")) return [k.slice(0, -6).replaceAll("_", " "), e => bytes(e[k])];
  return [k.replaceAll("_", " "), e => e[k]];
}

// A table of the reply's entries, one column per key of the first entry (so fields the broker adds show up
// by themselves), plus the extra columns given.
function renderTable(id, reply, key, extra) {
  const entries = reply[key];
  const table = document.getElementById(id);
  const keys = entries.length ? Object.keys(entries[0]) : [];
  const columns = keys.map(column).concat(extra);
  const head = element("tr");
  head.append(...columns.map(([title]) => element("th", title)));
  table.tHead.replaceChildren(...(entries.length ? [head] : []));
  table.tBodies[0].replaceChildren(...entries.map(entry => {
    const row = element("tr");
    row.append(...columns.map(([, read]) => {
      const value = read(entry);
      return element("td", format(value), typeof value === "number" ? "number" : undefined);
    }));
    return row;
  }));
  const omitted = reply.omitted ? `, ${reply.omitted} not shown` : "";
  document.getElementById(id + "-count").textContent = `(${reply.total}${omitted})`;
}

// A stream per row from $SYS.stats' streams; its durable consumers in one cell, as "name: pending, unacknowledged, members".
function streamRows(stats) {
  const streams = (stats.streams ?? []).map(s => ({
    name: s.name, messages: s.messages, size_bytes: s.bytes, first_seq: s.first_seq, last_seq: s.last_seq,
    consumers: s.consumers, stored: s.stored, refused: s.refused, dead_lettered: s.dead_lettered,
    durable_consumers: s.durable_consumers.map(d =>
      `${d.name}: ${d.pending} pending, ${d.unacknowledged} unacked, ${d.members} reading, floor ${d.ack_floor}`).join("; "),
  }));
  return { streams, total: streams.length };
}

function subscriptionKey(s) { return `${s.peer_id} ${s.pattern} ${s.queue_group ?? ""}`; }

function render(event) {
  const seconds = previous ? (event.at - previous.at) / 1000 : 0;
  renderCards(event.stats, seconds);
  const stored = new Map((previous?.stats.streams ?? []).map(s => [s.name, s.stored]));
  renderTable("streams", streamRows(event.stats), "streams", [["stored/s", s => {
    const last = stored.get(s.name);
    return last === undefined || seconds <= 0 ? "" : Math.max(0, (s.stored - last) / seconds);
  }]]);
  renderTable("peers", event.peers, "peers", []);
  const before = new Map((previous?.subs.subs ?? []).map(s => [subscriptionKey(s), s.delivered]));
  renderTable("subs", event.subs, "subs", [["msg/s", s => {
    const last = before.get(subscriptionKey(s));
    return last === undefined || seconds <= 0 ? "" : Math.max(0, (s.delivered - last) / seconds);
  }]]);
  const asked = new Map((previous?.services.services ?? []).map(s => [s.name, s.requests]));
  renderTable("services", event.services, "services", [["req/s", s => {
    const last = asked.get(s.name);
    return last === undefined || seconds <= 0 ? "" : Math.max(0, (s.requests - last) / seconds);
  }]]);
  previous = event;
}

function status(text, down) {
  const line = document.getElementById("status");
  line.textContent = text;
  line.className = "status" + (down ? " down" : "");
}

async function start() {
  try {
    const info = await (await fetch("api/info")).json();
    document.getElementById("broker-name").textContent = `${info.name} · ${info.version} · ${info.endpoints.join(", ")} · ${info.security}`;
  } catch {
    // The live stream below says what is wrong.
  }

  const live = new EventSource("api/live");
  live.onmessage = message => {
    render(JSON.parse(message.data));
    status("live · updated " + new Date().toLocaleTimeString("en-GB"));
  };
  live.addEventListener("unavailable", message => status("broker unavailable: " + message.data, true));
  live.onerror = () => status("disconnected; retrying…", true);
}

start();
