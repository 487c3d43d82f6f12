// CPU cost of the edge pipeline per request on Pyodide 314 (Node), for the benchmark suite.
//
//   node edge/bench/pipeline_cpu.mjs [--requests 500] [--json]
//
// Runs the real Worker (edge/src) in-process through the runner's host with its binding
// stand-ins; `fetch` to the origin is replaced by an in-process answer so that only the Worker's
// own work is measured (request/response conversion, key check, verdict cache, limits via the
// Python Durable Object, cache, signing, headers). Reports process CPU time (user + system) per
// request for each scenario, after a warm-up. It is Node's CPU on this machine, not workerd's
// billing, but it moves with the pipeline's cost.
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

async function once(make) {
  const req = make();
  req.headers.set("cf-connecting-ip", "203.0.113.1");
  const { response, settled } = await edge.dispatch(req);
  await response.arrayBuffer();
  await settled;
  return `${response.status}${response.headers.has("x-cache") ? ` ${response.headers.get("x-cache")}` : ""}`;
}

const results = [];
for (const [name, make] of Object.entries(scenarios)) {
  const warm = Math.max(20, Math.floor(N / 10));
  let status;
  for (let i = 0; i < warm; i++) status = await once(make);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) status = await once(make);
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  results.push({
    scenario: name,
    status,
    requests: N,
    cpu_us_per_request: Math.round(((cpu.user + cpu.system) / N) * 10) / 10,
    wall_us_per_request: Math.round((wall / N) * 10) / 10,
  });
}

if (args.json) {
  console.log(JSON.stringify({ pyodide: edge.pyodide.version, results }));
} else {
  console.log(`edge pipeline CPU per request on Pyodide ${edge.pyodide.version} (${N} requests each)`);
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(24)} status ${r.status}  cpu ${String(r.cpu_us_per_request).padStart(8)} µs` +
        `  wall ${String(r.wall_us_per_request).padStart(8)} µs`,
    );
  }
}
process.exit(0);
