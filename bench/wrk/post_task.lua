-- POST /api/v1/tasks with a fresh body each time, into the project BENCH_PROJECT_ID (the
-- bench-writes project, emptied at the start of every run).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local project = os.getenv("BENCH_PROJECT_ID")
local path = os.getenv("BENCH_PATH")
-- wrk.format() uses wrk.headers only when given no headers of its own, so set them there.
wrk.headers["Content-Type"] = "application/json"
local types = { "feature", "bug", "refactor", "test", "documentation" }
local n = 0

function request()
  n = n + 1
  local body = string.format(
    '{"title":"bench write %d-%d","description":"written by make bench","type":"%s",'
      .. '"priority":%d,"project_id":"%s","tags":["bench"],"metadata":{"n":%d}}',
    thread_id or 0, n, types[n % #types + 1], n % 11, project, n)
  return wrk.format("POST", path, nil, body)
end
