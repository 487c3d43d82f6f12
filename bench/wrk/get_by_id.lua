-- GET <BENCH_PREFIX><id> with an id drawn at random from BENCH_IDS_FILE (one per line) each time.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
  ids[#ids + 1] = line
end
local prefix = os.getenv("BENCH_PREFIX")

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
