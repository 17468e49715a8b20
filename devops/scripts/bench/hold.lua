-- Connections test, idle side: each connection sends GET /health once, then stays open and quiet
-- (the next request would only follow an hour later).
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return wrk.format("GET", "/health")
end

function delay()
  return 3600000
end
