// TaskMaster web console (docs/console.md). No build step, no library, no inline script.
// The session lives in HttpOnly cookies; this script only keeps the CSRF token in memory and
// sends it on every write. Data is rendered with textContent, never as HTML.
"use strict";

const API = "/api/v1";
const STATUSES = ["pending", "in_progress", "blocked", "review", "completed", "failed",
  "cancelled", "deferred"];
const state = { me: null, csrf: null, stream: null, refreshTimer: null, flash: null };

// ---- DOM helpers ---------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const svg = ["svg", "g", "rect", "text", "line", "path", "marker", "defs", "title", "desc"];
  const el = svg.includes(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function show(title, ...content) {
  const main = document.getElementById("main");
  main.replaceChildren(h("h1", {}, title), ...content.filter((c) => c !== null));
  document.title = `${title} · TaskMaster console`;
}

function announce(text) {
  document.getElementById("announce").textContent = text;
}

// ---- the API -------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const method = options.method || "GET";
  const headers = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  let response = await fetch(path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401 && !options.retried && state.csrf && await renew()) {
    return api(path, { ...options, retried: true });
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

async function renew() {
  const response = await fetch(`${API}/auth/session/refresh`, {
    method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": state.csrf },
  });
  if (!response.ok) return false;
  state.csrf = (await response.json()).data.csrf_token;
  return true;
}

async function loadMe() {
  const response = await fetch(`${API}/me`, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return false;
  state.me = (await response.json()).data;
  state.csrf = response.headers.get("X-CSRF-Token");
  return true;
}

function signedIn() {
  const nav = document.getElementById("nav");
  nav.hidden = !state.me;
  const user = state.me && state.me.user;
  document.getElementById("who").textContent = user ? `Signed in as ${user.username}` : "";
}

// ---- pages ---------------------------------------------------------------------------------
function loginPage(message) {
  const error = h("p", { class: "error", role: "alert", id: "login-error" }, message || "");
  const form = h("form", { class: "stack", id: "login-form", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const answer = await api(`${API}/auth/session`, { method: "POST",
        body: { login: data.get("login"), password: data.get("password") } });
      state.csrf = answer.data.csrf_token;
      await loadMe();
      signedIn();
      go("#/board");
    } catch (failure) {
      error.textContent = failure.message;
    }
  } },
  h("label", { for: "login" }, "Username or email"),
  h("input", { id: "login", name: "login", autocomplete: "username", required: true }),
  h("label", { for: "password" }, "Password"),
  h("input", { id: "password", name: "password", type: "password",
    autocomplete: "current-password", required: true }),
  h("button", { type: "submit" }, "Log in"));
  show("Log in", form, error);
}

async function projects() {
  return (await api(`${API}/projects?limit=200`)).data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  return search.toString();
}

async function boardPage(params) {
  const list = await projects();
  const project = params.get("project") || "";
  const assignee = params.get("assignee") || "";
  const filters = h("form", { class: "filters", id: "board-filters", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(filters);
    location.hash = `#/board?${query({ project: data.get("project"),
      assignee: data.get("assignee") })}`;
  } },
  h("div", {}, h("label", { for: "project" }, "Project"),
    h("select", { id: "project", name: "project" }, h("option", { value: "" }, "Every project"),
      list.map((p) => h("option", { value: p.id, selected: p.id === project }, p.name)))),
  h("div", {}, h("label", { for: "assignee" }, "Assignee"),
    h("input", { id: "assignee", name: "assignee", value: assignee })),
  h("button", { type: "submit" }, "Filter"));
  const live = h("p", { class: "live", id: "live" }, "Connecting to the event stream…");
  const board = h("div", { class: "board", id: "board" });
  show("Board", filters, live, board);
  const draw = async () => drawBoard(board, await boardTasks(project, assignee));
  await draw();
  follow({ project, live, onEvent: () => {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(draw, 100); // one reload for a burst of events
  } });
}

