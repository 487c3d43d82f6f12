// Proof that the runner's bindings are workerd's own: drives the real Worker in-process (the
// runner's host, bindings through its bridge), then reads what the Worker wrote back through
// Miniflare's own API (`mf.getKVNamespace`, `mf.getCaches`, `mf.getDurableObjectNamespace`,
// `mf.getBindings`), and writes through that API what the Worker must then see. Prints one JSON
// line of observations; tests/edge/pyodide/test_real_bindings.py asserts on it.
//
//   node tests/edge/pyodide/bindings_probe.mjs
import { createEdge } from "../../../edge/runner/host.mjs";

const KEY_ID = "probe-key";
const SCOPES = ["tasks:read", "tasks:write"];

// Installed before Pyodide loads: pyodide.http binds `fetch` when it is imported.
globalThis.fetch = async (input) => {
  const request = input instanceof Request ? input : new Request(input);
  if (new URL(request.url).pathname === "/internal/keys/verify") {
    const data = {
      valid: true, reason: null, key_id: KEY_ID, scopes: SCOPES, expires_at: null,
      allowed_ips: null, allowed_endpoints: null,
      rate_limits: { per_minute: 100, per_hour: 1000, per_day: 10000, burst: 100 },
    };
    return Response.json({ data, meta: { request_id: "probe" } });
  }
  return Response.json(
    { data: [{ id: 1 }], meta: {} },
    { headers: { "cache-control": "public, max-age=600", etag: '"probe-1"' } },
  );
};

const edge = await createEdge({
  vars: {
    ORIGIN_URL: "http://origin.probe", CORS_ALLOWED_ORIGINS: "", KEY_CACHE_TTL_SECONDS: "30",
    KEY_NEGATIVE_TTL_SECONDS: "5", ORIGIN_TIMEOUT_SECONDS: "5", VERIFY_TIMEOUT_SECONDS: "5",
    EDGE_CACHE_DEFAULT_TTL: "0", IP_RATE_LIMIT_ENABLED: "true", PUBLIC_PATHS: "/health",
    MAX_BODY_BYTES: "1048576",
  },
  secrets: { EDGE_SIGNING_SECRET: "probe-secret" },
  ipLimit: 3,
  quiet: true,
});
const { mf } = edge.bindings;
const py = (code) => edge.pyodide.runPython(code);
const key = py(`from tm_edge import keys; keys.make_key("P" * 30)`);
const keyHash = py(`keys.key_hash(${JSON.stringify(key)})`);
const cacheUrl = py(
  `from tm_edge import cache; cache.cache_url("0", cache.fingerprint(${JSON.stringify(SCOPES)}), "/api/v1/tasks", "probe=1")`,
);

async function get(ip, path = "/api/v1/tasks?probe=1") {
  const request = new Request(`http://edge.probe${path}`, {
    headers: { "x-api-key": key, "cf-connecting-ip": ip },
  });
  const { response, settled } = await edge.dispatch(request);
  await response.arrayBuffer();
  await settled;
  return {
    status: response.status,
    cache: response.headers.get("x-cache"),
    retry_after: response.headers.get("retry-after"),
  };
}

async function limitThroughNewConnection(ip) {
  const upgrade = await mf.dispatchFetch("http://bridge.invalid/", { headers: { upgrade: "websocket" } });
  const socket = upgrade.webSocket;
  socket.accept();
  const reply = new Promise((resolve) => {
    socket.addEventListener("message", (event) => resolve(JSON.parse(event.data).value));
  });
  socket.send(JSON.stringify({ id: 1, op: "ratelimit.limit", args: [{ key: ip }] }));
  const value = await reply;
  socket.close();
  return value;
}

async function outcome(promise) {
  try {
    return { ok: await promise };
  } catch (error) {
    return { error: `${error.name}: ${error.message}` };
  }
}

