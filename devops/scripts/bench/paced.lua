-- Connections test, busy side: scenario 2's request at a fixed overall rate. Each connection waits
-- connections / rate seconds between requests (script arguments 3 and 4).
local bench = require("common")
local pause_ms = 100

function init(args)
  bench.load(args)
  local connections = tonumber(args[3]) or 50
  local rate = tonumber(args[4]) or 500
  pause_ms = math.floor(1000 * connections / rate)
end

function request()
  return bench.get_appointment()
end

function delay()
  return pause_ms
end