async function boardTasks(project, assignee) {
  const search = query({ project_id: project, assigned_to: assignee, limit: 200,
    sort: "-priority,created_at" });
  return (await api(`${API}/tasks?${search}`)).data;
}

function drawBoard(board, tasks) {
  const columns = STATUSES.map((status) => {
    const mine = tasks.filter((t) => t.status === status);
    const id = `col-${status}`;
    return h("section", { class: "column", "aria-labelledby": id, "data-status": status },
      h("h2", { id }, `${status.replace("_", " ")} (${mine.length})`),
      h("ul", {}, mine.map((t) => h("li", { class: "card", "data-task-id": t.id },
        h("a", { href: `#/tasks/${t.id}` }, t.title),
        h("p", {}, `priority ${t.priority}${t.assigned_to ? ` · ${t.assigned_to}` : ""}`)))));
  });
  board.replaceChildren(...columns);
}

// The board follows the event stream (GET /api/v1/stream, docs/stream.md): every event comes as
// an unnamed "message"; "reset" means events were lost. Either way the board reloads its tasks.
// EventSource sends the session cookie and resumes with Last-Event-ID by itself.
function follow({ project, live, onEvent }) {
  closeStream();
  const search = query({ types: "task.*", project_id: project });
  const stream = new EventSource(`${API}/stream?${search}`, { withCredentials: true });
  state.stream = stream;
  stream.onopen = () => { live.textContent = "Live: updates appear as they happen."; };
  stream.onerror = () => { live.textContent = "Event stream interrupted; reconnecting…"; };
  const handle = (event) => { onEvent(event); announce("The board was updated."); };
  stream.onmessage = handle;
  stream.addEventListener("reset", handle);
}

function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
}

