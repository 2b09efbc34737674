// swarm-tasks ui: draws the picture the server pushes. Every daemon text goes in with
// textContent, never parsed as HTML, so names, labels and errors show as typed.
"use strict";

const STATE_CLASS = {
  running: "running", starting: "starting", preparing: "starting", ready: "starting",
  new: "pending", pending: "pending", assigned: "pending", accepted: "pending",
  complete: "complete", failed: "failed", rejected: "failed",
  shutdown: "shutdown", orphaned: "shutdown", remove: "shutdown",
};

let view = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function age(since) {
  if (!since) return "";
  const pinned = document.documentElement.dataset.now;
  const now = pinned ? Date.parse(pinned) : Date.now();
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 60) return seconds + "s";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m";
  if (seconds < 86400) return Math.floor(seconds / 3600) + "h";
  return Math.floor(seconds / 86400) + "d";
}

function taskCard(task) {
  const card = el("div", "card state-" + (STATE_CLASS[task.state] || "shutdown"));
  card.dataset.task = task.id;
  card.dataset.search = [task.name, task.service, task.state, task.image].join(" ").toLowerCase();
  card.appendChild(el("div", "name", task.name));
  card.appendChild(el("div", "image", task.image));
  card.appendChild(el("div", "age", task.state + " " + age(task.since)));
  if (task.error) card.appendChild(el("div", "error", task.error));
  card.addEventListener("click", () => showDetail(task));
  return card;
}

function column(title, meta, classes) {
  const col = el("section", "node " + classes);
  const h2 = el("h2", null, title);
  col.appendChild(h2);
  if (meta) col.appendChild(el("div", "meta", meta));
  return col;
}

function draw() {
  const nodes = document.getElementById("nodes");
  const services = document.getElementById("services");
  const byNode = new Map();
  for (const task of view.tasks) {
    const key = task.node_id || "";
    if (!byNode.has(key)) byNode.set(key, []);
    byNode.get(key).push(task);
  }
  const columns = [];
  for (const node of view.nodes) {
    const col = column(node.hostname, "", "node-col " + node.state + " " + node.availability);
    col.dataset.node = node.id;
    const meta = col.querySelector(".meta") || col.appendChild(el("div", "meta"));
    if (node.role === "manager") meta.appendChild(el("span", "manager", node.leader ? "manager (leader) " : "manager "));
    else meta.appendChild(el("span", null, node.role + " "));
    meta.appendChild(el("span", null, node.availability + ", " + node.state));
    for (const task of byNode.get(node.id) || []) col.appendChild(taskCard(task));
    byNode.delete(node.id);
    columns.push(col);
  }
  const unplaced = [];
  for (const tasks of byNode.values()) unplaced.push(...tasks);
  if (unplaced.length) {
    const col = column("unplaced", "tasks not on a known node", "unplaced");
    col.dataset.node = "";
    for (const task of unplaced) col.appendChild(taskCard(task));
    columns.push(col);
  }
  nodes.replaceChildren(...columns);
  services.replaceChildren(...view.services.map((service) => {
    const counts = service.desired === null ? "" : " " + service.running + "/" + service.desired;
    const update = service.update ? " update " + service.update : "";
    const chip = el("span", "service", service.name + " (" + service.mode + ")" + counts + update);
    chip.dataset.search = [service.name, service.mode, service.update || ""].join(" ").toLowerCase();
    if (service.desired !== null && service.running < service.desired) chip.classList.add("degraded");
    return chip;
  }));
  applyFilter();
}

function applyFilter() {
  const words = document.getElementById("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const item of document.querySelectorAll("[data-search]")) {
    const text = item.dataset.search;
    item.classList.toggle("hidden", !words.every((word) => text.includes(word)));
  }
}

function showStatus(next) {
  const banner = document.getElementById("banner");
  const status = document.getElementById("status");
  if (next.error) {
    banner.hidden = false;
    banner.textContent = "the daemon is unreachable (showing the last picture): " + next.error;
  } else {
    banner.hidden = true;
    banner.textContent = "";
  }
  status.textContent = "updated " + new Date(next.polled_at).toLocaleTimeString();
}

async function showDetail(task) {
  const dialog = document.getElementById("detail");
  document.getElementById("detail-title").textContent = task.name + " (" + task.id + ")";
  document.getElementById("detail-explain").textContent = "loading…";
  document.getElementById("detail-error").textContent = task.error || "-";
  document.getElementById("detail-json").textContent = "";
  if (!dialog.open) dialog.showModal();
  try {
    const answer = await fetch("api/task/" + encodeURIComponent(task.id));
    const detail = await answer.json();
    document.getElementById("detail-explain").textContent =
      detail.explain.length ? detail.explain.join("\n") : (detail.problem || "-");
    document.getElementById("detail-error").textContent = detail.error || "-";
    document.getElementById("detail-json").textContent = JSON.stringify(detail.task, null, 2);
  } catch (error) {
    document.getElementById("detail-explain").textContent = "cannot load the detail: " + error;
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
    banner.textContent = "lost the connection to swarm-tasks ui; retrying…";
  };
}

document.getElementById("filter").addEventListener("input", applyFilter);
document.getElementById("close").addEventListener("click", () => document.getElementById("detail").close());
connect();
