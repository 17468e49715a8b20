-- Scenario 1: GET /health, the floor of the stack (Kestrel, middleware, no database).
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return wrk.format("GET", "/health")
end
