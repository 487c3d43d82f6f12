// STAND-INS for Cloudflare bindings, used only by the local edge runner and the benchmark.
// They are NOT Cloudflare and never ship with the Worker: small in-memory objects that follow the
// documented method signatures and the semantics the Worker relies on:
//   KvNamespace            get(key) → string|null · put(key, value, {expirationTtl ≥ 60}) · delete(key)
//   Ratelimit              limit({key}) → {success}, fixed window of `period` seconds per key
//   Cache / CacheStorage   caches.default.match/put/delete on GET requests; honours Cache-Control
//                          (s-maxage, max-age, no-store, private), refuses 206, Vary: * and
//                          Set-Cookie responses
//   DurableObjectNamespace idFromName(name) → id · get(id) → stub whose methods call the real
//                          Python Durable Object class, one instance per id, calls serialised
//                          (as a Durable Object's input gate would), with an in-memory storage.
// Class names matter: the workers SDK wraps bindings by their JS constructor name.

export class KvNamespace {
  constructor(now = () => Date.now()) {
    this.entries = new Map();
    this.now = now;
  }

  async get(key, options) {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    const type = typeof options === "string" ? options : options?.type;
    return type === "json" ? JSON.parse(entry.value) : entry.value;
  }

  async put(key, value, options = {}) {
    let expiresAt = null;
    if (options.expirationTtl !== undefined && options.expirationTtl !== null) {
      const ttl = Number(options.expirationTtl);
      if (!(ttl >= 60)) {
        throw new Error(
          `KV PUT failed: 400 Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least 60.`,
        );
      }
      expiresAt = this.now() + ttl * 1000;
    } else if (options.expiration !== undefined && options.expiration !== null) {
      expiresAt = Number(options.expiration) * 1000;
    }
    this.entries.set(key, { value: String(value), expiresAt });
  }

  async delete(key) {
    this.entries.delete(key);
  }
}

export class Ratelimit {
  constructor({ limit, period }, now = () => Date.now()) {
    if (period !== 10 && period !== 60) throw new Error("ratelimit period must be 10 or 60");
    this.limitPerPeriod = limit;
    this.period = period;
    this.now = now;
    this.windows = new Map();
  }

  async limit({ key }) {
    const windowStart = Math.floor(this.now() / 1000 / this.period);
    const current = this.windows.get(key);
    const count = current && current.windowStart === windowStart ? current.count : 0;
    if (count >= this.limitPerPeriod) return { success: false };
    this.windows.set(key, { windowStart, count: count + 1 });
    return { success: true };
  }
}

function directives(value) {
  const result = new Map();
  for (const part of (value || "").split(",")) {
    const [name, arg] = part.trim().split("=");
    if (name) result.set(name.toLowerCase(), (arg || "").replace(/"/g, ""));
  }
  return result;
}

export class Cache {
  constructor(now = () => Date.now()) {
    this.entries = new Map();
    this.now = now;
  }

  static keyOf(request) {
    const req = typeof request === "string" ? new Request(request) : request;
    if (req.method !== "GET") throw new TypeError("Cache API only accepts GET requests");
    return req.url;
  }

  async put(request, response) {
    const key = Cache.keyOf(request);
    if (response.status === 206) throw new TypeError("Cannot cache a 206 response");
    if ((response.headers.get("vary") || "").trim() === "*") {
      throw new TypeError("Cannot cache a response with 'Vary: *'");
    }
    const body = await response.arrayBuffer();
    if (response.headers.has("set-cookie")) return;
    const cc = directives(response.headers.get("cache-control"));
    if (cc.has("no-store") || cc.has("private")) return;
    const ttl = Number(cc.get("s-maxage") ?? cc.get("max-age") ?? 0);
    if (!(ttl > 0)) return;
    this.entries.set(key, {
      status: response.status,
      headers: [...response.headers],
      body,
      expiresAt: this.now() + ttl * 1000,
    });
  }

  async match(request) {
    const key = Cache.keyOf(request);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return new Response(entry.body.slice(0), { status: entry.status, headers: entry.headers });
  }

  async delete(request) {
    return this.entries.delete(Cache.keyOf(request));
  }
}

export class CacheStorage {
  constructor(now) {
    this.default = new Cache(now);
    this.named = new Map();
    this.now = now;
  }

  async open(name) {
    if (!this.named.has(name)) this.named.set(name, new Cache(this.now));
    return this.named.get(name);
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
  constructor() {
    this.data = new Map();
  }

  async get(key) {
    return this.data.get(key);
  }

  async put(key, value) {
    this.data.set(key, value);
  }

  async delete(key) {
    return this.data.delete(key);
  }
}

export class DurableObjectState {
  constructor(id) {
    this.id = id;
    this.storage = new DurableObjectStorage();
  }

  waitUntil() {}

  async blockConcurrencyWhile(fn) {
    return fn();
  }
}

// `construct(state)` builds the Python object; `callMethod(instance, name, args)` calls one of
// its methods and returns a Promise of the JS value; `methods` lists the callable names.
export class DurableObjectNamespace {
  constructor({ construct, callMethod, methods }) {
    this.construct = construct;
    this.callMethod = callMethod;
    this.methods = new Set(methods);
    this.instances = new Map();
  }

  idFromName(name) {
    return new DurableObjectId(String(name));
  }

  get(id) {
    const name = id.toString();
    let slot = this.instances.get(name);
    if (!slot) {
      slot = { instance: this.construct(new DurableObjectState(id)), queue: Promise.resolve() };
      this.instances.set(name, slot);
    }
    const stub = { id, name };
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
