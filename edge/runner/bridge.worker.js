// BRIDGE, inside workerd (run by Miniflare): the JavaScript half of the runner's binding bridge.
// The Python Worker runs on Pyodide in Node (workerd cannot load a Python Worker offline), so its
// bindings are reached from Node over one WebSocket to this Worker, which calls workerd's own
// KV namespace, `ratelimits` binding, Cache API and a Durable Object's storage. Nothing here
// decides a binding's behaviour: every message is one call on a real binding, and its result
// (or the error the binding threw) goes back as it came. See ./bridge.mjs for the Node half.
//
// Message: {id, op, args}. Reply: {id, value} or {id, error: {name, message}}.
// Bodies travel base64-encoded; headers as [name, value] pairs.
import { DurableObject } from "cloudflare:workers";

// Backs the Python `KeyRateLimiter`'s `ctx.storage`: one instance per key id (same name), its
// SQLite-backed storage is the real Durable Object storage (wrangler.toml: new_sqlite_classes).
export class KeyLimiterStorage extends DurableObject {
  async get(key) {
    return this.ctx.storage.get(key);
  }

  async put(key, value) {
    await this.ctx.storage.put(key, value);
  }

  async delete(key) {
    return this.ctx.storage.delete(key);
  }

  async hexId() {
    return this.ctx.id.toString();
  }
}

function toBase64(buffer) {
  let binary = "";
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const cacheRequest = ({ url, method, headers }) => new Request(url, { method, headers });

async function serialiseResponse(response) {
  if (response === undefined) return null;
  const body = response.body === null ? "" : toBase64(await response.arrayBuffer());
  return { status: response.status, headers: [...response.headers], body };
}

function storageStub(env, name) {
  return env.KEY_LIMITER_STORAGE.get(env.KEY_LIMITER_STORAGE.idFromName(name));
}

const OPS = {
  "kv.get": (env, [key, type]) => env.KEY_CACHE.get(key, type),
  "kv.put": (env, [key, value, options]) => env.KEY_CACHE.put(key, value, options ?? undefined),
  "kv.delete": (env, [key]) => env.KEY_CACHE.delete(key),
  "ratelimit.limit": (env, [options]) => env.IP_RATE_LIMITER.limit(options),
  "cache.match": async (_env, [name, request]) =>
    serialiseResponse(await (await openCache(name)).match(cacheRequest(request))),
  "cache.put": async (_env, [name, request, response]) => {
    const body = response.body === null ? null : fromBase64(response.body);
    const init = { status: response.status, headers: response.headers };
    await (await openCache(name)).put(cacheRequest(request), new Response(body, init));
  },
  "cache.delete": async (_env, [name, request]) =>
    (await openCache(name)).delete(cacheRequest(request)),
  "do.get": (env, [name, key]) => storageStub(env, name).get(key),
  "do.put": (env, [name, key, value]) => storageStub(env, name).put(key, value),
  "do.delete": (env, [name, key]) => storageStub(env, name).delete(key),
  "do.id": (env, [name]) => storageStub(env, name).hexId(),
};

function openCache(name) {
  return name === null ? caches.default : caches.open(name);
}

async function answer(env, socket, data) {
  const { id, op, args } = JSON.parse(data);
  try {
    const value = await OPS[op](env, args);
    socket.send(JSON.stringify({ id, value: value ?? null }));
  } catch (error) {
    socket.send(JSON.stringify({ id, error: { name: error.name, message: error.message } }));
  }
}

export default {
  async fetch(request, env) {
    if (request.headers.get("upgrade") !== "websocket") {
      return new Response("binding bridge: WebSocket only", { status: 426 });
    }
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (event) => answer(env, server, event.data));
    return new Response(null, { status: 101, webSocket: client });
  },
};
