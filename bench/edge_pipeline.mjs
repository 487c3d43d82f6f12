// The edge pipeline alone on Pyodide: `tm_edge.pipeline.handle` with in-memory ports (the fakes of
// tests/edge/unit/fakes.py), no Workers runtime adapter, no JS bindings. Complements
// edge/bench/pipeline_cpu.mjs (the whole Worker through the runner): the difference between the two
// is the cost of the SDK's request/response conversion and the binding bridge to workerd.
//
//   node bench/edge_pipeline.mjs [--requests 2000]     (prints one JSON line)
//
// Reports Node's process CPU (user + system) per request after a warm-up, for: a refusal (no key),
// a keyed GET answered from the edge cache (auth + limits + cache lookup: the target's scenario)
// and a keyed GET forwarded to the (in-memory) origin.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { loadPyodide } = await import(path.join(ROOT, "edge/runner/node_modules/pyodide/pyodide.mjs"));
const { values: args } = parseArgs({ options: { requests: { type: "string", default: "2000" } } });
const N = Number(args.requests);

function copyTree(FS, from, to) {
  FS.mkdirTree(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(FS, src, `${to}/${entry.name}`);
    else if (entry.name.endsWith(".py")) FS.writeFile(`${to}/${entry.name}`, fs.readFileSync(src));
  }
}

const pyodide = await loadPyodide({ stdout: () => {}, stderr: (line) => console.error(line) });
copyTree(pyodide.FS, path.join(ROOT, "edge/src"), "/bench/src");
pyodide.FS.writeFile("/bench/fakes.py", fs.readFileSync(path.join(ROOT, "tests/edge/unit/fakes.py")));
await pyodide.runPythonAsync(`
import sys
sys.path[:0] = ["/bench/src", "/bench"]
from tm_edge import keys, pipeline
from fakes import make_world, request

KEY = keys.make_key("B" * 30)
UNLIMITED = {"per_minute": 10**9, "per_hour": 10**9, "per_day": 10**9, "burst": 10**9}
world = make_world()
world.ip.limit_per_period = 10**9
world.origin.keys = {keys.key_hash(KEY): {
    "valid": True, "reason": None, "key_id": "bench", "scopes": ["tasks:read", "tasks:write"],
    "rate_limits": UNLIMITED,
}}
ports = world.ports()
SCENARIOS = {
    "refused (no key)": ("/api/v1/tasks", {}),
    "GET cached (HIT)": ("/api/v1/tasks?cacheable=1", {"authorization": f"Bearer {KEY}"}),
    "GET forwarded": ("/api/v1/tasks?limit=5", {"authorization": f"Bearer {KEY}"}),
}

async def run(name, n):
    path, headers = SCENARIOS[name]
    # Only the cacheable URL may be stored: the origin fake marks every answer cacheable.
    world.origin.cache_control = "public, max-age=600" if "cacheable" in path else None
    response = None
    for _ in range(n):
        response = await pipeline.handle(request("GET", path, headers), world.settings, ports)
    return f"{response.status} {response.headers.get('x-cache') or ''}".strip()
`);
const run = pyodide.globals.get("run");
const results = [];
for (const name of ["refused (no key)", "GET cached (HIT)", "GET forwarded"]) {
  await run(name, Math.max(50, N / 10)); // warm-up: verdict cached, cache filled, code paths hot
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const status = await run(name, N);
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
console.log(JSON.stringify({ pyodide: pyodide.version, results }));
process.exit(0);
