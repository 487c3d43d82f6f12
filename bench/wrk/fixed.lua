-- The same GET for every request (the URL given to wrk, e.g. a list page with its cursor).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
