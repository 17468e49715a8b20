-- Connections test, idle side: each connection sends GET /health once, then stays open and quiet
-- (the next request would only follow an hour later). wrk asks delay() before every request, the
-- first one included, so the first request of each of this thread's connections goes at once: a
-- connection that never sent a request would be closed by the server's request-headers timeout.
-- Script arguments: the data directory, the number of wrk threads, connections per thread.
local bench = require("common")

local first_requests = 0

function init(args)
  bench.load(args)
  first_requests = tonumber(args[3]) or 0
end

function request()
  return wrk.format("GET", "/health")
end

function delay()
  if first_requests > 0 then
    first_requests = first_requests - 1
    return 0
  end
  return 3600000
end