// What workerd's bindings do with the inputs the stand-ins used to decide on.
async function bindingFacts({ kv, caches }) {
  const facts = {
    kv_ttl_59: await outcome(kv.put("fact:ttl", "v", { expirationTtl: 59 })),
    kv_ttl_60: await outcome(kv.put("fact:ttl", "v", { expirationTtl: 60 })),
  };
  const cache = caches.default;
  const stored = {};
  const kinds = {
    "public, max-age=60": { "cache-control": "public, max-age=60" },
    "no-cache, max-age=60": { "cache-control": "no-cache, max-age=60" },
    "private, max-age=60": { "cache-control": "private, max-age=60" },
    "no-store": { "cache-control": "no-store" },
    "s-maxage=0, max-age=60": { "cache-control": "s-maxage=0, max-age=60" },
    "set-cookie": { "cache-control": "public, max-age=60", "set-cookie": "a=b" },
    "no cache-control": {},
    "expires only": { expires: new Date(Date.now() + 60_000).toUTCString() },
  };
  for (const [name, headers] of Object.entries(kinds)) {
    const url = `https://fact.invalid/${encodeURIComponent(name)}`;
    await cache.put(url, new Response("x", { headers: { etag: '"f1"', ...headers } }));
    stored[name] = (await cache.match(url)) !== undefined;
  }
  facts.cache_stored = stored;
  facts.cache_vary_star = await outcome(
    cache.put("https://fact.invalid/vary", new Response("x", { headers: { vary: "*" } })),
  );
  const url = "https://fact.invalid/public%2C%20max-age%3D60";
  const hit = await cache.match(url);
  facts.cache_hit_headers = Object.fromEntries(hit.headers);
  for (const tag of ['"f1"', 'W/"f1"', '"other"']) {
    const match = await cache.match(new Request(url, { headers: { "if-none-match": tag } }));
    facts[`cache_if_none_match ${tag}`] = match.status;
  }
  return facts;
}

const observed = {};
try {
  observed.first = await get("198.51.100.1");

  // KV: the verdict the Worker stored, read with Miniflare's KV API (and its real expiration).
  const kv = await mf.getKVNamespace("KEY_CACHE");
  const listed = await kv.list({ prefix: "keyv:v1:" });
  observed.kv = {
    verdict: JSON.parse((await kv.get(`keyv:v1:${keyHash}`)) ?? "null"),
    expires_in_s: (listed.keys[0]?.expiration ?? 0) - Math.floor(Date.now() / 1000),
  };

  // Cache API: the response the Worker put, matched through Miniflare's caches.default.
  const caches = await mf.getCaches();
  const cached = await caches.default.match(cacheUrl);
  observed.cache = cached && {
    status: cached.status,
    cf_cache_status: cached.headers.get("cf-cache-status"),
    etag: cached.headers.get("etag"),
    body: await cached.json(),
  };

  // Durable Object: the Python KeyRateLimiter's state, in the real object's storage.
  const ns = await mf.getDurableObjectNamespace("KEY_LIMITER_STORAGE");
  const stored = await ns.get(ns.idFromName(KEY_ID)).get("state");
  observed.durable_object = { state: stored ? JSON.parse(stored) : null };

  // ratelimits: two more Worker requests use up the limit of 3 for this IP, the fourth is refused.
  // The counter lives in workerd: a second connection to the bridge Worker (its isolate holds
  // the binding) finds the IP already over the limit. (`mf.getBindings()` would reach a separate
  // in-memory counter: Miniflare's proxy Worker gets its own copy of the binding.)
  observed.second = await get("198.51.100.1");
  observed.third = await get("198.51.100.1");
  observed.fourth = await get("198.51.100.1");
  observed.ratelimit_seen_by_workerd = await limitThroughNewConnection("ip:198.51.100.1");
  observed.ratelimit_fresh_ip = await limitThroughNewConnection("ip:198.51.100.9");

  // KV the other way: a generation moved through Miniflare orphans the Worker's cache entry.
  await kv.put("cachegen:tasks", "42");
  observed.after_generation_moved = await get("198.51.100.3");
  observed.bridge_ops = edge.bindings.stats.byOp;
  observed.facts = await bindingFacts(edge.bindings);
} finally {
  await edge.dispose();
}
console.log(JSON.stringify(observed));
