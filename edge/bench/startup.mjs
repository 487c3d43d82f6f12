// Start-up cost of the edge Worker on Pyodide 314 (Node), for the benchmark suite.
//
//   node edge/bench/startup.mjs [--runs 3] [--json]
//
// Each run is a fresh Pyodide (loadPyodide), then, as workerd does at start-up, the import of the
// `workers` SDK and of the Worker's modules (edge/src/entry.py and tm_edge), timed apart: wall
// and CPU of this process (Pyodide runs on the main thread, so they agree on an idle machine).
// Cloudflare's start-up CPU limit is 1 s; this project's budget for SDK + Worker import is 100 ms.
// Loading Pyodide itself is reported but is not the Worker's start-up (Cloudflare restores it
// from a snapshot). Pyodide's stdlib zip ships sources only, so every stdlib module imported is
// compiled too: that is part of the figure. Reports the median of the runs.
import { parseArgs } from "node:util";
import { loadWorker } from "../runner/host.mjs";

export const IMPORT_BUDGET_MS = 100;

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "3" }, json: { type: "boolean" } },
});
const runs = Math.max(1, Number(args.runs));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const samples = [];
let version;
for (let i = 0; i < runs; i++) {
  const { pyodide, timings } = await loadWorker({ quiet: true });
  version = pyodide.version;
  samples.push(timings);
}

const figure = (pick) => ({
  wall_ms: Math.round(median(samples.map((t) => pick(t).wall_ms)) * 10) / 10,
  cpu_ms: Math.round(median(samples.map((t) => pick(t).cpu_ms)) * 10) / 10,
});
const sum = (t) => ({
  wall_ms: t.import_sdk.wall_ms + t.import_worker.wall_ms,
  cpu_ms: t.import_sdk.cpu_ms + t.import_worker.cpu_ms,
});
const report = {
  pyodide: version,
  runs,
  budget_ms: IMPORT_BUDGET_MS,
  load_pyodide: figure((t) => t.load_pyodide),
  import_sdk: figure((t) => t.import_sdk),
  import_worker: figure((t) => t.import_worker),
  import_total: figure(sum),
};

if (args.json) {
  console.log(JSON.stringify(report));
} else {
  const line = (name, f) => `  ${name.padEnd(26)} ${String(f.cpu_ms).padStart(8)} ms CPU  ${String(f.wall_ms).padStart(8)} ms wall`;
  console.log(`edge Worker start-up on Pyodide ${version} (median of ${runs} fresh loads)`);
  console.log(line("load Pyodide (not billed)", report.load_pyodide));
  console.log(line("import workers SDK", report.import_sdk));
  console.log(line("import the Worker", report.import_worker));
  console.log(line(`SDK + Worker (≤ ${IMPORT_BUDGET_MS} ms)`, report.import_total));
}
