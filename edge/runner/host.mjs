// Hosts the edge Worker's real Python code on real Pyodide the way workerd does (see
// docs/edge.md, "Local runner"): the vendored PyPI `workers` SDK in site-packages, the two modules workerd
// injects, `loadPackage` disabled, and dispatch Default(ctx, env).fetch(python_from_rpc(request)) →
// python_to_rpc(response). Bindings come from ./standins.mjs. Pyodide is loaded once per process.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import {
  CacheStorage,
  DurableObjectNamespace,
  KvNamespace,
  Ratelimit,
} from "./standins.mjs";

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
};
export const SECRET_NAMES = ["EDGE_SIGNING_SECRET", "CF_ACCESS_CLIENT_ID", "CF_ACCESS_CLIENT_SECRET"];
const DEV_SIGNING_SECRET = "dev-only-edge-signing-secret-change-me";

const PY_HELPERS = `
import builtins, inspect, os, random, sys

from workers import python_from_rpc, python_to_rpc


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
    instance = entrypoint_cls(ctx, env)
    response = await instance.fetch(python_from_rpc(js_request))
    return python_to_rpc(response)


async def call_method(instance, name, js_args):
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

export async function createEdge({
  vars = {},
  secrets = {},
  ipLimit = 600,
  ipPeriod = 60,
  now = () => Date.now(),
  quiet = false,
} = {}) {
  const pythonModules = path.join(EDGE_DIR, "python_modules");
  if (!fs.existsSync(path.join(pythonModules, "workers", "__init__.py"))) {
    throw new Error(`the workers SDK is not vendored: run ${EDGE_DIR}/scripts/vendor.sh`);
  }
  const pyodide = await loadPyodide({
    stdout: quiet ? () => {} : (line) => console.log(line),
    stderr: (line) => console.error(line),
  });
  if (pyodide.version !== PYODIDE_VERSION) {
    console.warn(`warning: Pyodide ${pyodide.version}, Cloudflare runs ${PYODIDE_VERSION}`);
  }
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  copyTree(pyodide.FS, path.join(pythonModules, "workers"), `${sitePackages}/workers`);
  pyodide.FS.writeFile(`${sitePackages}/asgi.py`, fs.readFileSync(path.join(pythonModules, "asgi.py")));
  // The Worker's own code, as wrangler would upload it (main's directory is the module root).
  copyTree(pyodide.FS, path.join(EDGE_DIR, "src"), "/session/worker");
  pyodide.runPython("import sys; sys.path.insert(0, '/session/worker')");

  const env = { ...vars, ...secrets };
  const pending = [];
  const waitUntil = (promise) => {
    pending.push(Promise.resolve(promise));
  };
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
  const worker = helpers.import_worker("entry");
  const Default = worker.Default;
  const KeyRateLimiter = worker.KeyRateLimiter;

  const caches = new CacheStorage(now);
  globalThis.caches = caches;
  Object.assign(env, {
    KEY_CACHE: new KvNamespace(now),
    IP_RATE_LIMITER: new Ratelimit({ limit: ipLimit, period: ipPeriod }, now),
    KEY_LIMITER: new DurableObjectNamespace({
      construct: (state) => KeyRateLimiter(state, env),
      callMethod: (instance, name, args) => helpers.call_method(instance, name, args),
      methods: helpers.public_methods(KeyRateLimiter).toJs(),
    }),
  });

  async function dispatch(request) {
    const ctx = { waitUntil, passThroughOnException() {}, props: {} };
    const response = await helpers.dispatch(Default, request, ctx, env);
    const settled = Promise.allSettled(pending.splice(0));
    return { response, settled };
  }

  return { pyodide, env, caches, dispatch };
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
