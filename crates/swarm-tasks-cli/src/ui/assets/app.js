// swarm-tasks ui: draws the picture the server pushes. Every daemon text goes in with
// textContent (or as an attribute value), never parsed as HTML, so names, labels, images,
// errors and logs show as typed.
"use strict";

const STATE_CLASS = {
  running: "running", starting: "starting", preparing: "starting", ready: "starting", new: "starting",
  pending: "pending", assigned: "pending", accepted: "pending",
  complete: "complete", failed: "failed", rejected: "failed",
  shutdown: "shutdown", orphaned: "shutdown", remove: "shutdown",
};

// Above this many tasks, cards take one line (the image moves to the card's tooltip).
const DENSE_ABOVE = 300;

let view = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function age(since) {
  if (!since) return "";
  const now = view && view.now ? Date.parse(view.now) : Date.now();
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 60) return seconds + "s";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m";
  if (seconds < 86400) return Math.floor(seconds / 3600) + "h";
  return Math.floor(seconds / 86400) + "d";
}

function stateClass(state) {
  return "st-" + (STATE_CLASS[state] || "shutdown");
}

function taskCard(task, node) {
  const card = el("div", "card " + stateClass(task.state));
  card.dataset.task = task.id;
  card.dataset.state = task.state;
  card.dataset.service = task.service;
  card.dataset.search = [task.name, task.service, task.state, task.image, node ? node.hostname : "unplaced"]
    .concat(task.labels, node ? node.labels : []).join(" ").toLowerCase();
  card.title = task.name + ": " + task.state + "\n" + task.image + (task.error ? "\n" + task.error : "");
  const line = card.appendChild(el("div", "line"));
  line.appendChild(el("span", "name", task.name));
  const when = line.appendChild(el("span", "age " + stateClass(task.state)));
  when.append(el("span", "state-word", task.state + " "), age(task.since));
  card.appendChild(el("div", "image", task.image));
  if (task.error) card.appendChild(el("div", "error", task.error));
  card.addEventListener("click", () => showDetail(task));
  return card;
}

function nodeColumn(node) {
  const off = node.availability !== "active" || node.state !== "ready";
  const col = el("section", "node" + (off ? " off" : ""));
  col.dataset.node = node.id;
  col.dataset.availability = node.availability;
  col.dataset.search = [node.hostname, node.role, node.availability, node.state].concat(node.labels).join(" ").toLowerCase();
  col.appendChild(el("h2", null, node.hostname)).title = node.hostname + " (" + node.id + ")";
  const meta = col.appendChild(el("div", "meta"));
  meta.appendChild(el("span", "role " + node.role, node.role));
  if (node.leader) meta.append(" ", el("span", "role leader", "leader"));
  meta.append(" ", el("span", "availability " + node.availability, node.availability), " · ",
    el("span", "state " + node.state, node.state));
  return col;
}

function draw() {
  const byNode = new Map();
  for (const task of view.tasks) {
    const key = task.node_id || "";
    if (!byNode.has(key)) byNode.set(key, []);
    byNode.get(key).push(task);
  }
  const columns = [];
  for (const node of view.nodes) {
    const col = nodeColumn(node);
    for (const task of byNode.get(node.id) || []) col.appendChild(taskCard(task, node));
    byNode.delete(node.id);
    columns.push(col);
  }
  // Tasks not placed yet, or on a node the daemon no longer lists: their own column, first.
  const unplaced = [];
  for (const tasks of byNode.values()) unplaced.push(...tasks);
  if (unplaced.length) {
    const col = el("section", "node unplaced");
    col.dataset.node = "";
    col.dataset.search = "unplaced";
    col.appendChild(el("h2", null, "unplaced"));
    col.appendChild(el("div", "meta", "tasks not on a listed node"));
    for (const task of unplaced) col.appendChild(taskCard(task, null));
    columns.unshift(col);
  }
  document.body.classList.toggle("dense", view.tasks.length > DENSE_ABOVE);
  document.getElementById("nodes").replaceChildren(...columns);
  document.getElementById("services").replaceChildren(...view.services.map(serviceChip));
  applyFilter();
}

