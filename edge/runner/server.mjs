// Local edge runner: serves the edge Worker (edge/src/entry.py) on real Pyodide over HTTP,
// forwarding to the origin like the tunnel would. Not Cloudflare, but its bindings (KV, the
// rate-limiting binding, the Cache API, Durable Object storage) are workerd's own, run by one
// Miniflare instance and reached through the bridge of ./bridge.mjs.
//
//   node edge/runner/server.mjs [--port 8787] [--host 127.0.0.1] [--origin http://127.0.0.1:8000]
//
// Environment: EDGE_PORT, EDGE_HOST, every wrangler [vars] name (ORIGIN_URL, KEY_CACHE_TTL_SECONDS,
// …), the secrets (EDGE_SIGNING_SECRET — a dev default is used when unset —, CF_ACCESS_CLIENT_ID,
// CF_ACCESS_CLIENT_SECRET, JWT_SIGNING_KEYS) and IP_RATE_LIMIT (the `ratelimits` binding's per-minute limit).
// A client may send CF-Connecting-IP to play a given client address; otherwise the socket's is used.
import http from "node:http";
import { parseArgs } from "node:util";
import { configFromEnvironment, createEdge } from "./host.mjs";

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    origin: { type: "string" },
  },
});
const port = Number(args.port ?? process.env.EDGE_PORT ?? 8787);
const host = args.host ?? process.env.EDGE_HOST ?? "127.0.0.1";
const config = configFromEnvironment();
if (args.origin) config.vars.ORIGIN_URL = args.origin;

const started = Date.now();
const edge = await createEdge(config);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    if (!headers.has("cf-connecting-ip")) {
      headers.set("cf-connecting-ip", (req.socket.remoteAddress || "").replace(/^::ffff:/, ""));
    }
    const method = req.method.toUpperCase();
    const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
    const request = new Request(`http://${req.headers.host || `${host}:${port}`}${req.url}`, {
      method,
      headers,
      body: body && body.length ? body : undefined,
    });
    const { response, settled } = await edge.dispatch(request);
    const outHeaders = {};
    for (const [name, value] of response.headers) {
      if (name === "set-cookie") continue;
      outHeaders[name] = value;
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length) outHeaders["set-cookie"] = cookies;
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, outHeaders);
    res.end(method === "HEAD" ? undefined : payload);
    await settled;
  } catch (error) {
    console.error("edge runner: dispatch failed", error);
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/problem+json" });
      res.end(
        JSON.stringify({
          type: "https://taskmaster.dev/problems/runner-error",
          title: "Runner error",
          status: 500,
          detail: "The local runner failed to dispatch the request.",
        }),
      );
    } else {
      res.destroy();
    }
  }
});

server.listen(port, host, () => {
  console.log(
    `edge runner listening on http://${host}:${port} (origin ${config.vars.ORIGIN_URL}, ` +
      `Pyodide ${edge.pyodide.version}, bindings on workerd via Miniflare, ` +
      `ready in ${Date.now() - started} ms; Worker + SDK import ` +
      `${edge.timings.import_sdk.wall_ms + edge.timings.import_worker.wall_ms} ms)`,
  );
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    // workerd is a child process of Miniflare: stop it before leaving.
    edge.dispose().finally(() => process.exit(0));
  });
}