function fields(task) {
  const rows = [["Status", task.status], ["Type", task.type], ["Priority", task.priority],
    ["Assignee", task.assigned_to || "—"], ["Project", task.project_id || "—"],
    ["Estimated hours", task.estimated_hours ?? "—"], ["Tags", task.tags.join(", ") || "—"],
    ["Claimed by", task.lease_owner || "nobody"],
    ["Lease expires", task.lease_expires_at || "—"],
    ["Subtasks", `${task.completed_subtasks}/${task.total_subtasks} completed`],
    ["Created", task.created_at], ["Updated", task.updated_at], ["Version", task.version]];
  return h("dl", { class: "fields" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function table(caption, head, rows) {
  if (!rows.length) return h("p", {}, `No ${caption.toLowerCase()}.`);
  return h("table", {}, h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

const json = (value) => h("pre", {}, JSON.stringify(value, null, 1));

async function taskPage(id) {
  const base = `${API}/tasks/${id}`;
  const [task, contexts, dependencies, blockers, history] = await Promise.all([
    api(base), api(`${base}/contexts?limit=200`), api(`${base}/dependencies?limit=200`),
    api(`${base}/blockers`), api(`${base}/history?limit=200`)]);
  const t = task.data;
  const link = (taskId) => h("a", { href: `#/tasks/${taskId}` }, taskId);
  show(t.title,
    t.description ? h("p", {}, t.description) : null,
    h("h2", {}, "Fields and claim"), fields(t),
    h("h2", {}, "Depends on"),
    table("Dependencies", ["Task", "Type"],
      dependencies.data.map((d) => [link(d.depends_on_task_id), d.dependency_type])),
    h("h2", {}, "Blockers"),
    blockers.data.blocked
      ? table("Blockers", ["Task", "Status", "Claimed by", "Depth"],
        blockers.data.blockers.map((b) => [h("a", { href: `#/tasks/${b.id}` }, b.title),
          b.status, b.lease_owner || "—", b.depth]))
      : h("p", {}, "Nothing blocks this task."),
    h("h2", {}, "Contexts"),
    table("Contexts", ["Type", "Data", "Created"],
      contexts.data.map((c) => [c.context_type, json(c.context_data), c.created_at])),
    h("h2", {}, "History"),
    table("History", ["When", "Action", "Changed by key", "Request"],
      history.data.map((e) => [e.created_at, e.action, e.actor_key_id || "—", e.request_id || "—"])));
}

async function graphIndex() {
  const list = await projects();
  show("Dependency graph", h("p", {}, "Choose a project:"),
    h("ul", {}, list.map((p) => h("li", {}, h("a", { href: `#/graph/${p.id}` }, p.name)))));
}

// The project's edges, page by page (one list for the project, not a request per task).
async function projectEdges(projectId, maxPages = 10) {
  const edges = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const params = { limit: 200, ...(cursor ? { cursor } : {}) };
    const body = await api(`${API}/projects/${projectId}/dependencies?${query(params)}`);
    edges.push(...body.data);
    cursor = body.pagination && body.pagination.next_cursor;
    if (!cursor) break;
  }
  return edges;
}

async function graphPage(projectId) {
  const tasks = (await api(`${API}/tasks?${query({ project_id: projectId, limit: 200 })}`)).data;
  const edges = (await projectEdges(projectId)).filter((d) => d.dependency_type !== "related");
  let critical = [];
  let note = "";
  try {
    critical = (await api(`${API}/projects/${projectId}/critical-path`)).data.tasks.map((t) => t.id);
    note = critical.length ? `Critical path: ${critical.length} tasks.` : "No unfinished chain.";
  } catch (failure) {
    note = `No critical path: ${failure.message}`;
  }
  show("Dependency graph", h("p", { class: "legend" }, note, " ",
    h("span", { class: "critical-swatch" }, "Thick orange"), " marks the critical path."),
    drawGraph(tasks, edges, critical));
}

// Layered drawing: a task's column is the length of the longest chain of prerequisites below it.
function drawGraph(tasks, edges, critical) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  // "blocks" edges point the other way: task_id blocks depends_on_task_id.
  const prereqs = new Map(tasks.map((t) => [t.id, []]));
  for (const e of edges) {
    const [after, before] = e.dependency_type === "blocks"
      ? [e.depends_on_task_id, e.task_id] : [e.task_id, e.depends_on_task_id];
    if (byId.has(after) && byId.has(before)) prereqs.get(after).push(before);
  }
  const depth = new Map();
  const visit = (id, seen) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0; // a cycle: drawn, not layered
    seen.add(id);
    const d = Math.max(-1, ...prereqs.get(id).map((p) => visit(p, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  tasks.forEach((t) => visit(t.id, new Set()));
  const rows = new Map();
  const place = new Map();
  const W = 190, H = 44, GX = 60, GY = 22;
  for (const t of tasks) {
    const col = depth.get(t.id);
    const row = rows.get(col) || 0;
    rows.set(col, row + 1);
    place.set(t.id, { x: 20 + col * (W + GX), y: 20 + row * (H + GY) });
  }
  const width = 40 + (Math.max(0, ...depth.values()) + 1) * (W + GX);
  const height = 40 + Math.max(1, ...rows.values()) * (H + GY);
  const onPath = new Set(critical);
  const pathEdge = new Set(critical.slice(1).map((id, i) => `${id}>${critical[i]}`));
  const arrow = (id) => h("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
  h("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
  const lines = [];
  for (const [after, befores] of prereqs) {
    for (const before of befores) {
      const a = place.get(before), b = place.get(after);
      const hot = pathEdge.has(`${after}>${before}`) || pathEdge.has(`${before}>${after}`);
      lines.push(h("line", { class: hot ? "edge critical" : "edge", x1: a.x + W, y1: a.y + H / 2,
        x2: b.x, y2: b.y + H / 2, "marker-end": `url(#${hot ? "arrow-critical" : "arrow"})` }));
    }
  }
  const nodes = tasks.map((t) => {
    const p = place.get(t.id);
    const hot = onPath.has(t.id);
    const label = t.title.length > 26 ? `${t.title.slice(0, 25)}…` : t.title;
    return h("g", { class: hot ? "node critical" : "node", "data-task-id": t.id },
      h("title", {}, `${t.title} (${t.status})${hot ? ", on the critical path" : ""}`),
      h("rect", { x: p.x, y: p.y, width: W, height: H, rx: 5 }),
      h("text", { x: p.x + 8, y: p.y + 18 }, label),
      h("text", { x: p.x + 8, y: p.y + 35 }, t.status.replace("_", " ")));
  });
  return h("svg", { class: "graph", id: "graph", role: "img", "aria-labelledby": "graph-title",
    viewBox: `0 0 ${width} ${height}`, width, height },
  h("title", { id: "graph-title" }, `Dependency graph of ${tasks.length} tasks`),
  h("defs", {}, arrow("arrow"), arrow("arrow-critical")), lines, nodes);
}

async function keysPage(created) {
  const keys = (await api(`${API}/me/keys`)).data;
  const scopes = state.me.scopes.includes("admin") ? ["tasks:read", "tasks:write", "admin"]
    : state.me.scopes;
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", id: "key-form", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const answer = await api(`${API}/me/keys`, { method: "POST",
        body: { name: data.get("name"), scopes: data.getAll("scope") } });
      await keysPage(answer.data);
    } catch (failure) {
      error.textContent = failure.message;
    }
  } },
  h("label", { for: "key-name" }, "Name"),
  h("input", { id: "key-name", name: "name", required: true }),
  h("fieldset", {}, h("legend", {}, "Scopes"), scopes.map((s, i) => h("div", {},
    h("input", { type: "checkbox", id: `scope-${i}`, name: "scope", value: s,
      checked: s === "tasks:read" }),
    h("label", { for: `scope-${i}` }, ` ${s}`)))),
  h("button", { type: "submit" }, "Create key"));
  const once = created ? h("div", { class: "once", id: "new-key", role: "status" },
    h("p", {}, "Your new key is shown this once; copy it now:"),
    h("code", { id: "new-key-value" }, created.key)) : null;
  const revoke = (key) => h("button", { type: "button", class: "danger",
    "aria-label": `Revoke ${key.name}`, onclick: async () => {
      await api(`${API}/me/keys/${key.id}/revoke`, { method: "POST" });
      await keysPage();
    } }, "Revoke");
  show("API keys", once, h("h2", {}, "New key"), form, error, h("h2", {}, "Your keys"),
    table("Your keys", ["Name", "Prefix", "Scopes", "Status", "Created", ""],
      keys.map((k) => [k.name, k.prefix, k.scopes.join(", "), k.status, k.created_at,
        k.status === "revoked" ? "" : revoke(k)])));
}

// ---- routing -------------------------------------------------------------------------------
async function route() {
  closeStream();
  const [path, search] = (location.hash.slice(1) || "/board").split("?");
  const params = new URLSearchParams(search || "");
  const parts = path.split("/").filter(Boolean);
  if (!state.me) { loginPage(state.flash); state.flash = null; return; }
  try {
    if (parts[0] === "tasks" && parts[1]) await taskPage(parts[1]);
    else if (parts[0] === "graph" && parts[1]) await graphPage(parts[1]);
    else if (parts[0] === "graph") await graphIndex();
    else if (parts[0] === "keys") await keysPage();
    else await boardPage(params);
  } catch (failure) {
    if (failure.status === 401) { state.me = null; signedIn(); loginPage("Please log in again."); }
    else show("Something went wrong", h("p", { class: "error", role: "alert" }, failure.message));
  }
}

async function logout() {
  closeStream();
  await api(`${API}/auth/session`, { method: "DELETE" }).catch(() => null);
  state.me = null;
  state.csrf = null;
  signedIn();
  state.flash = "You are logged out.";
  go("#/login");
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash; // hashchange routes
}

async function start() {
  document.getElementById("logout").addEventListener("click", logout);
  // A Cloudflare Access identity (or a live cookie session) is signed in already.
  await loadMe();
  signedIn();
  window.addEventListener("hashchange", route);
  await route();
}

start();