function serviceChip(service) {
  const chip = el("span", "service");
  chip.dataset.service = service.name;
  chip.dataset.search = [service.name, service.mode, service.update || ""].concat(service.labels).join(" ").toLowerCase();
  chip.appendChild(el("b", null, service.name));
  chip.append(" ", el("span", "mode", service.mode));
  if (service.mode.endsWith("-job")) {
    // A job is done when its tasks complete: running and completed counts, never "degraded".
    if (service.running !== null) chip.append(" ", el("span", "count", service.running + " running"));
    if (service.completed !== null) chip.append(", ", el("span", "count", service.completed + " completed"));
  } else if (service.desired !== null) {
    chip.append(" ", el("span", "count", service.running + "/" + service.desired));
    if (service.running < service.desired) chip.classList.add("degraded");
  }
  if (service.update) chip.append(" ", el("span", "update", "update " + service.update));
  return chip;
}

// Every word must appear in a card's text (name, service, state, image, node, labels).
// A node column stays when one of its cards does or the node itself matches; a service
// chip when one of its cards does or the service itself matches.
function applyFilter() {
  const words = document.getElementById("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (text) => words.every((word) => text.includes(word));
  const shownServices = new Set();
  let shown = 0;
  for (const col of document.querySelectorAll("#nodes > .node")) {
    let any = false;
    for (const card of col.querySelectorAll(".card")) {
      const keep = matches(card.dataset.search);
      card.classList.toggle("hidden", !keep);
      if (keep) { any = true; shown++; shownServices.add(card.dataset.service); }
    }
    col.classList.toggle("hidden", words.length > 0 && !any && !matches(col.dataset.search));
  }
  for (const chip of document.querySelectorAll("#services > .service")) {
    chip.classList.toggle("hidden", words.length > 0 && !shownServices.has(chip.dataset.service) && !matches(chip.dataset.search));
  }
  const total = view ? view.tasks.length : 0;
  const count = (n, what) => n + " " + what + (n === 1 ? "" : "s");
  document.getElementById("counts").textContent = view
    ? count(view.nodes.length, "node") + ", " + count(view.services.length, "service") + ", " +
      (words.length ? shown + " of " : "") + count(total, "task")
    : "";
}

function showStatus(next) {
  const banner = document.getElementById("banner");
  const status = document.getElementById("status");
  if (next.error) {
    banner.hidden = false;
    banner.textContent = "The daemon cannot be reached; showing the last picture and retrying. " + next.error;
  } else {
    banner.hidden = true;
    banner.textContent = "";
  }
  const at = next.now || next.polled_at;
  status.textContent = "updated " + new Date(at).toISOString().slice(11, 19) + " UTC";
}

async function showDetail(task) {
  const dialog = document.getElementById("detail");
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  set("detail-title", task.name + " (" + task.id + ")");
  set("detail-explain", "loading…");
  set("detail-error", task.error || "-");
  set("detail-logs", "");
  set("detail-json", "");
  if (!dialog.open) dialog.showModal();
  try {
    const answer = await fetch("api/task/" + encodeURIComponent(task.id));
    const detail = await answer.json();
    set("detail-explain", detail.explain.length ? detail.explain.join("\n") : (detail.problem || "-"));
    set("detail-error", detail.error || "-");
    set("detail-logs", detail.logs.length ? detail.logs.join("\n") : (detail.logs_problem || "(no lines)"));
    set("detail-json", detail.task ? JSON.stringify(detail.task, null, 2) : (detail.problem || "-"));
  } catch (error) {
    set("detail-explain", "cannot load the detail: " + error);
  }
}

function connect() {
  const events = new EventSource("api/events");
  events.addEventListener("view", (event) => {
    const next = JSON.parse(event.data);
    showStatus(next);
    view = next;
    draw();
  });
  events.onerror = () => {
    const banner = document.getElementById("banner");
    banner.hidden = false;
    banner.textContent = "Lost the connection to swarm-tasks ui; retrying…";
  };
}

// The printed URL carries the token once; the cookie set by that answer does the rest, so
// the token leaves the address bar (and the history).
if (new URLSearchParams(location.search).has("token")) history.replaceState(null, "", location.pathname);
document.getElementById("filter").addEventListener("input", applyFilter);
document.getElementById("close").addEventListener("click", () => document.getElementById("detail").close());
connect();
