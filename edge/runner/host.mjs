// Hosts the edge Worker's real Python code on real Pyodide the way workerd does (see
// docs/edge.md, "Local runner"): the vendored PyPI `workers` SDK in site-packages, the two modules workerd
// injects, `loadPackage` disabled, and dispatch Default(ctx, env).fetch(python_from_rpc(request)) →
// python_to_rpc(response). Bindings are workerd's own (Miniflare), reached through ./bridge.mjs.
// Pyodide is loaded once per process; Miniflare starts while it loads.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import { startBindings } from "./bridge.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const EDGE_DIR = path.resolve(here, "..");
export const PYODIDE_VERSION = "314.0.6";

// Defaults mirror the top-level [vars] in wrangler.toml; the environment overrides them.
export const VAR_DEFAULTS = {
  ORIGIN_URL: "http://127.0.0.1:8000",
  CORS_ALLOWED_ORIGINS: "http://localhost:3000,http://127.0.0.1:3000",
  MAX_BODY_BYTES: "1048576",
  BATCH_MAX_BODY_BYTES: "16777216",
  KEY_CACHE_TTL_SECONDS: "30",
  KEY_NEGATIVE_TTL_SECONDS: "5",
  ORIGIN_TIMEOUT_SECONDS: "25",
  VERIFY_TIMEOUT_SECONDS: "5",
  EDGE_CACHE_DEFAULT_TTL: "10",
  IP_RATE_LIMIT_ENABLED: "true",
  USER_RATE_LIMIT_PER_MINUTE: "120",
  USER_RATE_LIMIT_PER_HOUR: "5000",
  USER_RATE_LIMIT_PER_DAY: "50000",
  USER_RATE_LIMIT_BURST: "40",
};
export const SECRET_NAMES = [
  "EDGE_SIGNING_SECRET",
  "CF_ACCESS_CLIENT_ID",
  "CF_ACCESS_CLIENT_SECRET",
  "JWT_SIGNING_KEYS",
];
const DEV_SIGNING_SECRET = "dev-only-edge-signing-secret-change-me";

const PY_HELPERS = `
import builtins, inspect, os, random, sys


def _forbid_entropy(*_args, **_kwargs):
    raise RuntimeError("entropy is not available at import time in workerd")


def import_worker(name):
    # workerd refuses entropy while a Worker's modules are imported: do the same here.
    saved = os.urandom, random.random, random.getrandbits
    os.urandom = random.random = random.getrandbits = _forbid_entropy
    try:
        return __import__(name)
    finally:
        os.urandom, random.random, random.getrandbits = saved


async def dispatch(entrypoint_cls, js_request, ctx, env):
    from workers import python_from_rpc, python_to_rpc

    instance = entrypoint_cls(ctx, env)
    response = await instance.fetch(python_from_rpc(js_request))
    return python_to_rpc(response)


async def call_method(instance, name, js_args):
    from workers import python_from_rpc, python_to_rpc

    result = getattr(instance, name)(*[python_from_rpc(a) for a in js_args])
    if inspect.isawaitable(result):
        result = await result
    return python_to_rpc(result)


def public_methods(cls):
    return [n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")]
`;

