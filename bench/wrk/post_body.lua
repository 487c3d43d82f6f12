-- POST the same prepared body (BENCH_BODY_FILE) every time, e.g. a batch of log entries.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
