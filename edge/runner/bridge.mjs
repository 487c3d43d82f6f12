// BRIDGE, Node half: the Python Worker's bindings, each call forwarded to workerd's own
// implementation in one Miniflare instance (./bridge.worker.js). Never part of the Worker.
//
// workerd cannot load a Python Worker offline (it downloads its Pyodide bundle), so the Worker
// runs on npm Pyodide in Node, and what it holds in `env` are these thin objects. They carry the
// JS class names the workers SDK looks at (KvNamespace, DurableObjectStorage, …) and forward each
// method call, arguments unchanged, over one WebSocket opened through `mf.dispatchFetch`. TTLs,
// expiration, Cache-Control/ETag/Vary/304 handling and rate-limit counting all happen in workerd.
//
// Why a WebSocket: measured per call on the shared 2-core machine (docs/edge.md), Miniflare's
// `getBindings()` proxies and `dispatchFetch` each cost ~2.3 ms of Node CPU (undici per call), a
// message on an open WebSocket ~0.3 ms.
//
// The one thing the bridge must do itself: the Python `KeyRateLimiter` object lives in Pyodide,
// not in workerd, so the bridge keeps one instance per id and runs its calls one at a time (the
// Durable Object's input gate, which workerd would otherwise provide). Its `ctx.storage` is the
// storage of a real Durable Object of the same name (`KeyLimiterStorage`, SQLite-backed); values
// cross as JSON (the Worker stores strings).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare, supportedCompatibilityDate } from "miniflare";

const here = path.dirname(fileURLToPath(import.meta.url));
export const BRIDGE_SCRIPT = path.join(here, "bridge.worker.js");

// Per operation: calls, wall time and Node CPU spent waiting for/handling workerd's answer. Only
// meaningful when calls do not overlap (the benchmark runs requests one after another).
export class BridgeStats {
  constructor() {
    this.reset();
  }

  reset() {
    this.calls = 0;
    this.wallUs = 0;
    this.cpuUs = 0;
    this.byOp = {};
  }

  record(op, wallUs, cpuUs) {
    this.calls += 1;
    this.wallUs += wallUs;
    this.cpuUs += cpuUs;
    this.byOp[op] = (this.byOp[op] ?? 0) + 1;
  }
}

class BridgeSocket {
  constructor(socket, stats) {
    this.socket = socket;
    this.stats = stats;
    this.pending = new Map();
    this.nextId = 0;
    socket.addEventListener("message", (event) => this.settle(JSON.parse(event.data)));
    socket.addEventListener("close", () => this.failAll(new Error("binding bridge closed")));
  }