function copyTree(FS, from, to) {
  FS.mkdirTree(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = `${to}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__") copyTree(FS, src, dst);
    } else {
      FS.writeFile(dst, fs.readFileSync(src));
    }
  }
}

function elapsed(since) {
  const cpu = process.cpuUsage(since.cpu);
  return {
    wall_ms: Math.round((performance.now() - since.wall) * 100) / 100,
    cpu_ms: Math.round((cpu.user + cpu.system) / 10) / 100,
  };
}

const mark = () => ({ wall: performance.now(), cpu: process.cpuUsage() });

// A fresh Pyodide with the SDK and the Worker's code imported, as workerd would at start-up.
// `env` is the object the Worker's `self.env` wraps; `waitUntil` collects ctx.waitUntil promises.
// `timings` splits start-up: loading Pyodide (a memory snapshot on Cloudflare, not billed as the
// Worker's start-up), importing the `workers` SDK, then the Worker's own modules.
export async function loadWorker({ env = {}, waitUntil = () => {}, quiet = false } = {}) {
  const pythonModules = path.join(EDGE_DIR, "python_modules");
  if (!fs.existsSync(path.join(pythonModules, "workers", "__init__.py"))) {
    throw new Error(`the workers SDK is not vendored: run ${EDGE_DIR}/scripts/vendor.sh`);
  }
  let since = mark();
  const pyodide = await loadPyodide({
    stdout: quiet ? () => {} : (line) => console.log(line),
    stderr: (line) => console.error(line),
  });
  const timings = { load_pyodide: elapsed(since) };
  if (pyodide.version !== PYODIDE_VERSION) {
    console.warn(`warning: Pyodide ${pyodide.version}, Cloudflare runs ${PYODIDE_VERSION}`);
  }
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  copyTree(pyodide.FS, path.join(pythonModules, "workers"), `${sitePackages}/workers`);
  pyodide.FS.writeFile(`${sitePackages}/asgi.py`, fs.readFileSync(path.join(pythonModules, "asgi.py")));
  // The Worker's own code, as wrangler would upload it (main's directory is the module root).
  copyTree(pyodide.FS, path.join(EDGE_DIR, "src"), "/session/worker");
  pyodide.runPython("import sys; sys.path.insert(0, '/session/worker')");

  pyodide.registerJsModule("_cloudflare_compat_flags", {
    python_request_headers_preserve_commas: true,
    python_workflows_implicit_dependencies: false,
  });
  pyodide.registerJsModule("_pyodide_entrypoint_helper", {
    cloudflareWorkersModule: { env, waitUntil },
    cloudflareSocketsModule: {},
    doAnImport: async (name) => import(name),
    patchWaitUntil: () => {},
    patch_env_helper: function* patchEnvHelper() {
      yield;
    },
  });
  pyodide.loadPackage = async () => {
    throw new Error("loadPackage is disabled (as in workerd): vendor dependencies instead");
  };

  const helpers = pyodide.runPython(`${PY_HELPERS}\nimport types as _t\n_t.SimpleNamespace(**{k: v for k, v in dict(globals()).items() if k in ("import_worker", "dispatch", "call_method", "public_methods")})`);
  since = mark();
  helpers.import_worker("workers");
  timings.import_sdk = elapsed(since);
  since = mark();
  const worker = helpers.import_worker("entry");
  timings.import_worker = elapsed(since);
  return { pyodide, helpers, worker, timings };
}

export async function createEdge({
  vars = {},
  secrets = {},
  ipLimit = 600,
  ipPeriod = 60,
  quiet = false,
} = {}) {
  const env = { ...vars, ...secrets };
  const pending = [];
  const waitUntil = (promise) => {
    pending.push(Promise.resolve(promise));
  };
  const since = mark();
  const bindingsReady = startBindings({ ipLimit, ipPeriod }).then((bindings) => {
    bindings.readyIn = elapsed(since);
    return bindings;
  });
  let loaded;
  try {
    loaded = await loadWorker({ env, waitUntil, quiet });
  } catch (error) {
    await (await bindingsReady).dispose();
    throw error;
  }
  const { pyodide, helpers, worker, timings } = loaded;
  const bindings = await bindingsReady;
  timings.miniflare_ready = bindings.readyIn;

  globalThis.caches = bindings.caches;
  const KeyRateLimiter = worker.KeyRateLimiter;
  Object.assign(env, {
    KEY_CACHE: bindings.kv,
    IP_RATE_LIMITER: bindings.ratelimit,
    KEY_LIMITER: bindings.durableObjectNamespace({
      construct: (state) => KeyRateLimiter(state, env),
      callMethod: (instance, name, args) => helpers.call_method(instance, name, args),
      methods: helpers.public_methods(KeyRateLimiter).toJs(),
    }),
  });

  async function dispatch(request) {
    const ctx = { waitUntil, passThroughOnException() {}, props: {} };
    const response = await helpers.dispatch(worker.Default, request, ctx, env);
    const settled = Promise.allSettled(pending.splice(0));
    return { response, settled };
  }

  return { pyodide, env, bindings, timings, dispatch, dispose: () => bindings.dispose() };
}

export function configFromEnvironment(processEnv = process.env) {
  const vars = {};
  for (const [name, fallback] of Object.entries(VAR_DEFAULTS)) {
    vars[name] = processEnv[name] ?? fallback;
  }
  const secrets = {};
  for (const name of SECRET_NAMES) {
    if (processEnv[name]) secrets[name] = processEnv[name];
  }
  secrets.EDGE_SIGNING_SECRET ??= DEV_SIGNING_SECRET;
  return {
    vars,
    secrets,
    ipLimit: Number(processEnv.IP_RATE_LIMIT ?? 600),
  };
}
