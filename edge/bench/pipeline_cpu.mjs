// CPU cost of the edge pipeline per request on Pyodide 314 (Node), for the benchmark suite.
//
//   node edge/bench/pipeline_cpu.mjs [--requests 500] [--json]
//
// Runs the real Worker (edge/src) in-process through the runner's host, its bindings workerd's own
// (Miniflare) behind the runner's bridge; `fetch` to the origin is replaced by an in-process
// answer so that only the edge's work is measured (request/response conversion, key check,
// verdict cache, limits via the Python Durable Object, cache, signing, headers). Per request and
// scenario, after a warm-up, requests one after another:
//   cpu_us          Node's process CPU (user + system): the Worker on Pyodide plus the bridge
//   bridge_cpu_us   the part of it spent inside bridge calls (serialising, the WebSocket)
//   worker_cpu_us   cpu_us − bridge_cpu_us: the Worker's own CPU (what Cloudflare would bill,
//                   minus the bindings' cost inside workerd)
//   workerd_cpu_us  the workerd process's CPU (the bindings' implementations, Miniflare's glue)
//   bridge_calls / bridge_wall_us  binding calls per request and the wall time waiting on them
// It is CPU on this machine, not Cloudflare's billing, but it moves with the pipeline's cost.
// The start-up figures of the Worker (`timings`) are those of this process's one load.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { createEdge } from "../runner/host.mjs";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "500" }, json: { type: "boolean" } },
});
const N = Number(args.requests);
const SECRET = "bench-secret";

// Installed before Pyodide loads: pyodide.http binds `fetch` when it is imported.
globalThis.fetch = async (input) => {
  const request = input instanceof Request ? input : new Request(input);
  const url = new URL(request.url);
  if (url.pathname === "/internal/keys/verify") {
    const data = {
      valid: true, reason: null, key_id: "bench-key", scopes: ["tasks:read", "tasks:write"],
      expires_at: null, allowed_ips: null, allowed_endpoints: null,
      rate_limits: { per_minute: 1e9, per_hour: 1e9, per_day: 1e9, burst: 1e9 },
    };
    return Response.json({ data, meta: { request_id: "bench" } });
  }
  const cacheControl = url.searchParams.get("cacheable") ? "public, max-age=600" : "no-store";
  const body = JSON.stringify({ data: [{ id: 1, title: "t", status: "pending" }], meta: {} });
  return new Response(request.method === "GET" ? body : '{"data":{}}', {
    status: request.method === "GET" ? 200 : 201,
    headers: { "content-type": "application/json", "cache-control": cacheControl },
  });
};

const edge = await createEdge({
  vars: {
    ORIGIN_URL: "http://origin.bench",
    CORS_ALLOWED_ORIGINS: "",
    MAX_BODY_BYTES: "1048576",
    KEY_CACHE_TTL_SECONDS: "30",
    KEY_NEGATIVE_TTL_SECONDS: "5",
    ORIGIN_TIMEOUT_SECONDS: "25",
    VERIFY_TIMEOUT_SECONDS: "5",
    EDGE_CACHE_DEFAULT_TTL: "0",
    IP_RATE_LIMIT_ENABLED: "true",
  },
  secrets: { EDGE_SIGNING_SECRET: SECRET },
  ipLimit: 1e9,
  quiet: true,
});
const key = edge.pyodide.runPython(`
import sys; sys.path.insert(0, "/session/worker")
from tm_edge.keys import make_key
make_key("B" * 30)`);

const scenarios = {
  "refused (no key)": () => new Request("http://edge.bench/api/v1/tasks"),
  "GET forwarded (MISS)": () =>
    new Request("http://edge.bench/api/v1/tasks?limit=5", { headers: { "x-api-key": key } }),
  "GET cached (HIT)": () =>
    new Request("http://edge.bench/api/v1/tasks?cacheable=1", { headers: { "x-api-key": key } }),
  "POST forwarded": () =>
    new Request("http://edge.bench/api/v1/tasks", {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: '{"title":"bench"}',
    }),
};

// The workerd processes Miniflare started (children of this process) and their CPU in µs.
function workerdCpuUs() {
  let ticks = 0;
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && stat.includes("(workerd)")) {
        ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
      }
    } catch {
      // a process that ended meanwhile
    }
  }
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

const round = (value) => Math.round(value * 10) / 10;

async function once(make) {
  const req = make();
  req.headers.set("cf-connecting-ip", "203.0.113.1");
  const { response, settled } = await edge.dispatch(req);
  await response.arrayBuffer();
  await settled;
  return `${response.status}${response.headers.has("x-cache") ? ` ${response.headers.get("x-cache")}` : ""}`;
}

const results = [];
const stats = edge.bindings.stats;
for (const [name, make] of Object.entries(scenarios)) {
  const warm = Math.max(20, Math.floor(N / 10));
  let status;
  for (let i = 0; i < warm; i++) status = await once(make);
  stats.reset();
  const workerd0 = workerdCpuUs();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) status = await once(make);
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const cpuUs = (cpu.user + cpu.system) / N;
  results.push({
    scenario: name,
    status,
    requests: N,
    cpu_us_per_request: round(cpuUs),
    wall_us_per_request: round(wall / N),
    bridge_calls_per_request: round(stats.calls / N),
    bridge_cpu_us_per_request: round(stats.cpuUs / N),
    bridge_wall_us_per_request: round(stats.wallUs / N),
    worker_cpu_us_per_request: round(cpuUs - stats.cpuUs / N),
    workerd_cpu_us_per_request: round((workerdCpuUs() - workerd0) / N),
  });
}
await edge.dispose();

if (args.json) {
  console.log(JSON.stringify({ pyodide: edge.pyodide.version, timings: edge.timings, results }));
} else {
  console.log(`edge Worker per request on Pyodide ${edge.pyodide.version} (${N} requests each)`);
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(24)} status ${r.status.padEnd(8)} cpu ${String(r.cpu_us_per_request).padStart(8)} µs` +
        ` = Worker ${String(r.worker_cpu_us_per_request).padStart(8)} + bridge ${String(r.bridge_cpu_us_per_request).padStart(7)}` +
        ` (${r.bridge_calls_per_request} calls, ${r.bridge_wall_us_per_request} µs wall);` +
        ` workerd ${r.workerd_cpu_us_per_request} µs; wall ${r.wall_us_per_request} µs`,
    );
  }
  console.log(`start-up: ${JSON.stringify(edge.timings)}`);
}
process.exit(0);