  call(op, ...args) {
    const id = this.nextId++;
    const started = { wall: performance.now(), cpu: process.cpuUsage() };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, started, resolve, reject });
      this.socket.send(JSON.stringify({ id, op, args }));
    });
  }

  settle({ id, value, error }) {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    const cpu = process.cpuUsage(call.started.cpu);
    this.stats.record(call.op, (performance.now() - call.started.wall) * 1e3, cpu.user + cpu.system);
    if (error) {
      const failure = new Error(error.message);
      failure.name = error.name;
      call.reject(failure);
    } else {
      call.resolve(value);
    }
  }

  failAll(error) {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

export class KvNamespace {
  constructor(bridge) {
    this.bridge = bridge;
  }

  get(key, options) {
    const type = typeof options === "string" ? options : options?.type;
    return this.bridge.call("kv.get", key, type ?? "text");
  }

  put(key, value, options) {
    return this.bridge.call("kv.put", key, value, options ?? null);
  }

  delete(key) {
    return this.bridge.call("kv.delete", key);
  }
}

export class Ratelimit {
  constructor(bridge) {
    this.bridge = bridge;
  }

  limit(options) {
    return this.bridge.call("ratelimit.limit", options);
  }
}

function requestShape(request) {
  const req = typeof request === "string" || request instanceof URL ? new Request(request) : request;
  return { url: req.url, method: req.method, headers: [...req.headers] };
}

export class Cache {
  constructor(bridge, name) {
    this.bridge = bridge;
    this.name = name;
  }

  async match(request) {
    const found = await this.bridge.call("cache.match", this.name, requestShape(request));
    if (found === null) return undefined;
    const body = found.body === "" ? null : Buffer.from(found.body, "base64");
    return new Response(body, { status: found.status, headers: found.headers });
  }

  async put(request, response) {
    const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
    const shape = {
      status: response.status,
      headers: [...response.headers],
      body: body === null ? null : body.toString("base64"),
    };
    await this.bridge.call("cache.put", this.name, requestShape(request), shape);
  }

  delete(request) {
    return this.bridge.call("cache.delete", this.name, requestShape(request));
  }
}

export class CacheStorage {
  constructor(bridge) {
    this.bridge = bridge;
    this.default = new Cache(bridge, null);
  }

  async open(name) {
    return new Cache(this.bridge, String(name));
  }
}

export class DurableObjectId {
  constructor(name) {
    this.name = name;
  }

  toString() {
    return this.name;
  }

  equals(other) {
    return other instanceof DurableObjectId && other.name === this.name;
  }
}

export class DurableObjectStorage {
  constructor(bridge, name) {
    this.bridge = bridge;
    this.name = name;
  }

  get(key) {
    return this.bridge.call("do.get", this.name, key);
  }

  put(key, value) {
    return this.bridge.call("do.put", this.name, key, value);
  }

  delete(key) {
    return this.bridge.call("do.delete", this.name, key);
  }
}

export class DurableObjectState {
  constructor(bridge, id) {
    this.id = id;
    this.storage = new DurableObjectStorage(bridge, id.name);
  }

  waitUntil() {}

  async blockConcurrencyWhile(fn) {
    return fn(); // calls to this object already run one at a time (see DurableObjectNamespace)
  }
}

// `construct(state)` builds the Python object; `callMethod(instance, name, args)` calls one of its
// methods and returns a Promise of the JS value; `methods` lists the callable names.
export class DurableObjectNamespace {
  constructor(bridge, { construct, callMethod, methods }) {
    this.bridge = bridge;
    this.construct = construct;
    this.callMethod = callMethod;
    this.methods = methods;
    this.instances = new Map();
  }

  idFromName(name) {
    return new DurableObjectId(String(name));
  }

  get(id) {
    let slot = this.instances.get(id.name);
    if (!slot) {
      const state = new DurableObjectState(this.bridge, id);
      slot = { instance: this.construct(state), queue: Promise.resolve() };
      this.instances.set(id.name, slot);
    }
    const stub = { id, name: id.name };
    for (const method of this.methods) {
      stub[method] = (...args) => {
        const run = slot.queue.then(() => this.callMethod(slot.instance, method, args));
        slot.queue = run.catch(() => {});
        return run;
      };
    }
    return stub;
  }

  getByName(name) {
    return this.get(this.idFromName(name));
  }
}

// One Miniflare (workerd) holding the real bindings, and the bridge objects over it.
export async function startBindings({ ipLimit = 600, ipPeriod = 60 } = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: BRIDGE_SCRIPT,
    modulesRoot: here, // module names relative to here, whatever the process's cwd
    // The bridge Worker's date, not the Python Worker's: this workerd build supports dates up
    // to `supportedCompatibilityDate` (2026-09-08 is refused); the bindings' APIs are the same.
    compatibilityDate: supportedCompatibilityDate,
    kvNamespaces: ["KEY_CACHE"],
    ratelimits: { IP_RATE_LIMITER: { simple: { limit: ipLimit, period: ipPeriod } } },
    durableObjects: { KEY_LIMITER_STORAGE: { className: "KeyLimiterStorage", useSQLite: true } },
    cache: true,
    cf: false, // no download of the `Request.cf` object (offline)
    log: new Log(LogLevel.WARN),
  });
  const stats = new BridgeStats();
  const upgrade = await mf.dispatchFetch("http://bridge.invalid/", {
    headers: { upgrade: "websocket" },
  });
  const socket = upgrade.webSocket;
  if (!socket) throw new Error(`binding bridge: no WebSocket (HTTP ${upgrade.status})`);
  socket.accept();
  const bridge = new BridgeSocket(socket, stats);
  return {
    mf,
    stats,
    kv: new KvNamespace(bridge),
    ratelimit: new Ratelimit(bridge),
    caches: new CacheStorage(bridge),
    durableObjectNamespace: (hooks) => new DurableObjectNamespace(bridge, hooks),
    async dispose() {
      socket.close();
      await mf.dispose();
    },
  };
}
